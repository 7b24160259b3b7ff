//! Lab samples that only say what they say once decrypted with their TLS key log: the EWS
//! GetItem answer with an empty binary extended property (samples/lab/make-ews-keylog-sample.sh)
//! is a finding of the completed chain, not its cause; the SCP lookup over LDAPS
//! (samples/lab/scenarios-ldaps-keylog.sh) is read from the decrypted LDAP, and neither a key
//! log secret nor the simple bind's password is printed.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Arc;

use capdiag::analysis::{Analysis, analyze_paths};
use capdiag::chain::{ChainOptions, ChainStatus, StageKind, StageStatus};
use capdiag::crypto::keylog::KeyLog;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn analyse_with_key_log(capture: &str, keylog: &str) -> Analysis {
    let options = ChainOptions {
        tls_key_log: Some(Arc::new(
            KeyLog::read(&samples().join(keylog)).expect("the sample's key log reads"),
        )),
        ..Default::default()
    };
    let (analysis, errors) = analyze_paths(&[samples().join(capture)], &options);
    assert!(errors.is_empty(), "{errors:?}");
    analysis.expect("an analysis")
}

#[test]
fn ews_empty_binary_property_is_a_finding_of_the_decrypted_chain_not_its_cause() {
    let a = analyse_with_key_log(
        "https-keylog-ews-empty-binary.pcap",
        "https-keylog-ews-empty-binary.keylog",
    );
    let http = &a.exchanges.http;
    assert_eq!(http.len(), 2, "{http:?}");
    assert!(http.iter().all(|h| h.decrypted));
    let get_item = http
        .iter()
        .find(|h| h.target == "/EWS/Exchange.asmx")
        .expect("the decrypted GetItem POST");
    let (answer_frame, status, _) = get_item.response.clone().expect("its answer");
    assert_eq!(status, 200);

    assert_eq!(a.chains.len(), 1);
    let chain = &a.chains[0];
    assert_eq!(chain.status, ChainStatus::Complete);
    let finding = chain
        .findings
        .iter()
        .find(|f| f.code == "ews.empty_binary_property")
        .expect("the EWS finding");
    assert_eq!(finding.frames, vec![get_item.frame, answer_frame]);
    for part in [
        "AAMkADk0ZTFlNmE3LWVkNGQtNGM5Zi1hOTYzLTNmZWI0ZDc1YjcyMgBGAAAAAAC7",
        "\"Quarterly budget\"",
        "PropertyTag 0x1013",
        &format!("frame {answer_frame}"),
    ] {
        assert!(
            finding.summary.contains(part),
            "{part} in {}",
            finding.summary
        );
    }
    assert!(
        chain
            .cause
            .as_ref()
            .is_none_or(|c| c.code != "ews.empty_binary_property"),
        "{:?}",
        chain.cause
    );
}

const SCP_FILTER: &str = "(&(objectClass=serviceConnectionPoint)(|(keywords=67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68)(keywords=77378F46-2C66-4aa9-A6A6-3E7A48B19596)))";
const SCP_DN: &str = "CN=EXCH01,CN=Autodiscover,CN=Protocols,CN=EXCH01,CN=Servers,CN=Exchange Administrative Group (FYDIBOHF23SPDLT),CN=Administrative Groups,CN=Contoso,CN=Microsoft Exchange,CN=Services,CN=Configuration,DC=contoso,DC=test";

/// capdiag's stdout and stderr for `args`, run in samples/.
fn capdiag(args: &[&str]) -> (String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(args)
        .current_dir(samples())
        .output()
        .expect("capdiag runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The secrets that must never be printed: every key log secret (third field) and the lab
/// account's password, which the simple bind carries inside the TLS (read from the lab script
/// that set it, not copied here).
fn ldaps_secrets() -> Vec<String> {
    let keylog = std::fs::read_to_string(samples().join("ldaps-keylog.keylog")).expect("key log");
    let mut secrets: Vec<String> = keylog
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split_whitespace().nth(2).map(str::to_string))
        .collect();
    assert!(secrets.len() >= 10, "both TLS 1.3 connections: {secrets:?}");
    let script =
        std::fs::read_to_string(samples().join("lab/make-samples.sh")).expect("the lab script");
    let password = script
        .lines()
        .find_map(|l| l.strip_prefix("SVCPASS='"))
        .and_then(|l| l.strip_suffix('\''))
        .expect("the lab password line");
    secrets.push(password.to_string());
    secrets
}

#[test]
fn scp_search_over_ldaps_is_read_with_its_key_log_and_no_secret_is_printed() {
    let (json, err) = capdiag(&[
        "analyze",
        "--format",
        "json",
        "--tls-keylog",
        "ldaps-keylog.keylog",
        "ldaps-keylog.pcap",
    ]);
    let v: serde_json::Value = serde_json::from_str(&json).expect("JSON output");
    let searches = v["ldap"]["searches"].as_array().expect("ldap.searches");
    let scp = searches
        .iter()
        .find(|s| s["filter"] == SCP_FILTER)
        .expect("the SCP search, read from the decrypted LDAPS");
    assert_eq!(scp["server"], "10.99.0.1:636");
    assert_eq!(scp["base"], "CN=Configuration,DC=contoso,DC=test");
    assert_eq!(scp["result"]["name"], "success");
    let entries = scp["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["dn"], SCP_DN);
    assert_eq!(
        entries[0]["attributes"]["serviceBindingInformation"],
        serde_json::json!(["https://mail.contoso.test/Autodiscover/Autodiscover.xml"])
    );

    let chains = v["chains"].as_array().expect("chains");
    assert_eq!(chains.len(), 1, "{chains:?}");
    let stage = |name: &str| {
        chains[0]["stages"]
            .as_array()
            .and_then(|s| s.iter().find(|s| s["stage"] == name))
            .unwrap_or_else(|| panic!("stage {name}"))
            .clone()
    };
    let scp_stage = stage("scp_search");
    assert_eq!(scp_stage["status"], "ok", "{scp_stage}");
    assert_eq!(
        scp_stage["detail"]["url"],
        "https://mail.contoso.test/Autodiscover/Autodiscover.xml"
    );
    assert_eq!(stage("ldap_bind")["status"], "ok");
    assert_eq!(stage("rootdse")["status"], "ok");

    let (text, text_err) = capdiag(&[
        "analyze",
        "--tls-keylog",
        "ldaps-keylog.keylog",
        "ldaps-keylog.pcap",
    ]);
    assert!(text.contains("scp_search"), "{text}");
    for secret in ldaps_secrets() {
        for output in [&json, &err, &text, &text_err] {
            assert!(!output.contains(&secret), "a secret is printed");
        }
    }
}

#[test]
fn ldaps_lookup_with_its_key_log_completes_on_the_soap_settings() {
    let a = analyse_with_key_log("ldaps-keylog.pcap", "ldaps-keylog.keylog");
    assert_eq!(a.chains.len(), 1);
    let chain = &a.chains[0];
    assert_eq!(chain.status, ChainStatus::Complete, "{:?}", chain.cause);
    assert!(chain.cause.is_none(), "{:?}", chain.cause);
}

/// The StartTLS lookups (samples/lab/scenarios-starttls-keylog.sh), one per client: without
/// their key log only the StartTLS exchanges are clear (the `check` expectations pin "no chain",
/// one directory session); with it the bind, RootDSE and SCP search are read from the TLS that
/// follows the extended response on the same connection, and the chain completes.
#[test]
fn scp_search_after_starttls_is_read_with_its_key_log_for_both_clients() {
    for name in ["starttls-ldap3-keylog", "starttls-openldap-keylog"] {
        let clear = analyze_paths(
            &[samples().join(format!("{name}.pcap"))],
            &Default::default(),
        )
        .0
        .expect("an analysis");
        assert!(clear.chains.is_empty(), "{name}: {:?}", clear.chains);

        let a = analyse_with_key_log(&format!("{name}.pcap"), &format!("{name}.keylog"));
        assert_eq!(a.chains.len(), 1, "{name}");
        let chain = &a.chains[0];
        assert_eq!(
            chain.status,
            ChainStatus::Complete,
            "{name}: {:?}",
            chain.cause
        );
        let stage = |kind: StageKind| {
            chain
                .stages
                .iter()
                .find(|s| s.kind == kind)
                .unwrap_or_else(|| panic!("{name}: stage {kind:?}"))
        };
        let detail = |kind: StageKind, key: &str| {
            stage(kind)
                .detail
                .iter()
                .find(|(k, _)| *k == key)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        for kind in [
            StageKind::LdapBind,
            StageKind::Rootdse,
            StageKind::ScpSearch,
        ] {
            assert_eq!(stage(kind).status, StageStatus::Ok, "{name}: {kind:?}");
            assert!(
                detail(kind, "decrypted").starts_with("decrypted with the TLS key log"),
                "{name}: {kind:?} {:?}",
                stage(kind).detail
            );
        }
        assert_eq!(
            detail(StageKind::LdapBind, "security layer"),
            "sealed (confidentiality), StartTLS",
            "{name}"
        );
        assert_eq!(
            detail(StageKind::ScpSearch, "url"),
            "https://mail.contoso.test/Autodiscover/Autodiscover.xml",
            "{name}"
        );
        assert_eq!(
            detail(StageKind::ScpSearch, "server"),
            "10.99.0.1:389",
            "{name}"
        );
    }
}
