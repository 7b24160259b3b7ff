-- The questions an admin asks of capdiag's events across servers (deploy/clickhouse/capdiag_events.sql).
-- Each query is named by the comment line `-- name: <name>` before it; deploy/clickhouse/check.py
-- and tests/fleet_clickhouse.rs run them by name.

-- name: broken_by_cause_and_site_per_day
-- Broken Autodiscover chains per day, by cause and the client's AD site.
SELECT toDate(`@timestamp`) AS day,
       `capdiag.cause`.code::String AS cause,
       `capdiag.client_site` AS site,
       count() AS chains
FROM capdiag_events
WHERE `event.dataset` = 'capdiag.chain' AND `capdiag.status` = 'broken'
GROUP BY day, cause, site
ORDER BY day, chains DESC, cause, site;

-- name: verdicts_per_server
-- How each server's clients fared: complete, broken, incomplete chains.
SELECT `host.name` AS server,
       countIf(`capdiag.status` = 'complete') AS complete,
       countIf(`capdiag.status` = 'broken') AS broken,
       countIf(`capdiag.status` = 'incomplete') AS incomplete
FROM capdiag_events
WHERE `event.dataset` = 'capdiag.chain'
GROUP BY server
ORDER BY server;

-- name: broken_by_stage_and_server
-- Where the chains break, per server: the stage, and the address the failed stage talked to.
SELECT `host.name` AS server,
       `capdiag.broken_at` AS stage,
       `destination.ip` AS peer,
       count() AS chains
FROM capdiag_events
WHERE `event.dataset` = 'capdiag.chain' AND `capdiag.status` = 'broken'
GROUP BY server, stage, peer
ORDER BY server, chains DESC, stage, peer;

-- name: findings_by_code
-- Every finding (causes and the failures clients got past), by code and level.
SELECT `capdiag.finding`.code::String AS code,
       `log.level` AS level,
       countIf(`capdiag.is_cause`) AS as_cause,
       count() AS findings
FROM capdiag_events
WHERE `event.dataset` = 'capdiag.finding'
GROUP BY code, level
ORDER BY findings DESC, code, level;
