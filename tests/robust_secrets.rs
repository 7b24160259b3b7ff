//! Secrets never reach any output unless `--show-secrets` asks for simple-bind passwords.
//! `samples/bind-invalid-credentials.pcap` holds a real simple bind with the wrong password
//! `Wrong-Pw-1!`; the Kerberos and SASL samples hold tickets and NTLM/Kerberos tokens.
//!
//! Every output format is listed once in [`FORMATS`]: adding a renderer is one line there.

mod robust_support;

use std::io::Cursor;

use capdiag::analysis::{analyze, analyze_with};
use capdiag::capture::{CaptureReader, MergedCapture};
use capdiag::chain::ChainOptions;
use capdiag::proto::ldap::DecodeOptions;
use robust_support::{run, sample, samples};

/// Every `--format` the binary has.
const FORMATS: &[&str] = &["text", "json", "mermaid"];

const PASSWORD: &str = "Wrong-Pw-1!";
const BIND_SAMPLE: &str = "bind-invalid-credentials.pcap";

fn reader(name: &str) -> MergedCapture {
    let bytes = std::fs::read(sample(name)).expect("sample");
    let r = CaptureReader::from_read(name, Box::new(Cursor::new(bytes))).expect("capture");
    MergedCapture::new(vec![r])
}

/// The password in every spelling an output could use: plain, hex, escaped bytes, base64.
fn spellings() -> Vec<String> {
    let hex: String = PASSWORD.bytes().map(|b| format!("{b:02x}")).collect();
    let escaped: String = PASSWORD.bytes().map(|b| format!("\\{b:02x}")).collect();
    vec![
        PASSWORD.to_string(),
        hex.clone(),
        hex.to_uppercase(),
        escaped,
        "V3JvbmctUHctMSE".to_string(), // base64 of the password
    ]
}

/// Longest run of characters that could be an opaque token (hex or base64) in `s`.
fn longest_blob(s: &str) -> usize {
    let mut best = 0;
    let mut cur = 0;
    for c in s.chars() {
        if c.is_ascii_alphanumeric() || c == '+' || c == '/' || c == '=' {
            cur += 1;
            best = best.max(cur);
        } else {
            cur = 0;
        }
    }
    best
}

#[test]
fn the_capture_really_holds_the_password() {
    let bytes = std::fs::read(sample(BIND_SAMPLE)).unwrap();
    assert!(
        bytes
            .windows(PASSWORD.len())
            .any(|w| w == PASSWORD.as_bytes())
    );
}

#[test]
fn the_default_analysis_never_holds_a_password() {
    let a = analyze(reader(BIND_SAMPLE), &ChainOptions::default());
    assert!(a.secrets.is_empty());
    let everything = format!("{a:?}");
    for s in spellings() {
        assert!(!everything.contains(&s), "model holds {s}");
    }
    // the bind itself is there, with only the password's length
    assert!(everything.contains("password_len: 11"), "{everything}");
}

#[test]
fn asking_the_decoder_keeps_the_password_beside_the_model() {
    let keep = DecodeOptions {
        keep_simple_password: true,
    };
    let a = analyze_with(reader(BIND_SAMPLE), &ChainOptions::default(), keep);
    assert_eq!(a.secrets.len(), 1);
    assert_eq!(a.secrets[0].password.reveal(), PASSWORD.as_bytes());
    assert_eq!(a.secrets[0].name, "crmsvc@contoso.test");
    assert_eq!(a.secrets[0].frame, 12);
    // Debug output (logs, panics) still does not show it
    assert!(!format!("{:?}", a.secrets).contains(PASSWORD));
    assert!(!format!("{:?}", a.exchanges).contains(PASSWORD));
}

#[test]
fn no_output_format_shows_secrets_by_default() {
    for path in samples() {
        for format in FORMATS {
            let r = run(&["analyze", "--format", format, path.to_str().unwrap()]);
            assert!(
                matches!(r.code, 0 | 1),
                "{} {format}: {}",
                path.display(),
                r.stderr
            );
            let all = format!("{}{}", r.stdout, r.stderr);
            for s in spellings() {
                assert!(!all.contains(&s), "{} {format} shows {s}", path.display());
            }
            assert!(!all.contains("Secrets"), "{format}");
            // Kerberos tickets, NTLM responses and SPNEGO tokens are hundreds of bytes: no
            // output holds anything like them (the longest legitimate token is a SHA-1/256
            // fingerprint or a long DN component, well under 100 characters).
            assert!(
                longest_blob(&all) < 100,
                "{} {format}: opaque blob of {} chars",
                path.display(),
                longest_blob(&all)
            );
        }
    }
}

#[test]
fn show_secrets_prints_the_simple_bind_password_in_every_format() {
    let path = sample(BIND_SAMPLE);
    for format in FORMATS {
        let r = run(&[
            "analyze",
            "--show-secrets",
            "--format",
            format,
            path.to_str().unwrap(),
        ]);
        assert_eq!(r.code, 1, "{format}: {}", r.stderr);
        assert!(r.stdout.contains(PASSWORD), "{format}: {}", r.stdout);
        assert!(r.stdout.contains("crmsvc@contoso.test"), "{format}");
    }
}

#[test]
fn the_html_report_shows_the_password_only_when_asked() {
    let path = sample(BIND_SAMPLE);
    let dir = std::env::temp_dir().join(format!("capdiag-secrets-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for (flag, shown) in [(None, false), (Some("--show-secrets"), true)] {
        let html = dir.join(format!("report-{shown}.html"));
        let mut args = vec![
            "analyze",
            "--html",
            html.to_str().unwrap(),
            path.to_str().unwrap(),
        ];
        args.extend(flag);
        let r = run(&args);
        assert_eq!(r.code, 1, "{}", r.stderr);
        let page = std::fs::read_to_string(&html).unwrap();
        assert_eq!(page.contains(PASSWORD), shown, "--show-secrets {shown}");
        for s in spellings().into_iter().filter(|_| !shown) {
            assert!(!page.contains(&s), "html shows {s}");
        }
    }
}

#[test]
fn show_secrets_without_a_simple_bind_shows_none() {
    // complete-gssapi binds with Kerberos: there is no password to show, and tickets stay out.
    let path = sample("complete-gssapi.pcap");
    for format in FORMATS {
        let r = run(&[
            "analyze",
            "--show-secrets",
            "--format",
            format,
            path.to_str().unwrap(),
        ]);
        assert!(matches!(r.code, 0 | 1), "{format}");
        assert!(longest_blob(&r.stdout) < 100, "{format}");
    }
}
