//! `capdiag check` end to end through the binary: all pass, a changed pin fails with a readable
//! diff and exit 1, --bless round trip and count, JUnit XML, JSON (the three count alike), a
//! TOML error over its own lines, and a corrupt capture or nothing to check gives exit 2.

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

/// Two captures that pass, one whose expectation file is not valid TOML, one without pins.
fn mixed_dir(name: &str) -> PathBuf {
    let dir = workdir(
        name,
        &["complete.pcap", "scp-missing.pcap", "https-refused.pcap"],
    );
    std::fs::write(
        dir.join("nested/scp-missing.pcap.expect.toml"),
        "[[chain]]\nstatuss = \"broken\"\n",
    )
    .unwrap();
    std::fs::copy(
        samples().join("tls-untrusted.pcap"),
        dir.join("unpinned.pcap"),
    )
    .unwrap();
    dir
}

#[test]
fn text_json_and_junit_count_a_broken_expectation_file_alike() {
    let dir = mixed_dir("counts");
    let xml_path = dir.join("junit.xml");
    let (out, text) = check(&["--junit", xml_path.to_str().unwrap()], &dir);
    assert_eq!(out.status.code(), Some(2), "{text}");
    let line = "2 passed, 0 failed, 1 error, 1 skipped";
    assert_eq!(text.lines().last(), Some(line), "{text}");
    // docs/check.md shows this very line for this very case.
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/check.md")).unwrap();
    assert!(doc.contains(line), "docs/check.md does not show `{line}`");

    let (_, json) = check(&["--format", "json"], &dir);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let t = &doc["totals"];
    assert_eq!(
        (&t["passed"], &t["failed"], &t["errors"], &t["skipped"]),
        (
            &serde_json::json!(2),
            &serde_json::json!(0),
            &serde_json::json!(1),
            &serde_json::json!(1)
        ),
        "{t}"
    );

    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let xml = roxmltree::Document::parse(&xml).unwrap();
    let suite = xml
        .descendants()
        .find(|n| n.has_tag_name("testsuite"))
        .unwrap();
    assert_eq!(suite.attribute("tests"), Some("4"));
    assert_eq!(suite.attribute("failures"), Some("0"));
    assert_eq!(suite.attribute("errors"), Some("1"));
    assert_eq!(suite.attribute("skipped"), Some("1"));
}

#[test]
fn a_toml_error_keeps_its_line_breaks_in_text_json_and_junit() {
    let dir = mixed_dir("toml-lines");
    let (_, text) = check(&[], &dir);
    let error_at = text.find("ERROR").expect("an ERROR line");
    let block: Vec<&str> = text[error_at..].lines().take(5).collect();
    assert!(block[0].contains("scp-missing.pcap.expect.toml"), "{text}");
    assert!(
        block
            .iter()
            .any(|l| l.trim_start().starts_with("2 | statuss")),
        "the offending line on a line of its own: {text}"
    );
    assert!(
        block.iter().any(|l| l.trim_start().starts_with("| ^")),
        "the caret line: {text}"
    );
    let (_, json) = check(&["--format", "json"], &dir);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    let error = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .find_map(|r| r["error"].as_str())
        .expect("an error");
    assert!(error.contains("\n2 | statuss"), "{error}");
    let xml_path = dir.join("junit.xml");
    check(&["--junit", xml_path.to_str().unwrap()], &dir);
    let xml = std::fs::read_to_string(&xml_path).unwrap();
    let xml = roxmltree::Document::parse(&xml).unwrap();
    let e = xml.descendants().find(|n| n.has_tag_name("error")).unwrap();
    assert!(e.text().unwrap_or_default().contains("\n2 | statuss"));
}

#[test]
fn bless_says_how_many_files_it_wrote() {
    let dir = workdir("bless-count", &["tls-untrusted.pcap"]);
    std::fs::copy(samples().join("scp-stale-host.pcap"), dir.join("new.pcap")).unwrap();
    let (out, text) = check(&["--bless"], &dir);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert_eq!(
        text.lines().last(),
        Some("0 passed, 0 failed, 2 blessed (2 expectation files written)"),
        "{text}"
    );
    let (_, json) = check(&["--bless", "--format", "json"], &dir);
    let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["totals"]["blessed"], 2);
}

#[test]
fn a_directory_without_captures_is_an_error_not_a_pass() {
    let dir = workdir("none", &[]);
    std::fs::write(dir.join("notes.txt"), "not a capture").unwrap();
    let (out, text) = check(&[], &dir);
    assert_eq!(out.status.code(), Some(2), "{text}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no capture found"), "{err}");
    assert!(err.contains(dir.to_str().unwrap()), "{err}");
}

#[test]
fn captures_without_any_expectation_check_nothing_and_exit_2() {
    let dir = workdir("unpinned", &[]);
    std::fs::copy(samples().join("complete.pcap"), dir.join("a.pcap")).unwrap();
    let (out, text) = check(&[], &dir);
    assert_eq!(out.status.code(), Some(2), "{text}");
    assert_eq!(text.lines().last(), Some("0 passed, 0 failed, 1 skipped"));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nothing checked"), "{err}");
}
