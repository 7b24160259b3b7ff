//! Where a document states what the binary prints or does, compare the two: README's usage
//! and option table with `--help`, its completion shells with the parser's; docs/json.md with
//! the fields of the JSON documents of every sample (binds and secrets field by field);
//! docs/security.md's list of written files with every option whose help says it writes, and
//! its `forbid(unsafe_code)` with the crate roots; docs/causes.md's evidence of
//! `scp.sealed_no_url` with the frames the finding gives.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn capdiag(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(args)
        .current_dir(root())
        .output()
        .expect("capdiag runs");
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn samples() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(root().join("samples"))
        .expect("samples")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    v.sort();
    v
}

fn subcommands() -> Vec<String> {
    capdiag(&["--help"])
        .lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// The `--long` option a help line starts with (after `-q, ` when there is a short one).
fn option_of(line: &str) -> Option<String> {
    let t = line.trim_start();
    let t = match t.as_bytes() {
        [b'-', s, b',', b' ', ..] if *s != b'-' => &t[4..],
        _ => t,
    };
    let name: String = t
        .strip_prefix("--")?
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect();
    Some(format!("--{name}"))
}

/// (option, its help text) for every option of a subcommand's `--help`, short or long form.
fn options(sub: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in capdiag(&[sub, "--help"]).lines() {
        match option_of(line) {
            Some(opt) => out.push((opt, line.to_string())),
            None => {
                if let Some(last) = out.last_mut() {
                    last.1.push(' ');
                    last.1.push_str(line.trim());
                }
            }
        }
    }
    out
}

#[test]
fn readme_lists_every_analyze_option_and_subcommand_the_binary_has() {
    let readme = read("README.md");
    for (opt, _) in options("analyze") {
        if opt == "--help" {
            continue;
        }
        assert!(
            readme.contains(&format!("| `{opt}")) || readme.contains(&format!(", `{opt}")),
            "README's analyze table lacks {opt}"
        );
    }
    let usage = readme
        .split("## Usage")
        .nth(1)
        .and_then(|s| s.split("```").nth(1))
        .expect("README has a usage block");
    for sub in subcommands() {
        assert!(
            usage.contains(&format!("capdiag {sub}")),
            "README usage lacks {sub}"
        );
    }
    // `check` prints JSON too, and the README says so.
    assert!(options("check").iter().any(|(o, _)| o == "--format"));
    assert!(
        readme.contains("check --format json"),
        "README lacks check --format json"
    );
}

#[test]
fn readme_and_report_doc_name_every_completion_shell() {
    let help = capdiag(&["completions", "--help"]);
    let values = help
        .split("[possible values: ")
        .nth(1)
        .and_then(|s| s.split(']').next())
        .expect("possible values in completions --help");
    let shells: Vec<&str> = values.split(", ").collect();
    assert!(shells.len() >= 5, "{shells:?}");
    let readme = read("README.md");
    let usage_line = readme
        .lines()
        .find(|l| l.starts_with("capdiag completions "))
        .expect("README's usage shows capdiag completions");
    let mut listed: Vec<&str> = usage_line["capdiag completions ".len()..]
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .split('|')
        .collect();
    listed.sort();
    let mut want = shells.clone();
    want.sort();
    assert_eq!(listed, want, "README: {usage_line}");
    let report = read("docs/report.md");
    for shell in &shells {
        assert!(
            report.contains(&format!("completions {shell}")),
            "docs/report.md shows no install line for {shell}"
        );
    }
}

/// Every key path in a JSON value, arrays as `[]`; keys under free-form maps (a stage's
/// `detail`, an entry's `attributes`) are the data's, not the schema's, and are left out.
fn paths(v: &Value, at: &str, out: &mut std::collections::BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                let p = if at.is_empty() {
                    k.clone()
                } else {
                    format!("{at}.{k}")
                };
                out.insert(p.clone());
                if !(k == "detail" || (k == "attributes" && at.ends_with("entries[]"))) {
                    paths(x, &p, out);
                }
            }
        }
        Value::Array(a) => {
            for x in a {
                paths(x, &format!("{at}[]"), out);
            }
        }
        _ => {}
    }
}

fn last_key(path: &str) -> &str {
    path.rsplit('.').next().unwrap_or(path)
}

/// The text of docs/json.md between two markers.
fn between<'a>(doc: &'a str, from: &str, to: &str) -> &'a str {
    let start = doc
        .find(from)
        .unwrap_or_else(|| panic!("docs/json.md lacks {from}"));
    let rest = &doc[start..];
    let end = rest[from.len()..]
        .find(to)
        .map_or(rest.len(), |e| e + from.len());
    &rest[..end]
}

#[test]
fn json_doc_names_every_field_the_binary_prints() {
    let doc = read("docs/json.md");
    let mut all = std::collections::BTreeSet::new();
    for s in samples() {
        let s = s.to_str().unwrap();
        for args in [
            vec!["analyze", "--format", "json", s],
            vec!["analyze", "--format", "json", "--show-secrets", s],
        ] {
            let v: Value = serde_json::from_str(&capdiag(&args)).expect("a JSON document");
            paths(&v, "", &mut all);
        }
    }
    assert!(all.contains("ldap.binds[].password") && all.contains("secrets[].kind"));
    for p in &all {
        let (quoted, code) = (format!("\"{}\"", last_key(p)), format!("`{}`", last_key(p)));
        assert!(
            doc.contains(&quoted) || doc.contains(&code),
            "docs/json.md never names {quoted} ({p})"
        );
    }
    // The two objects the doc once described short of a field, field by field in their place.
    let binds = between(&doc, "\"binds\": [", "\"searches\": [");
    let secrets = between(&doc, "## `secrets`", "\n## ");
    for p in &all {
        let key = format!("\"{}\"", last_key(p));
        if let Some(rest) = p.strip_prefix("ldap.binds[].")
            && !rest.contains('.')
        {
            assert!(binds.contains(&key), "docs/json.md's binds lack {key}");
        }
        if p.starts_with("secrets[].") {
            assert!(secrets.contains(&key), "docs/json.md's secrets lack {key}");
        }
    }
}

#[test]
fn security_doc_lists_every_option_that_writes_a_file() {
    let doc = read("docs/security.md");
    let mut writers = Vec::new();
    for sub in subcommands() {
        for (opt, help) in options(&sub) {
            if help.to_ascii_lowercase().contains("write") {
                writers.push(format!("{sub} {opt}"));
            }
        }
    }
    for w in [
        "analyze --html",
        "check --junit",
        "check --bless",
        "live --write",
        "man --dir",
    ] {
        assert!(
            writers.iter().any(|x| x == w),
            "{w} not found in --help: {writers:?}"
        );
    }
    for w in &writers {
        assert!(
            doc.contains(&format!("`{w}")),
            "docs/security.md does not say `{w}` writes"
        );
    }
    assert!(
        !doc.contains("no writes"),
        "docs/security.md still says capdiag writes nothing"
    );
}

#[test]
fn security_doc_forbid_unsafe_holds_for_the_library_and_the_binary() {
    let doc = read("docs/security.md");
    assert!(doc.contains("`#![forbid(unsafe_code)]`"));
    for root in [
        "src/lib.rs",
        "src/main.rs",
        "crates/wire/src/lib.rs",
        "crates/proto/src/lib.rs",
        "crates/engine/src/lib.rs",
        "crates/report/src/lib.rs",
        "crates/tui/src/lib.rs",
    ] {
        assert!(
            read(root)
                .lines()
                .any(|l| l.trim() == "#![forbid(unsafe_code)]"),
            "{root} is not forbid(unsafe_code) as docs/security.md says"
        );
    }
}

#[test]
fn causes_doc_evidence_of_sealed_no_url_is_what_the_finding_gives() {
    let v: Value = serde_json::from_str(&capdiag(&[
        "analyze",
        "--format",
        "json",
        "samples/sasl-sealed-scp-missing.pcap",
    ]))
    .expect("JSON");
    let findings = v["chains"][0]["findings"].as_array().expect("findings");
    let frames_of = |code: &str| {
        findings
            .iter()
            .find(|f| f["code"] == code)
            .map(|f| f["frames"].clone())
            .unwrap_or_else(|| panic!("no {code} finding"))
    };
    // The finding's frames are the sealed buffers alone, the first of each sealed connection
    // (which one carried the search cannot be read): the same as ldap.sealed's.
    let frames = frames_of("scp.sealed_no_url");
    assert_eq!(frames, serde_json::json!([48, 70]), "{frames}");
    assert_eq!(frames, frames_of("ldap.sealed"));
    // The doc says just that.
    let doc = read("docs/causes.md");
    let section = doc
        .split("## scp.sealed_no_url")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("a scp.sealed_no_url section");
    let evidence = section
        .lines()
        .find_map(|l| l.strip_prefix("- **Evidence (frames):** "))
        .expect("an evidence line");
    assert!(
        evidence.starts_with("the first sealed LDAP buffer of each sealed connection"),
        "{evidence}"
    );
    assert!(
        !evidence.contains(" and the first failure"),
        "the doc claims a second frame the finding does not give: {evidence}"
    );
}
