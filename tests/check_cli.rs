//! `capdiag check` end to end through the binary: all pass, a changed pin fails with a readable
//! diff and exit 1, --bless round trip, JUnit XML, JSON, and a corrupt capture gives exit 2.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

/// A fresh directory with copies of the named samples and their expectation files.
fn workdir(name: &str, with: &[&str]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capdiag-check-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("nested")).unwrap();
    for (i, s) in with.iter().enumerate() {
        let target = if i == 0 {
            dir.clone()
        } else {
            dir.join("nested")
        };
        std::fs::copy(samples().join(s), target.join(s)).unwrap();
        let exp = format!("{s}.expect.toml");
        std::fs::copy(samples().join(&exp), target.join(&exp)).unwrap();
    }
    dir
}

fn check(args: &[&str], dir: &Path) -> (Output, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .arg("check")
        .args(args)
        .arg(dir)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    (out, text)
}

#[test]
fn all_pass_recursively_with_the_closing_line() {
    let dir = workdir(
        "pass",
        &["complete.pcap", "scp-missing.pcap", "https-refused.pcap"],
    );
    let (out, text) = check(&[], &dir);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(text.lines().last(), Some("3 passed, 0 failed"));
}

#[test]
fn a_changed_expectation_fails_with_the_diff_and_exit_1() {
    let dir = workdir("fail", &["scp-missing.pcap"]);
    let exp = dir.join("scp-missing.pcap.expect.toml");
    let text = std::fs::read_to_string(&exp)
        .unwrap()
        .replace("broken_at = \"scp_search\"", "broken_at = \"ldap_bind\"");
    std::fs::write(&exp, text).unwrap();
    let (out, text) = check(&[], &dir);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("FAIL"), "{text}");
    assert!(
        text.contains(
            "chain 10.99.0.2: broken_at: expected \"ldap_bind\", got \"scp_search\" (frames 29, 30)"
        ),
        "{text}"
    );
    assert_eq!(text.lines().last(), Some("0 passed, 1 failed"));
}

#[test]
fn a_capture_without_expectation_is_skipped_and_counted() {
    let dir = workdir("skip", &["complete.pcap"]);
    std::fs::copy(samples().join("https-refused.pcap"), dir.join("extra.pcap")).unwrap();
    let (out, text) = check(&[], &dir);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(text.lines().last(), Some("1 passed, 0 failed, 1 skipped"));
}

#[test]
fn bless_writes_expectations_that_then_pass_and_keeps_comments() {
    let dir = workdir("bless", &["tls-untrusted.pcap"]);
    std::fs::copy(samples().join("scp-stale-host.pcap"), dir.join("new.pcap")).unwrap();
    let (out, text) = check(&["--bless"], &dir);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let written = std::fs::read_to_string(dir.join("new.pcap.expect.toml")).unwrap();
    assert!(written.contains("broken_at = \"scp_url_dns\""), "{written}");
    assert!(written.contains("cause = \"dns.nxdomain\""), "{written}");
    let kept = std::fs::read_to_string(dir.join("tls-untrusted.pcap.expect.toml")).unwrap();
    assert!(kept.starts_with("# What capdiag must conclude"), "{kept}");
    assert!(kept.contains("cause = \"tls.alert.unknown_ca\""), "{kept}");
    let (out, text) = check(&[], &dir);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(text.lines().last(), Some("2 passed, 0 failed"));
}

#[test]
fn bless_refuses_a_capture_that_does_not_parse() {
    let dir = workdir("bless-bad", &[]);
    std::fs::write(dir.join("broken.pcap"), b"this is not a capture at all").unwrap();
    let (out, text) = check(&["--bless"], &dir);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(text.contains("broken.pcap"), "{text}");
    assert!(!dir.join("broken.pcap.expect.toml").exists());
}

#[test]
fn corrupt_capture_gives_exit_2_and_names_the_file() {
    let dir = workdir("corrupt", &["complete.pcap"]);
    std::fs::write(dir.join("corrupt.pcap"), b"\x00\x01garbage").unwrap();
    std::fs::write(
        dir.join("corrupt.pcap.expect.toml"),
        "[[chain]]\nstatus = \"complete\"\n",
    )
    .unwrap();
    let (out, text) = check(&[], &dir);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("ERROR") && text.contains("corrupt.pcap"),
        "{text}"
    );
}

#[test]
fn bad_expectation_file_gives_exit_2() {
    let dir = workdir("badexp", &["complete.pcap"]);
    std::fs::write(
        dir.join("complete.pcap.expect.toml"),
        "[[chain]]\nstatuss = 1\n",
    )
    .unwrap();
    let (out, text) = check(&[], &dir);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert!(
        text.contains("complete.pcap.expect.toml") && text.contains("statuss"),
        "{text}"
    );
}

#[test]
fn junit_is_well_formed_with_the_right_counts() {
    let dir = workdir("junit", &["complete.pcap", "scp-missing.pcap"]);
    let exp = dir.join("nested/scp-missing.pcap.expect.toml");
    let text = std::fs::read_to_string(&exp)
        .unwrap()
        .replace("scp.not_found", "scp.no_url");
    std::fs::write(&exp, text).unwrap();
    std::fs::copy(
        samples().join("https-refused.pcap"),
        dir.join("unpinned.pcap"),
    )
    .unwrap();
    let xml_path = dir.join("junit.xml");
    let (out, _) = check(&["--junit", xml_path.to_str().unwrap()], &dir);
    assert_eq!(out.status.code(), Some(1));
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let suite = doc
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("tests"), Some("3"));
    assert_eq!(suite.attribute("failures"), Some("1"));
    assert_eq!(suite.attribute("skipped"), Some("1"));
    let cases: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("testcase"))
        .collect();
    assert_eq!(cases.len(), 3);
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .unwrap();
    assert!(
        failure
            .text()
            .unwrap()
            .contains("cause: expected \"scp.no_url\", got \"scp.not_found\"")
    );
}

#[test]
fn json_output_for_machines() {
    let dir = workdir("json", &["complete.pcap"]);
    let (out, text) = check(&["--format", "json"], &dir);
    assert_eq!(out.status.code(), Some(0));
    let doc: serde_json::Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["schema"], "capdiag-check/1");
    assert_eq!(doc["results"][0]["outcome"], "passed");
    assert_eq!(doc["totals"]["passed"], 1);
}
