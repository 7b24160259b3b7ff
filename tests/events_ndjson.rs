//! The event stream (`--format ndjson`, docs/json.md "Events") and the failure groups: every
//! sample's events against its `capdiag/1` document, the ECS fields, and many clients broken
//! the same way (hand-built: a DC-side capture of 40 clients whose DC locator query fails).

mod robust_support;
mod support;

use std::collections::BTreeSet;
use std::process::Command;

use serde_json::Value;
use support::*;

fn capdiag(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(args)
        .output()
        .expect("capdiag runs")
}

/// `analyze --follow --format FORMAT` on a sample whose LDAP connection is refused.
fn follow(format: &str) -> std::process::Output {
    capdiag(&[
        "analyze",
        "--follow",
        "--format",
        format,
        "samples/ldap-refused.pcap",
    ])
}

fn events(path: &str) -> Vec<Value> {
    let out = capdiag(&["analyze", "--format", "ndjson", path]);
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .lines()
        .map(|l| {
            serde_json::from_str(l)
                .unwrap_or_else(|e| panic!("{path}: not one JSON per line: {e}: {l}"))
        })
        .collect()
}

fn document(path: &str) -> Value {
    let out = capdiag(&["analyze", "--format", "json", path]);
    serde_json::from_slice(&out.stdout).expect("JSON document")
}

fn dataset(e: &Value) -> &str {
    e["event"]["dataset"].as_str().unwrap_or("")
}

#[test]
fn every_sample_gives_one_chain_event_per_chain_with_the_documents_verdict() {
    let samples: Vec<String> = robust_support::samples()
        .iter()
        .map(|p| p.display().to_string())
        .collect();
    assert!(samples.len() > 40, "the samples are there");
    for path in &samples {
        let evs = events(path);
        let doc = document(path);
        let chains: Vec<&Value> = evs
            .iter()
            .filter(|e| dataset(e) == "capdiag.chain")
            .collect();
        let doc_chains = doc["chains"].as_array().unwrap();
        assert_eq!(chains.len(), doc_chains.len(), "{path}");
        for (e, c) in chains.iter().zip(doc_chains) {
            assert_eq!(e["source"]["ip"], c["client"], "{path}");
            assert_eq!(e["capdiag"]["status"], c["status"], "{path}");
            assert_eq!(e["capdiag"]["broken_at"], c["broken_at"], "{path}");
            assert_eq!(e["capdiag"]["cause"]["code"], c["cause"]["code"], "{path}");
            let outcome = match c["status"].as_str().unwrap() {
                "complete" => "success",
                "broken" => "failure",
                _ => "unknown",
            };
            assert_eq!(e["event"]["outcome"], outcome, "{path}");
            let ts = e["@timestamp"]
                .as_str()
                .unwrap_or_else(|| panic!("{path}: @timestamp"));
            assert!(
                ts.ends_with('Z') && ts.len() == 27,
                "{path}: RFC 3339 UTC µs: {ts}"
            );
            assert_eq!(e["ecs"]["version"], "8.17.0");
            assert_eq!(e["capdiag"]["schema"], "capdiag-events/1");
        }
        let findings = evs
            .iter()
            .filter(|e| dataset(e) == "capdiag.finding")
            .count();
        let doc_findings: usize = doc_chains
            .iter()
            .map(|c| c["findings"].as_array().unwrap().len())
            .sum();
        assert_eq!(findings, doc_findings, "{path}");
        let last = evs.last().unwrap();
        assert_eq!(dataset(last), "capdiag.run", "{path}: the totals come last");
        assert_eq!(last["capdiag"]["run"]["chains"], doc_chains.len(), "{path}");
    }
}

#[test]
fn a_broken_ldap_connect_names_the_dc_as_destination_and_the_cause_as_finding() {
    let evs = events("samples/ldap-refused.pcap");
    let chain = evs.iter().find(|e| dataset(e) == "capdiag.chain").unwrap();
    assert_eq!(chain["destination"]["ip"], "10.99.0.1");
    assert_eq!(chain["destination"]["port"], 389);
    assert_eq!(chain["capdiag"]["cause"]["code"], "tcp.refused");
    let cause = evs
        .iter()
        .find(|e| dataset(e) == "capdiag.finding" && e["capdiag"]["is_cause"] == true)
        .unwrap();
    assert_eq!(cause["log"]["level"], "error");
    assert_eq!(cause["capdiag"]["stage"], "ldap_connect");
    let dns = evs
        .iter()
        .find(|e| e["capdiag"]["finding"]["code"] == "dns.nxdomain")
        .expect("the NXDOMAIN fallbacks are findings");
    assert!(dns["dns"]["question"]["name"].as_str().is_some(), "{dns}");
}

const DNS: [u8; 4] = [10, 5, 0, 1];
const NAME: &str = "_ldap._tcp.dc._msdcs.corp.example";

/// An SRV question (flags 0x0100) or its NXDOMAIN answer (0x8583).
fn srv(id: u16, flags: u16) -> Vec<u8> {
    let mut m = id.to_be_bytes().to_vec();
    m.extend(flags.to_be_bytes());
    m.extend([0, 1, 0, 0, 0, 0, 0, 0]);
    m.extend(labels(NAME));
    m.extend([0, 33, 0, 1]);
    m
}

/// 40 clients whose DC locator lookup gets NXDOMAIN from one DNS server, and two whose query
/// is refused by another: a DC-side capture during a DNS outage.
fn outage() -> std::path::PathBuf {
    let mut p = Pcap::new(1);
    for k in 0..42u16 {
        let client = [10, 5, 1, 10 + k as u8];
        let server = if k < 40 { DNS } else { [10, 5, 0, 2] };
        let port = 50000 + k;
        p.frame(&udp((client, port), (server, 53), &srv(k, 0x0100)));
        p.frame(&udp(
            (server, 53),
            (client, port),
            &srv(k, if k < 40 { 0x8583 } else { 0x8585 }),
        ));
    }
    p.write("dns-outage-42-clients.pcap")
}

#[test]
fn forty_clients_broken_the_same_way_are_one_group_in_every_format() {
    let path = outage();
    let path = path.to_str().unwrap();
    let args = ["--domain", "corp.example"];
    let run = |format: &str| {
        let mut a = vec!["analyze", "--format", format, path];
        a.extend(args);
        let out = capdiag(&a);
        assert_eq!(out.status.code(), Some(1), "broken chains: exit 1");
        String::from_utf8(out.stdout).unwrap()
    };
    let doc: Value = serde_json::from_str(&run("json")).unwrap();
    assert_eq!(
        doc["chains"].as_array().unwrap().len(),
        42,
        "every chain is still judged"
    );
    let groups = doc["failure_groups"].as_array().unwrap();
    assert_eq!(
        groups.len(),
        2,
        "the 40 NXDOMAINs, and the 2 refusals apart: {groups:#?}"
    );
    assert_eq!(groups[1]["count"], 2);
    assert_eq!(groups[1]["server"], "10.5.0.2");
    assert_ne!(groups[1]["cause"], "dns.nxdomain");
    let g = &groups[0];
    assert_eq!(g["count"], 40);
    assert_eq!(g["stage"], "dc_locator_dns");
    assert_eq!(g["cause"], "dns.nxdomain");
    assert_eq!(g["first"]["client"], "10.5.1.10");
    assert_eq!(g["first"]["frames"], serde_json::json!([1, 2]));
    assert_eq!(g["last"]["client"], "10.5.1.49");
    assert_eq!(g["last"]["frames"], serde_json::json!([79, 80]));

    let lines = run("ndjson");
    let evs: Vec<Value> = lines
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let grouped: Vec<&Value> = evs
        .iter()
        .filter(|e| dataset(e) == "capdiag.failure_group")
        .collect();
    assert_eq!(grouped.len(), 2);
    assert_eq!(grouped[0]["capdiag"]["group"], *g);
    assert_eq!(grouped[0]["destination"]["ip"], "10.5.0.1");
    let clients: BTreeSet<&str> = evs
        .iter()
        .filter(|e| dataset(e) == "capdiag.chain")
        .filter_map(|e| e["source"]["ip"].as_str())
        .collect();
    assert_eq!(clients.len(), 42);

    let text = run("text");
    assert!(
        text.contains("40 clients broken at dc_locator_dns against 10.5.0.1: dns.nxdomain"),
        "{text}"
    );
    assert!(
        text.contains("first 10.5.1.10 (frames 1, 2), last 10.5.1.49 (frames 79, 80)"),
        "{text}"
    );
    let html = std::env::temp_dir().join(format!("capdiag-groups-{}.html", std::process::id()));
    let out = capdiag(&[
        "analyze",
        path,
        "--domain",
        "corp.example",
        "--html",
        html.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1));
    let page = std::fs::read_to_string(&html).unwrap();
    assert!(
        page.contains("<b>40 clients</b> broken at dc_locator_dns against"),
        "the HTML report says the group once"
    );
    std::fs::remove_file(&html).ok();
    assert!(
        text.contains("2 clients broken at dc_locator_dns against 10.5.0.2"),
        "{text}"
    );
}

#[test]
fn follow_writes_ndjson_events_then_the_totals_and_json_keeps_stdout_one_document() {
    let out = follow("ndjson");
    let text = String::from_utf8(out.stdout).unwrap();
    let evs: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    let sets: Vec<&str> = evs.iter().map(dataset).collect();
    assert!(sets.contains(&"capdiag.stage"), "{sets:?}");
    assert_eq!(
        sets.iter().filter(|s| **s == "capdiag.chain").count(),
        1,
        "{sets:?}"
    );
    assert_eq!(sets.last(), Some(&"capdiag.run"));
    let failed = evs
        .iter()
        .find(|e| e["capdiag"]["stage"]["status"] == "failed")
        .unwrap();
    assert_eq!(failed["capdiag"]["stage"]["stage"], "ldap_connect");

    let out = follow("json");
    let doc: Value = serde_json::from_slice(&out.stdout).expect("stdout is one JSON document");
    assert_eq!(doc["chains"][0]["broken_at"], "ldap_connect");
    assert!(String::from_utf8_lossy(&out.stderr).contains("[verdict]"));
    assert_eq!(out.status.code(), Some(1));

    let out = follow("mermaid");
    assert_eq!(out.status.code(), Some(2));
}

/// Dotted paths of `v`'s fields, two levels deep (`event.outcome`, `capdiag.cause`): the
/// level docs/json.md's Events tables describe.
fn field_paths(v: &Value, prefix: &str, depth: usize, out: &mut BTreeSet<String>) {
    let Value::Object(map) = v else { return };
    for (k, child) in map {
        let path = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        if depth == 1 || !child.is_object() {
            out.insert(path);
        } else {
            field_paths(child, &path, depth - 1, out);
        }
    }
}

#[test]
fn docs_name_every_event_field_the_binary_prints() {
    let doc = std::fs::read_to_string("docs/json.md").unwrap();
    let start = doc
        .find("## Events")
        .expect("docs/json.md has the Events section");
    let section = &doc[start..];
    let section = &section[..section[3..].find("\n## ").map_or(section.len(), |e| e + 3)];
    let mut all = BTreeSet::new();
    let mut paths_seen = vec!["samples/ldap-refused.pcap", "samples/complete.pcap"];
    let outage = outage();
    paths_seen.push(outage.to_str().unwrap());
    for path in paths_seen {
        for e in events(path) {
            field_paths(&e, "", 2, &mut all);
        }
    }
    let out = follow("ndjson");
    for l in String::from_utf8(out.stdout).unwrap().lines() {
        field_paths(&serde_json::from_str(l).unwrap(), "", 2, &mut all);
    }
    for want in [
        "capdiag.group",
        "capdiag.is_cause",
        "event.duration",
        "dns.question",
        "log.level",
    ] {
        assert!(
            all.contains(want) || all.iter().any(|p| p.starts_with(want)),
            "{want} printed"
        );
    }
    for p in &all {
        let named = section.contains(&format!("`{p}`"))
            || section.contains(&format!("`{p}.")) // dns.question → `dns.question.name`
            || p == "capdiag.stage" && section.contains("`capdiag.stage`");
        assert!(named, "docs/json.md's Events section never names `{p}`");
    }
}
