//! Every real lab capture in samples/ gives the verdict its expectation file pins, and the JSON
//! document holds the fields of the capdiag/1 contract.

use std::path::PathBuf;
use std::process::Command;

use capdiag::check::{Outcome, check_all, discover};
use serde_json::Value;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn analyze_json(sample: &str) -> (Value, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(["analyze", "--format", "json"])
        .arg(samples().join(sample))
        .output()
        .unwrap();
    (
        serde_json::from_slice(&out.stdout).unwrap(),
        out.status.code().unwrap(),
    )
}

#[test]
fn every_sample_has_an_expectation_and_meets_it() {
    let captures = discover(&[samples()]).unwrap();
    assert!(captures.len() >= 7, "{captures:?}");
    for r in check_all(&captures, false) {
        assert_eq!(r.outcome, Outcome::Passed, "{}", r.capture.display());
    }
}

#[test]
fn json_document_holds_the_contract_fields() {
    let (doc, code) = analyze_json("complete.pcap");
    assert_eq!(code, 0);
    assert_eq!(doc["schema"], "capdiag/1");
    let input = &doc["inputs"][0];
    assert_eq!(input["format"], "pcap");
    assert_eq!(input["packets"], 70);
    assert!(input["warnings"].as_array().unwrap().is_empty(), "{input}");
    let chain = &doc["chains"][0];
    assert_eq!(chain["client"], "10.99.0.2");
    assert_eq!(chain["domain"], "contoso.test");
    assert_eq!(chain["status"], "complete");
    assert_eq!(chain["broken_at"], Value::Null);
    assert_eq!(chain["cause"], Value::Null);
    let stages: Vec<&str> = chain["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert_eq!(
        stages,
        [
            "dc_locator_dns",
            "dc_locator_ping",
            "kerberos",
            "ldap_connect",
            "ldap_bind",
            "rootdse",
            "scp_search",
            "scp_url_dns",
            "https_connect",
            "tls_handshake",
            "https"
        ]
    );
    // The bind judged is the one on the SCP search's connection (conn 2: frames 25/27), not the
    // first bind of the capture (conn 1's, before the RootDSE read).
    let bind = &chain["stages"][4];
    assert_eq!(
        (bind["status"].as_str(), bind["frames"].clone()),
        (Some("ok"), serde_json::json!([25, 27]))
    );

    let srv = &doc["dns"][0];
    assert_eq!(
        (srv["frame"].as_u64(), srv["response_frame"].as_u64()),
        (Some(1), Some(2))
    );
    assert_eq!(srv["type"], "SRV");
    assert_eq!(srv["rcode"], "NOERROR");
    assert_eq!(
        srv["answers"][0],
        "dc1.contoso.test:389 (priority 0, weight 100)"
    );

    // Every search is listed (CLDAP ping, RootDSE, SCP, site lookup), not only the SCP one.
    let searches = doc["ldap"]["searches"].as_array().unwrap();
    assert_eq!(searches.len(), 4);
    assert_eq!(searches[0]["transport"], "udp");
    assert_eq!(searches[0]["ldp"]["connectionless"], true);
    let scp = searches
        .iter()
        .find(|s| s["base"] == "CN=Configuration,DC=contoso,DC=test")
        .unwrap();
    assert_eq!(
        (scp["frame"].as_u64(), scp["scope"].as_str()),
        (Some(29), Some("subtree"))
    );
    assert_eq!(scp["result"]["name"], "success");
    assert_eq!(
        scp["entries"][0]["attributes"]["serviceBindingInformation"][0],
        "https://mail.contoso.test/Autodiscover/Autodiscover.xml"
    );
    assert_eq!(scp["ldp"]["scope"], "Subtree");
    assert_eq!(
        scp["ldp"]["attributes"],
        "keywords;serviceBindingInformation"
    );
    assert!(
        scp["ldapsearch"]
            .as_str()
            .unwrap()
            .starts_with("ldapsearch -H ldap://dc1.contoso.test:389"),
        "{}",
        scp["ldapsearch"]
    );
}

#[test]
fn broken_chain_json_names_stage_cause_frames_and_fix() {
    let (doc, code) = analyze_json("bind-invalid-credentials.pcap");
    assert_eq!(code, 1);
    let chain = &doc["chains"][0];
    assert_eq!(chain["status"], "broken");
    assert_eq!(chain["broken_at"], "ldap_bind");
    let cause = &chain["cause"];
    assert_eq!(cause["code"], "ldap.bind_failed");
    assert_eq!(cause["frames"], serde_json::json!([12, 14]));
    assert!(
        cause["summary"]
            .as_str()
            .unwrap()
            .contains("data 52e = ERROR_LOGON_FAILURE"),
        "{cause}"
    );
    assert!(!cause["remediation"].as_str().unwrap().is_empty());
    // The password of the simple bind is nowhere in the output.
    let bind = &doc["ldap"]["binds"][0];
    assert_eq!(bind["method"], "simple");
    assert_eq!(bind["password"], "<redacted>");
    assert_eq!(bind["result"]["code"], 49);
}

#[test]
fn text_report_reads_top_to_bottom() {
    let out = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(["analyze", "--color", "never"])
        .arg(samples().join("tls-untrusted.pcap"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let text = String::from_utf8(out.stdout).unwrap();
    let pos = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing in:\n{text}"))
    };
    assert!(pos("BROKEN at tls_handshake") < pos("Cause"));
    assert!(pos("tls.alert.unknown_ca") < pos("frame.number in {55 57 59}"));
    assert!(pos("Fix") < pos("SCP search, as ldp.exe would run it:"));
    assert!(pos("Browse > Search") < pos("DNS lookups:"));
    assert!(!text.contains('\x1b'), "no colour when --color never");
}

#[test]
fn color_always_paints_and_no_color_env_is_respected_in_auto() {
    let run = |args: &[&str], no_color: bool| {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_capdiag"));
        cmd.arg("analyze")
            .args(args)
            .arg(samples().join("complete.pcap"));
        if no_color {
            cmd.env("NO_COLOR", "1");
        }
        String::from_utf8(cmd.output().unwrap().stdout).unwrap()
    };
    assert!(run(&["--color", "always"], false).contains("\x1b["));
    // Not a terminal here, and NO_COLOR set: auto gives plain text either way.
    assert!(!run(&[], true).contains("\x1b["));
}

#[test]
fn no_progress_output_when_standard_error_is_not_a_terminal() {
    let out = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(["analyze", "--color", "never"])
        .arg(samples().join("complete.pcap"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
