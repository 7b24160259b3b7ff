//! The fleet path of docs/fleet.md, for real: every sample's events (`--format ndjson`) loaded
//! into ClickHouse (embedded, the chdb Python package) with deploy/clickhouse/capdiag_events.sql
//! as if three servers had shipped them, and the admin's queries of deploy/clickhouse/queries.sql
//! answered. The expected answers are counted here from each sample's `capdiag/1` document,
//! not from the events. Without chdb (pip install chdb) the test is ignored with the reason;
//! under CI it runs and fails without it.

mod robust_support;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn capdiag(args: &[&str]) -> Vec<u8> {
    Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(args)
        .output()
        .expect("capdiag runs")
        .stdout
}

fn samples() -> Vec<String> {
    robust_support::samples()
        .iter()
        .map(|p| p.display().to_string())
        .collect()
}

/// The AD site the chain's CLDAP reply gave the client ("" when none), from capdiag/1.
fn client_site(chain: &Value) -> String {
    chain["stages"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["stage"] == "dc_locator_ping")
        .and_then(|s| s["detail"]["client site"].as_str())
        .unwrap_or("")
        .to_string()
}

type Counts = BTreeMap<Vec<String>, u64>;

fn rows(answer: &Value, keys: &[&str], count: &str) -> Counts {
    let mut out = Counts::new();
    for row in answer.as_array().unwrap() {
        let key = keys
            .iter()
            .map(|k| match &row[*k] {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect();
        let n = match &row[count] {
            Value::String(s) => s.parse().unwrap(),
            v => v.as_u64().unwrap(),
        };
        *out.entry(key).or_default() += n;
    }
    out
}

#[test]
#[cfg_attr(
    capdiag_skip_chdb,
    ignore = "Python's chdb is not installed (pip install chdb, then cargo test runs it)"
)]
fn the_fleet_queries_answer_what_the_samples_documents_say() {
    let dir = std::env::temp_dir().join(format!("capdiag-fleet-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let servers = ["crm-01", "crm-02", "dc-01"];
    let mut per_server = Counts::new();
    let mut by_cause_site = Counts::new();
    let mut by_stage = Counts::new();
    let mut findings = Counts::new();
    let mut loads = Vec::new();
    for (i, sample) in samples().iter().enumerate() {
        let server = servers[i % servers.len()];
        let events = capdiag(&["analyze", "--format", "ndjson", sample]);
        let file: PathBuf = dir.join(format!("{i}.ndjson"));
        std::fs::write(&file, &events).unwrap();
        loads.push(format!("{server}={}", file.display()));
        let doc: Value = serde_json::from_slice(&capdiag(&["analyze", "--format", "json", sample]))
            .expect("a JSON document");
        for chain in doc["chains"].as_array().unwrap() {
            let status = chain["status"].as_str().unwrap().to_string();
            *per_server
                .entry(vec![server.into(), status.clone()])
                .or_default() += 1;
            if status == "broken" {
                let cause = chain["cause"]["code"].as_str().unwrap().to_string();
                *by_cause_site
                    .entry(vec![cause, client_site(chain)])
                    .or_default() += 1;
                let stage = chain["broken_at"].as_str().unwrap().to_string();
                *by_stage.entry(vec![server.into(), stage]).or_default() += 1;
            }
            for f in chain["findings"].as_array().unwrap() {
                let code = f["code"].as_str().unwrap().to_string();
                *findings.entry(vec![code]).or_default() += 1;
            }
        }
    }
    assert!(
        by_cause_site.len() > 5,
        "the samples break in many ways: {by_cause_site:?}"
    );

    let out = Command::new("python3")
        .arg("deploy/clickhouse/check.py")
        .args(&loads)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "deploy/clickhouse/check.py failed{}: {}",
        if std::env::var_os("CI").is_some() {
            " (.ci/run installs chdb)"
        } else {
            ""
        },
        String::from_utf8_lossy(&out.stderr)
    );
    let answers: Value = serde_json::from_slice(&out.stdout).expect("the answers as JSON");

    let mut got_per_server = Counts::new();
    for row in answers["verdicts_per_server"].as_array().unwrap() {
        for status in ["complete", "broken", "incomplete"] {
            let n = row[status]
                .as_u64()
                .unwrap_or_else(|| row[status].as_str().unwrap().parse().unwrap());
            if n > 0 {
                got_per_server.insert(
                    vec![row["server"].as_str().unwrap().into(), status.into()],
                    n,
                );
            }
        }
    }
    assert_eq!(got_per_server, per_server, "verdicts_per_server");
    assert_eq!(
        rows(
            &answers["broken_by_cause_and_site_per_day"],
            &["cause", "site"],
            "chains"
        ),
        by_cause_site,
        "broken_by_cause_and_site_per_day"
    );
    assert_eq!(
        rows(
            &answers["broken_by_stage_and_server"],
            &["server", "stage"],
            "chains"
        ),
        by_stage,
        "broken_by_stage_and_server"
    );
    assert_eq!(
        rows(&answers["findings_by_code"], &["code"], "findings"),
        findings,
        "findings_by_code"
    );
    let days = answers["broken_by_cause_and_site_per_day"]
        .as_array()
        .unwrap();
    assert!(
        days.iter().all(|r| r["day"]
            .as_str()
            .is_some_and(|d| d.len() == 10 && d.starts_with("20"))),
        "every broken chain has a day from its @timestamp: {days:?}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// `%XX` decoded (the ClickHouse query in Vector's sink URI).
fn percent_decoded(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[test]
fn the_shipper_configs_read_the_events_and_insert_them_as_the_table_expects() {
    let insert = std::fs::read_to_string("deploy/clickhouse/insert.sql").unwrap();
    let vector: toml::Table = std::fs::read_to_string("deploy/vector/capdiag.toml")
        .unwrap()
        .parse()
        .expect("deploy/vector/capdiag.toml is TOML");
    let source = &vector["sources"]["capdiag"];
    assert_eq!(source["type"].as_str(), Some("file"));
    assert!(source["include"][0].as_str().unwrap().ends_with(".ndjson"));
    let remap = &vector["transforms"]["capdiag_events"];
    assert_eq!(remap["type"].as_str(), Some("remap"));
    assert!(remap["source"].as_str().unwrap().contains("parse_json!"));
    let sink = &vector["sinks"]["clickhouse"];
    let uri = sink["uri"].as_str().unwrap();
    let query = uri.split_once("?query=").expect("the INSERT in the URI").1;
    assert_eq!(
        percent_decoded(query),
        insert.trim(),
        "the sink runs deploy/clickhouse/insert.sql"
    );
    assert_eq!(
        sink["framing"]["method"].as_str(),
        Some("newline_delimited")
    );
    assert_eq!(sink["encoding"]["codec"].as_str(), Some("json"));
    assert!(insert.contains("INSERT INTO capdiag_events "));
    let table = std::fs::read_to_string("deploy/clickhouse/capdiag_events.sql").unwrap();
    assert!(table.contains("CREATE TABLE IF NOT EXISTS capdiag_events"));

    let filebeat = std::fs::read_to_string("deploy/filebeat/capdiag.yml").unwrap();
    for line in ["type: filestream", "- ndjson:", "target: \"\"", "*.ndjson"] {
        assert!(
            filebeat.contains(line),
            "deploy/filebeat/capdiag.yml lacks {line}"
        );
    }
}
