//! `--password-file` and `--keytab` on the command line (docs/security.md): the real Samba
//! capture whose LDAP is Kerberos-sealed (samples/sasl-sealed.pcap, GSSAPI sign+seal) read with
//! the lab account's password, a wrong password, and unreadable secret files.

use std::process::Command;

use serde_json::Value;

fn capdiag(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(args)
        .output()
        .expect("capdiag runs")
}

fn password_file(name: &str, text: &str) -> String {
    let path = std::env::temp_dir().join(format!("capdiag-{name}-{}.txt", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path.display().to_string()
}

const SAMPLE: &str = "samples/sasl-sealed.pcap";

/// `analyze --format json --password-file FILE` on the sample: the run and its document.
fn json_with_passwords(file: &str) -> (std::process::Output, Value) {
    let out = capdiag(&[
        "analyze",
        "--format",
        "json",
        "--password-file",
        file,
        SAMPLE,
    ]);
    let doc = serde_json::from_slice(&out.stdout).expect("a JSON document");
    (out, doc)
}
const PASSWORD: &str = "Crm-Svc-Pw1!";

#[test]
fn the_accounts_password_opens_the_sealed_scp_search_and_says_so() {
    let file = password_file("right", &format!("crmsvc@CONTOSO.TEST:{PASSWORD}\n"));
    let (out, doc) = json_with_passwords(&file);
    let chain = &doc["chains"][0];
    assert_eq!(chain["status"], "complete", "{chain:#}");
    let stage = |id: &str| {
        chain["stages"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["stage"] == id)
            .unwrap()
            .clone()
    };
    assert_eq!(stage("scp_search")["status"], "ok");
    let scp_read = stage("scp_search")["detail"]["decrypted"]
        .as_str()
        .map(str::to_string);
    assert!(
        scp_read
            .as_deref()
            .is_some_and(|d| d.starts_with("decrypted with the password file")),
        "the SCP stage says its evidence was decrypted: {scp_read:?}"
    );
    let bind = stage("ldap_bind");
    let how = bind["detail"]["decrypted"]
        .as_str()
        .expect("the bind says it was decrypted");
    assert!(how.starts_with("decrypted with the password file"), "{how}");
    let codes: Vec<&str> = chain["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(
        !codes.contains(&"ldap.sealed"),
        "a layer that was read is not unreadable: {codes:?}"
    );
    let text = capdiag(&["analyze", "--password-file", &file, SAMPLE]);
    for output in [&out.stdout, &text.stdout, &out.stderr, &text.stderr] {
        assert!(
            !String::from_utf8_lossy(output).contains(PASSWORD),
            "the password is never printed"
        );
    }
    assert_eq!(out.status.code(), Some(0));
}

#[test]
fn a_wrong_password_leaves_the_capture_as_it_is_without_secrets() {
    let plain: Value =
        serde_json::from_slice(&capdiag(&["analyze", "--format", "json", SAMPLE]).stdout).unwrap();
    let file = password_file("wrong", "crmsvc@CONTOSO.TEST:not-the-password\n");
    let (out, doc) = json_with_passwords(&file);
    assert_eq!(doc["chains"], plain["chains"]);
    let warnings = doc["inputs"][0]["warnings"].to_string();
    assert!(
        warnings.contains("nothing given opens the ticket for ldap/dc1.contoso.test@CONTOSO.TEST"),
        "a wrong secret is a warning that names the ticket it could not open: {warnings}"
    );
    assert_eq!(doc["directory_sessions"].as_array().map(Vec::len), Some(1));
    assert!(!String::from_utf8_lossy(&out.stdout).contains("not-the-password"));
}

#[test]
fn an_unreadable_secret_file_is_an_input_error_naming_it() {
    let missing = "/nonexistent/capdiag-passwords.txt";
    let out = capdiag(&["analyze", "--password-file", missing, SAMPLE]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(missing) && err.lines().count() == 1, "{err}");
    let not_a_keytab = password_file("bad-keytab", "this is no keytab");
    let out = capdiag(&["analyze", "--keytab", &not_a_keytab, SAMPLE]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&not_a_keytab));
}
