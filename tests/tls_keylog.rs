//! HTTPS decrypted with a TLS key log: the lab captures of samples/lab/make-tls-keylog-samples.sh
//! (curl posting an Autodiscover POX request to nginx) read with their key log give the POST
//! and its 200 as HTTP exchanges marked decrypted, and a chain; without it nothing changes; a
//! key log that matches nothing is a warning; a pcapng's Decryption Secrets Block is used by
//! itself.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;

use capdiag::analysis::{Analysis, analyze_paths};
use capdiag::chain::{ChainOptions, ChainStatus};
use capdiag::crypto::keylog::KeyLog;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn keyed(keylog: Option<&str>) -> ChainOptions {
    ChainOptions {
        tls_key_log: keylog.map(|k| Arc::new(KeyLog::read(&samples().join(k)).unwrap())),
        ..Default::default()
    }
}

fn analyse(capture: &str, keylog: Option<&str>) -> Analysis {
    let (analysis, errors) = analyze_paths(&[samples().join(capture)], &keyed(keylog));
    assert!(errors.is_empty(), "{errors:?}");
    analysis.unwrap()
}

fn warnings(a: &Analysis) -> Vec<String> {
    a.warnings.iter().map(|w| w.to_string()).collect()
}

fn assert_decrypted_post(a: &Analysis, what: &str) {
    let http = &a.exchanges.http;
    assert_eq!(http.len(), 1, "{what}: {http:?} {:?}", warnings(a));
    let h = &http[0];
    assert!(h.decrypted, "{what}");
    assert_eq!(h.method, "POST");
    assert_eq!(h.target, "/autodiscover/autodiscover.xml");
    assert_eq!(h.host.as_deref(), Some("mail.contoso.test"));
    let (frame, status, _) = h.response.clone().expect("the response");
    assert_eq!(status, 200, "{what}");
    assert!(frame > h.frame);
    let tls = &a.exchanges.tls[0];
    assert!(tls.decrypted_records >= 2, "{what}: {tls:?}");
    // The decrypted request is the Autodiscover evidence: a chain that reached HTTPS.
    assert_eq!(a.chains.len(), 1, "{what}");
    assert_eq!(a.chains[0].client.to_string(), "10.99.0.2");
    assert_eq!(a.chains[0].status, ChainStatus::Complete, "{what}");
    assert!(warnings(a).is_empty(), "{what}: {:?}", warnings(a));
}

#[test]
fn tls13_capture_decrypts_with_its_key_log() {
    let a = analyse("https-keylog-tls13.pcap", Some("https-keylog-tls13.keylog"));
    assert_decrypted_post(&a, "TLS 1.3");
}

#[test]
fn tls12_capture_decrypts_with_its_key_log() {
    let a = analyse("https-keylog-tls12.pcap", Some("https-keylog-tls12.keylog"));
    assert_decrypted_post(&a, "TLS 1.2");
}

#[test]
fn tls12_cbc_encrypt_then_mac_capture_decrypts_with_its_key_log() {
    let a = analyse(
        "https-keylog-tls12-cbc.pcap",
        Some("https-keylog-tls12-cbc.keylog"),
    );
    assert_decrypted_post(&a, "TLS 1.2 CBC");
}

#[test]
fn pcapng_with_injected_secrets_decrypts_without_an_option() {
    let a = analyse("https-keylog-tls13-dsb.pcapng", None);
    assert_decrypted_post(&a, "pcapng DSB");
    // The secrets are kept in the input's metadata, and its Debug shows none of them.
    let secrets = &a.inputs[0].decryption_secrets;
    assert_eq!(secrets.len(), 1);
    let shown = format!("{:?}", a.inputs[0]);
    let keylog = std::fs::read_to_string(samples().join("https-keylog-tls13.keylog")).unwrap();
    let secret_hex = keylog.lines().next().unwrap().split(' ').nth(2).unwrap();
    assert!(!shown.contains(secret_hex), "{shown}");
}

#[test]
fn without_a_key_log_nothing_is_decrypted() {
    for capture in [
        "https-keylog-tls13.pcap",
        "https-keylog-tls12.pcap",
        "https-keylog-tls12-cbc.pcap",
    ] {
        let a = analyse(capture, None);
        assert!(a.exchanges.http.is_empty(), "{capture}");
        assert_eq!(a.exchanges.tls[0].decrypted_records, 0);
        assert!(a.exchanges.tls[0].client_app_records > 0);
        assert!(a.chains.is_empty(), "{capture}");
        assert!(warnings(&a).is_empty(), "{capture}: {:?}", warnings(&a));
    }
}

#[test]
fn a_key_log_for_other_connections_is_a_warning_not_an_error() {
    // The TLS 1.2 key log has one entry, for another connection than the TLS 1.3 capture's.
    let a = analyse("https-keylog-tls13.pcap", Some("https-keylog-tls12.keylog"));
    assert!(a.exchanges.http.is_empty());
    let w = warnings(&a);
    assert!(
        w.iter()
            .any(|w| w.contains("1 entry was tried, no connection decrypted")),
        "{w:?}"
    );
}

fn capdiag(args: &[&str]) -> (String, String, i32) {
    let out = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(args)
        .current_dir(samples())
        .output()
        .unwrap();
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
        out.status.code().unwrap(),
    )
}

#[test]
fn cli_reads_the_key_log_and_never_prints_a_secret() {
    let keylog = std::fs::read_to_string(samples().join("https-keylog-tls12.keylog")).unwrap();
    let secret_hex = keylog.split_whitespace().nth(2).unwrap().to_string();
    for format in ["text", "json"] {
        let (out, err, code) = capdiag(&[
            "analyze",
            "--format",
            format,
            "--tls-keylog",
            "https-keylog-tls12.keylog",
            "https-keylog-tls12.pcap",
        ]);
        assert_eq!(code, 0, "{format}: {out}{err}");
        assert!(out.contains("mail.contoso.test"), "{format}: {out}");
        assert!(!out.contains(&secret_hex) && !err.contains(&secret_hex));
    }
    let (out, _, code) = capdiag(&[
        "check",
        "--tls-keylog",
        "https-keylog-tls12.keylog",
        "https-keylog-tls12.pcap",
    ]);
    // The expectation pins the analysis without the key log (no chain): with it, a chain.
    assert_eq!(code, 1, "{out}");
}

#[test]
fn a_bad_key_log_is_an_input_error_naming_the_line_only() {
    let dir = std::env::temp_dir().join(format!("capdiag-keylog-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.keylog");
    let secret = "5ec2e7".repeat(16);
    std::fs::write(&bad, format!("# comment\nCLIENT_RANDOM zz {secret}\n")).unwrap();
    let capture = samples().join("https-keylog-tls12.pcap");
    let (out, err, code) = capdiag(&[
        "analyze",
        "--tls-keylog",
        bad.to_str().unwrap(),
        capture.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("line 2"), "{err}");
    assert!(!err.contains("5ec2e7") && !out.contains("5ec2e7"), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
    let _ = Path::new(&bad);
}

/// The lab nginx's certificate travels in the encrypted TLS 1.3 handshake; with the key log it
/// is read from the decrypted records and judged (what openssl shows of it: self-signed
/// CN=mail.contoso.test, SAN mail.contoso.test, 2026-12-07 01:03:04 to 2036-12-04 01:03:04).
#[test]
fn tls13_certificate_is_read_from_the_decrypted_handshake() {
    use capdiag::chain::StageKind;
    let a = analyse("https-keylog-tls13.pcap", Some("https-keylog-tls13.keylog"));
    let tls = &a.exchanges.tls[0];
    assert!(tls.certificate_decrypted, "{tls:?}");
    let (frame, chain) = tls.certificate.clone().expect("the certificate");
    assert_eq!((frame, chain.len()), (6, 1));
    let stage = a.chains[0]
        .stages
        .iter()
        .find(|s| s.kind == StageKind::TlsHandshake)
        .expect("the TLS stage");
    let detail = |k: &str| {
        stage
            .detail
            .iter()
            .find(|(name, _)| *name == k)
            .map(|(_, v)| v.clone())
    };
    assert!(
        detail("certificate read from").is_some_and(|v| v.contains("decrypted")),
        "{:?}",
        stage.detail
    );
    assert_eq!(
        detail("certificate subject").as_deref(),
        Some("CN=mail.contoso.test")
    );
    assert_eq!(
        detail("certificate valid").as_deref(),
        Some("2026-12-07 01:03:04 UTC to 2036-12-04 01:03:04 UTC")
    );
    let codes: Vec<&str> = stage.notes.iter().map(|c| c.code.as_str()).collect();
    assert_eq!(codes, ["tls.self_signed"]);
    // Without the key log the certificate stays unread.
    let clear = analyse("https-keylog-tls13.pcap", None);
    assert!(clear.exchanges.tls[0].certificate.is_none());
}
