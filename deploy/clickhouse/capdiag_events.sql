-- capdiag's events (`capdiag analyze --format ndjson`, schema capdiag-events/1, docs/json.md)
-- in one ClickHouse table, loaded as JSONEachRow with nested objects read into dotted columns:
--   clickhouse-client --query "$(cat deploy/clickhouse/insert.sql)" < events.ndjson
-- Fields the table does not list are skipped; objects kept whole are JSON columns.
CREATE TABLE IF NOT EXISTS capdiag_events
(
    `@timestamp`          Nullable(DateTime64(6, 'UTC')),
    -- The server the capture was taken on: Filebeat and Vector add it; a direct load sets it.
    `host.name`           LowCardinality(String) DEFAULT '',
    `event.dataset`       LowCardinality(String),
    `event.outcome`       LowCardinality(String) DEFAULT '',
    `event.duration`      Nullable(UInt64),
    `source.ip`           String DEFAULT '',
    `destination.ip`      String DEFAULT '',
    `destination.port`    Nullable(UInt16),
    `destination.domain`  String DEFAULT '',
    `tls.server_name`     String DEFAULT '',
    `log.level`           LowCardinality(String) DEFAULT '',
    `message`             String,
    `capdiag.record`      LowCardinality(String),
    `capdiag.captures`    Array(String),
    `capdiag.domain`      String DEFAULT '',
    `capdiag.status`      LowCardinality(String) DEFAULT '',
    `capdiag.broken_at`   LowCardinality(String) DEFAULT '',
    `capdiag.client_site` String DEFAULT '',
    `capdiag.dc_site`     String DEFAULT '',
    `capdiag.is_cause`    Nullable(Bool),
    `capdiag.cause`       JSON,
    `capdiag.finding`     JSON,
    `capdiag.group`       JSON,
    `capdiag.run`         JSON,
    `dns.question`        JSON
)
ENGINE = MergeTree
ORDER BY (`event.dataset`, `host.name`);
