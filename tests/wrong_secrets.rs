//! A deliberately wrong secret (issue 17: "with the wrong secret the report says which keys
//! were tried and that nothing decrypted, a warning, not an error"): each sealed sample is run
//! with a secret file this test writes into a temp dir — a wrong password, an account the
//! capture does not show, a keytab whose keys (or principals) are not the ticket's, a key log
//! of other client randoms. The warning must name the accounts or entries and the frames, the
//! exit code stays what it is without secrets, no password or key text appears in any output,
//! and with the right secret there is no such warning.

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::Value;

const KRB_SAMPLE: &str = "samples/sasl-sealed-keytab.pcap";
const KRB_KEYTAB: &str = "samples/sasl-sealed-keytab.keytab";
const KRB_PASSWORD_SAMPLE: &str = "samples/sasl-sealed.pcap";
const NTLM_SAMPLE: &str = "samples/ntlm-sealed.pcap";
const TLS_SAMPLE: &str = "samples/https-keylog-tls12.pcap";
const TLS_KEYLOG: &str = "samples/https-keylog-tls12.keylog";
/// A password no lab account has, so it must never be printed back.
const WRONG_PASSWORD: &str = "Wrong-Pw-7431!";

/// A fresh temp dir for one test's secret files.
fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capdiag-wrong-{test}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

fn capdiag(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(args)
        .output()
        .expect("capdiag runs")
}

/// The run's warnings (JSON) and every output of a JSON and a text run, after checking both
/// exit as the run without secrets does.
fn run(option: &str, secret: &str, sample: &str) -> (Vec<String>, String) {
    let without = capdiag(&["analyze", sample]).status.code();
    let json = capdiag(&["analyze", "--format", "json", option, secret, sample]);
    let text = capdiag(&["analyze", option, secret, sample]);
    assert_eq!(json.status.code(), without, "a wrong secret is no error");
    assert_eq!(text.status.code(), without);
    let doc: Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    let warnings = doc["inputs"][0]["warnings"]
        .as_array()
        .expect("warnings")
        .iter()
        .filter_map(|w| w.as_str().map(str::to_string))
        .collect();
    let all = [&json.stdout, &json.stderr, &text.stdout, &text.stderr]
        .iter()
        .map(|o| String::from_utf8_lossy(o).into_owned())
        .collect::<Vec<_>>()
        .join("\n");
    (warnings, all)
}

/// The one warning that contains `needle`.
fn warning_with<'a>(warnings: &'a [String], needle: &str) -> &'a str {
    warnings
        .iter()
        .find(|w| w.contains(needle))
        .unwrap_or_else(|| panic!("no warning with {needle:?} in {warnings:#?}"))
}

/// Offsets in an MIT keytab (0x0502) of each entry's first name component and its key bytes.
struct EntrySpans {
    first_component: usize,
    key: std::ops::Range<usize>,
}

fn entry_spans(bytes: &[u8]) -> Vec<EntrySpans> {
    let be16 = |at: usize| usize::from(u16::from_be_bytes([bytes[at], bytes[at + 1]]));
    let mut spans = Vec::new();
    let mut at = 2;
    while at + 4 <= bytes.len() {
        let size = i32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
        let start = at + 4;
        at = start + usize::try_from(size.unsigned_abs()).unwrap();
        if size <= 0 {
            continue;
        }
        let count = be16(start);
        let realm_len = be16(start + 2);
        let first_component = start + 4 + realm_len;
        let mut p = first_component;
        for _ in 0..count {
            p += 2 + be16(p);
        }
        // name type (4), timestamp (4), kvno8 (1), enctype (2), key length (2).
        let key_len = be16(p + 11);
        let key = p + 13..p + 13 + key_len;
        spans.push(EntrySpans {
            first_component: first_component + 2,
            key,
        });
    }
    spans
}

/// The sample's keytab with every key inverted and, when `rename`, every principal's first
/// name letter changed: "wrong key" or "no entry for this principal".
fn altered_keytab(dir: &std::path::Path, rename: bool) -> (String, Vec<String>) {
    let mut bytes = std::fs::read(KRB_KEYTAB).expect("the sample's keytab");
    assert_eq!(&bytes[..2], &[0x05, 0x02], "an MIT keytab");
    let spans = entry_spans(&bytes);
    assert_eq!(spans.len(), 6, "aes256, aes128, rc4 for ldap/ and DC1$");
    let mut keys_hex = Vec::new();
    for span in &spans {
        for b in &mut bytes[span.key.clone()] {
            *b ^= 0xff;
        }
        keys_hex.push(
            bytes[span.key.clone()]
                .iter()
                .map(|b| format!("{b:02x}"))
                .collect(),
        );
        if rename {
            bytes[span.first_component] = b'x';
        }
    }
    let path = dir.join(if rename {
        "other.keytab"
    } else {
        "wrong.keytab"
    });
    std::fs::write(&path, &bytes).expect("write keytab");
    (path.display().to_string(), keys_hex)
}

#[test]
fn a_keytab_with_the_tickets_entry_but_a_wrong_key_says_so() {
    let dir = temp_dir("keytab");
    let (keytab, keys) = altered_keytab(&dir, false);
    let (warnings, all) = run("--keytab", &keytab, KRB_SAMPLE);
    let warning = warning_with(&warnings, "nothing given opens the ticket");
    assert!(
        warning.contains(
            "ldap/dc1.contoso.test@CONTOSO.TEST (etype 18, kvno 1) in the AP-REQ of frame 50"
        ),
        "{warning}"
    );
    assert!(
        warning.contains(
            "keytab entry ldap/dc1.contoso.test@CONTOSO.TEST kvno 1 etype 18 is present but \
             does not decrypt the ticket (wrong key)"
        ),
        "{warning}"
    );
    assert!(
        warning.contains("DC1$@CONTOSO.TEST kvno 1 etype 18"),
        "{warning}"
    );
    for key in &keys {
        assert!(!all.to_ascii_lowercase().contains(key), "a key is printed");
    }

    let (keytab, keys) = altered_keytab(&dir, true);
    let (warnings, all) = run("--keytab", &keytab, KRB_SAMPLE);
    let warning = warning_with(&warnings, "nothing given opens the ticket");
    assert!(
        warning.contains(
            "the keytab has no entry for ldap/dc1.contoso.test@CONTOSO.TEST kvno 1 etype 18 \
             (2 entries of etype 18 tried, none decrypts it)"
        ),
        "{warning}"
    );
    assert!(
        warning.contains("xdap/dc1.contoso.test@CONTOSO.TEST kvno 1 etype 18"),
        "{warning}"
    );
    for key in &keys {
        assert!(!all.to_ascii_lowercase().contains(key), "a key is printed");
    }
    std::fs::remove_dir_all(&dir).unwrap();

    let (warnings, _) = run("--keytab", KRB_KEYTAB, KRB_SAMPLE);
    assert!(
        !warnings.iter().any(|w| w.contains("nothing given opens")),
        "the right keytab warns of nothing: {warnings:?}"
    );
}

#[test]
fn a_wrong_kerberos_password_names_the_account_the_as_rep_and_its_salt() {
    let dir = temp_dir("krb-password");
    let wrong = dir.join("wrong.txt");
    std::fs::write(&wrong, format!("crmsvc@CONTOSO.TEST:{WRONG_PASSWORD}\n")).unwrap();
    let (warnings, all) = run(
        "--password-file",
        &wrong.display().to_string(),
        KRB_PASSWORD_SAMPLE,
    );
    let warning = warning_with(&warnings, "nothing given opens the ticket");
    assert!(
        warning.contains(
            "the password file's crmsvc@CONTOSO.TEST (etype 18, salt from PA-ETYPE-INFO2 in \
             frame 18) did not open the AS-REP enc-part in frame 18 (wrong password)"
        ),
        "{warning}"
    );
    assert!(warning.contains("in the AP-REQ of frame 40"), "{warning}");
    assert!(!all.contains(WRONG_PASSWORD), "the password is printed");

    let other = dir.join("other.txt");
    std::fs::write(
        &other,
        format!("alice@CONTOSO.TEST:{WRONG_PASSWORD}\nCONTOSO\\bob:{WRONG_PASSWORD}\n"),
    )
    .unwrap();
    let (warnings, all) = run("--password-file", &other.display().to_string(), KRB_SAMPLE);
    let warning = warning_with(&warnings, "nothing given opens the ticket");
    assert!(
        warning.contains(
            "the password file has no password for crmsvc@CONTOSO.TEST, the client of the \
             AS-REP in frame 27; it has lines for alice@CONTOSO.TEST, CONTOSO\\bob"
        ),
        "{warning}"
    );
    assert!(!all.contains(WRONG_PASSWORD), "the password is printed");

    // The lab account's password (tests/ldap_decrypt_cli.rs) opens it: no such warning.
    let right = dir.join("right.txt");
    std::fs::write(&right, "crmsvc@CONTOSO.TEST:Crm-Svc-Pw1!\n").unwrap();
    let (warnings, _) = run(
        "--password-file",
        &right.display().to_string(),
        KRB_PASSWORD_SAMPLE,
    );
    assert!(
        !warnings.iter().any(|w| w.contains("nothing given opens")),
        "the right password warns of nothing: {warnings:?}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_ntlm_password_file_says_whether_it_had_the_user_and_whether_the_password_fit() {
    let dir = temp_dir("ntlm");
    let wrong = dir.join("wrong.txt");
    std::fs::write(&wrong, format!("CONTOSO\\crmsvc:{WRONG_PASSWORD}\n")).unwrap();
    let (warnings, all) = run("--password-file", &wrong.display().to_string(), NTLM_SAMPLE);
    let warning = warning_with(&warnings, "no keys for the sealed SASL layer");
    assert!(
        warning.contains(
            "the password file's password for CONTOSO\\crmsvc is wrong: it does not give the \
             NTProofStr of the AUTHENTICATE in frame 20"
        ),
        "{warning}"
    );
    assert!(!all.contains(WRONG_PASSWORD), "the password is printed");

    let other = dir.join("other.txt");
    std::fs::write(&other, format!("CONTOSO\\bob:{WRONG_PASSWORD}\n")).unwrap();
    let (warnings, all) = run("--password-file", &other.display().to_string(), NTLM_SAMPLE);
    let warning = warning_with(&warnings, "no keys for the sealed SASL layer");
    assert!(
        warning.contains(
            "the password file has no password for CONTOSO\\crmsvc (the AUTHENTICATE of frame \
             20); it has lines for CONTOSO\\bob"
        ),
        "{warning}"
    );
    assert!(!all.contains(WRONG_PASSWORD), "the password is printed");
    std::fs::remove_dir_all(&dir).unwrap();

    let (warnings, _) = run(
        "--password-file",
        "samples/ntlm-sealed.passwords",
        NTLM_SAMPLE,
    );
    assert!(
        !warnings.iter().any(|w| w.contains("password file")),
        "the right password warns of nothing: {warnings:?}"
    );
}

#[test]
fn a_key_log_of_other_client_randoms_names_the_session_it_lacks() {
    let dir = temp_dir("keylog");
    let log = std::fs::read_to_string(TLS_KEYLOG).expect("the sample's key log");
    let mut secrets = Vec::new();
    let other: String = log
        .lines()
        .map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let [label, _random, secret] = fields[..] else {
                panic!("{line}");
            };
            secrets.push(secret.to_ascii_lowercase());
            format!("{label} {} {secret}\n", "01".repeat(32))
        })
        .collect();
    let path = dir.join("other.keylog");
    std::fs::write(&path, other).unwrap();
    let (warnings, all) = run("--tls-keylog", &path.display().to_string(), TLS_SAMPLE);
    let warning = warning_with(&warnings, "tls: the key log has lines for");
    assert!(
        warning.contains(
            "the key log has lines for 1 client random, none that of the TLS session whose \
             ClientHello is in frame 4"
        ),
        "{warning}"
    );
    for secret in &secrets {
        assert!(
            !all.to_ascii_lowercase().contains(secret),
            "a secret is printed"
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();

    let (warnings, _) = run("--tls-keylog", TLS_KEYLOG, TLS_SAMPLE);
    assert!(
        !warnings.iter().any(|w| w.contains("key log")),
        "the right key log warns of nothing: {warnings:?}"
    );
}
