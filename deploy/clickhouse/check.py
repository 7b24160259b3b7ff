#!/usr/bin/env python3
"""Loads capdiag NDJSON event files into an embedded ClickHouse (the chdb package) with the
table of capdiag_events.sql, runs the named queries of queries.sql, and prints their answers as
one JSON object {query name: [rows as objects]} on standard output.

    python3 deploy/clickhouse/check.py SERVER=events.ndjson [SERVER=events.ndjson ...]

SERVER becomes `host.name` of that file's events, as Filebeat or Vector would set it. Used by
tests/fleet_clickhouse.rs; also a quick way to try the queries on your own captures."""

import json
import os
import re
import sys
import tempfile

from chdb import session

HERE = os.path.dirname(os.path.abspath(__file__))


def named_queries(text):
    """{name: sql} from `-- name: x` comment lines, each query ending with `;`."""
    out = {}
    for block in re.split(r"^-- name: ", text, flags=re.M)[1:]:
        name, _, body = block.partition("\n")
        sql = "\n".join(l for l in body.splitlines() if not l.lstrip().startswith("--")).strip()
        out[name.strip()] = sql.rstrip(";")
    return out


def main(args):
    if not args:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory() as tmp:
        s = session.Session(tmp)
        s.query("CREATE DATABASE IF NOT EXISTS fleet")
        s.query("USE fleet")
        with open(os.path.join(HERE, "capdiag_events.sql")) as f:
            s.query(f.read().strip().rstrip(";"))
        with open(os.path.join(HERE, "insert.sql")) as f:
            insert = f.read().strip()
        for arg in args:
            server, _, path = arg.partition("=")
            rows = []
            with open(path) as f:
                for line in f:
                    if line.strip():
                        event = json.loads(line)
                        event["host"] = {"name": server}
                        rows.append(json.dumps(event))
            if rows:
                s.query(insert + "\n" + "\n".join(rows))
        with open(os.path.join(HERE, "queries.sql")) as f:
            queries = named_queries(f.read())
        answers = {}
        for name, sql in queries.items():
            result = s.query(sql, "JSONEachRow").bytes().decode()
            answers[name] = [json.loads(l) for l in result.splitlines() if l.strip()]
        json.dump(answers, sys.stdout, indent=1, sort_keys=True)
        print()


if __name__ == "__main__":
    main(sys.argv[1:])
