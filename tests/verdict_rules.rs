//! The verdict rules of issue 12 on the binary and on the analysis of the lab samples: what the
//! options may not hide, which clients are chains, exit codes, and that no cause says a request
//! was never answered when its answer is in the capture.

mod report_support;

use std::process::Command;

use capdiag::analysis::analyze_paths;
use capdiag::chain::{ChainOptions, StageKind, StageStatus};
use report_support::{analyse, samples, samples_dir};

fn run(args: &[&str]) -> (String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("capdiag runs");
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        out.status.code().unwrap_or(-1),
    )
}

#[test]
fn a_domain_option_the_capture_contradicts_does_not_hide_the_failure() {
    let path = samples_dir().join("srv-nxdomain.pcap");
    let opts = ChainOptions {
        domain: Some("contoso.test".into()),
        smtp_domain: None,
        tls_key_log: None,
        ldap_secrets: None,
    };
    let (a, errors) = analyze_paths(&[path], &opts);
    assert!(errors.is_empty());
    let a = a.expect("analysis");
    let chain = &a.chains[0];
    assert_eq!(chain.domain.as_deref(), Some("missing.contoso.test"));
    assert_eq!(chain.broken_at, Some(StageKind::DcLocatorDns));
    assert!(
        chain
            .findings
            .iter()
            .any(|f| f.code == "dc.domain_not_in_capture" && f.frames == [1, 2]),
        "{:?}",
        chain.findings
    );
}

#[test]
fn email_declares_a_sealed_session_a_lookup_that_cannot_be_judged() {
    let (text, code) = run(&[
        "analyze",
        "--color",
        "never",
        "--email",
        "crmsvc@contoso.test",
        "samples/sasl-sealed.pcap",
    ]);
    assert_eq!(code, 1, "{text}");
    assert!(
        text.contains("INCOMPLETE: the SCP search is sealed and no later step is tied to it"),
        "{text}"
    );
    // Without the option it is a directory session, and nothing to judge.
    let (text, code) = run(&["analyze", "--color", "never", "samples/sasl-sealed.pcap"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("Directory session 10.99.0.2"), "{text}");
}

#[test]
fn directory_traffic_alone_exits_0_and_lists_its_searches() {
    let (text, code) = run(&["analyze", "--color", "never", "samples/directory-only.pcap"]);
    assert_eq!(code, 0, "{text}");
    assert!(text.starts_with("Capture samples/directory-only.pcap"));
    assert!(
        text.contains(
            "No Autodiscover lookup found: the capture holds directory traffic (1 client)"
        )
    );
    assert!(text.contains("Other LDAP searches:"), "{text}");
    assert!(text.contains("CN=Enrollment Services"), "{text}");
    let (json, _) = run(&["analyze", "--format", "json", "samples/directory-only.pcap"]);
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    assert_eq!(doc["chains"].as_array().map(Vec::len), Some(0));
    assert_eq!(doc["directory_sessions"][0]["client"], "10.99.0.2");
}

#[test]
fn a_failed_bind_ping_or_srv_exits_1_with_that_stage() {
    for (sample, stage) in [
        ("rootdse-anon-then-bind-fail", "ldap_bind"),
        ("ntlm-bind-abandoned", "ldap_bind"),
        ("srv-nxdomain", "dc_locator_dns"),
        ("kerberos-only-preauth-failed", "kerberos"),
    ] {
        let (text, code) = run(&[
            "analyze",
            "--color",
            "never",
            &format!("samples/{sample}.pcap"),
        ]);
        assert_eq!(code, 1, "{sample}: {text}");
        assert!(
            text.contains(&format!("BROKEN at {stage}")),
            "{sample}: {text}"
        );
    }
}

/// No finding says an LDAP request got no answer when the capture holds its answer.
#[test]
fn no_cause_says_never_answered_where_an_answer_is_in_the_capture() {
    for (name, path) in samples() {
        let a = analyse(&path);
        let answered: Vec<u64> = a
            .exchanges
            .ldap
            .iter()
            .filter(|l| l.result.is_some())
            .flat_map(|l| l.frames.iter().copied())
            .collect();
        let causes = a.chains.iter().flat_map(|c| {
            c.findings
                .iter()
                .chain(c.stages.iter().flat_map(|s| &s.cause))
        });
        for c in causes.filter(|c| c.code == "ldap.no_response") {
            let request = c.frames.iter().find(|f| answered.contains(f));
            assert!(
                request.is_none(),
                "{name}: {} while the request in frame {request:?} was answered",
                c.summary
            );
        }
    }
}

#[test]
fn an_unfinished_sasl_bind_is_neither_failed_nor_unanswered() {
    let a = analyse(&samples_dir().join("ntlm-bind-unfinished.pcap"));
    let chain = &a.chains[0];
    let bind = chain
        .stages
        .iter()
        .find(|s| s.kind == StageKind::LdapBind)
        .expect("bind stage");
    assert_eq!(bind.status, StageStatus::Unfinished);
    assert!(bind.cause.is_none());
    assert!(chain.findings.iter().all(|f| f.code != "ldap.no_response"));
}
