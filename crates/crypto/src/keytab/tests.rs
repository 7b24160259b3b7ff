//! Keytab reading tests: hand-built files for each field and error, and a fixture written by
//! MIT `ktutil` whose keys must equal string-to-key of the password it was given.

use super::*;
use crate::kerberos::{Etype, default_salt, string_to_key};

/// The password `ktutil addent -password` was given for tests/fixtures/ktutil-http-web.keytab
/// (HTTP/web.example.com@EXAMPLE.COM, kvno 3, aes256, aes128 and arcfour-hmac).
const FIXTURE_PASSWORD: &str = "FixturePass1";
const FIXTURE: &[u8] = include_bytes!("../../tests/fixtures/ktutil-http-web.keytab");

/// One 0x0502 record: HTTP/web@EXAMPLE.COM, name type 3, kvno8 5, etype 23, 16 key bytes.
fn record_v2(kvno_32: Option<u32>) -> Vec<u8> {
    let mut body = vec![0, 2];
    for text in ["EXAMPLE.COM", "HTTP", "web"] {
        body.extend((text.len() as u16).to_be_bytes());
        body.extend(text.as_bytes());
    }
    body.extend(3u32.to_be_bytes());
    body.extend(0x5f00_0000u32.to_be_bytes());
    body.push(5);
    body.extend(23u16.to_be_bytes());
    body.extend(16u16.to_be_bytes());
    body.extend([0x11; 16]);
    if let Some(kvno) = kvno_32 {
        body.extend(kvno.to_be_bytes());
    }
    let mut record = (body.len() as i32).to_be_bytes().to_vec();
    record.extend(body);
    record
}

#[test]
fn version_0502_entries_with_and_without_the_32_bit_kvno() {
    let mut file = vec![5, 2];
    file.extend(record_v2(None));
    file.extend(record_v2(Some(300)));
    file.extend(record_v2(Some(0)));
    let entries = parse_keytab(&file).unwrap();
    assert_eq!(entries.len(), 3);
    let first = &entries[0];
    assert_eq!(first.principal.to_string(), "HTTP/web@EXAMPLE.COM");
    assert_eq!(first.principal.name_type, Some(3));
    assert_eq!(first.timestamp, 0x5f00_0000);
    assert_eq!((first.kvno, first.etype), (5, 23));
    assert_eq!(first.key().unwrap().etype(), Etype::Rc4Hmac);
    assert_eq!(entries[1].kvno, 300, "the 32-bit kvno wins when present");
    assert_eq!(
        entries[2].kvno, 5,
        "a zero 32-bit kvno falls back to the 8-bit one"
    );
}

#[test]
fn holes_are_skipped_and_a_zero_size_ends_the_file() {
    let mut file = vec![5, 2];
    file.extend((-6i32).to_be_bytes());
    file.extend([0; 6]);
    file.extend(record_v2(None));
    file.extend(0i32.to_be_bytes());
    file.extend([0xde, 0xad]);
    let entries = parse_keytab(&file).unwrap();
    assert_eq!(entries.len(), 1);
}

#[test]
fn version_0501_is_little_endian_and_counts_the_realm_as_a_component() {
    let mut body = 2u16.to_le_bytes().to_vec(); // realm + one component
    for text in ["EXAMPLE.COM", "alice"] {
        body.extend((text.len() as u16).to_le_bytes());
        body.extend(text.as_bytes());
    }
    body.extend(7u32.to_le_bytes());
    body.push(2);
    body.extend(17u16.to_le_bytes());
    body.extend(16u16.to_le_bytes());
    body.extend([0x22; 16]);
    let mut file = vec![5, 1];
    file.extend((body.len() as i32).to_le_bytes());
    file.extend(body);
    let entries = parse_keytab(&file).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(entries[0].principal.to_string(), "alice@EXAMPLE.COM");
    assert_eq!(entries[0].principal.name_type, None);
    assert_eq!(
        (entries[0].timestamp, entries[0].kvno, entries[0].etype),
        (7, 2, 17)
    );
}

#[test]
fn bad_version_truncation_and_empty_principal_are_typed_errors() {
    assert_eq!(
        parse_keytab(&[4, 2, 0, 0]).unwrap_err(),
        KeytabError::BadVersion(4, 2)
    );
    assert!(matches!(
        parse_keytab(&[5]),
        Err(KeytabError::Truncated {
            what: "version",
            ..
        })
    ));
    let mut file = vec![5, 2];
    file.extend(record_v2(None));
    file.truncate(file.len() - 3);
    assert_eq!(
        parse_keytab(&file).unwrap_err(),
        KeytabError::Truncated {
            offset: 6,
            what: "entry",
            needed: 55,
            available: 52
        }
    );
    // A record whose size claims more fields than it holds is truncated inside the entry.
    let mut short = vec![5, 2];
    short.extend(4i32.to_be_bytes());
    short.extend([0, 1, 0, 9]);
    assert!(matches!(
        parse_keytab(&short),
        Err(KeytabError::Truncated {
            what: "realm",
            offset: 10,
            ..
        })
    ));
    let mut none = vec![5, 2];
    none.extend(2i32.to_be_bytes());
    none.extend([0, 0]);
    assert_eq!(
        parse_keytab(&none).unwrap_err(),
        KeytabError::NoComponents(6)
    );
}

#[test]
fn debug_shows_principal_kvno_and_etype_only() {
    let mut file = vec![5, 2];
    file.extend(record_v2(None));
    let shown = format!("{:?}", parse_keytab(&file).unwrap()[0]);
    assert!(
        shown.contains("HTTP/web@EXAMPLE.COM") && shown.contains("kvno: 5"),
        "{shown}"
    );
    assert!(
        !shown.contains("17") && !shown.contains("0x11") && !shown.contains("key"),
        "{shown}"
    );
}

/// The fixture's keys are what RFC 3962 / RFC 4757 string-to-key makes of its password with
/// the default salt: our reader and our key derivation agree with MIT's.
#[test]
fn ktutil_fixture_keys_equal_string_to_key_of_its_password() {
    let entries = parse_keytab(FIXTURE).unwrap();
    let etypes: Vec<i32> = entries.iter().map(|e| e.etype).collect();
    assert_eq!(etypes, [18, 17, 23]);
    for entry in &entries {
        assert_eq!(
            entry.principal.to_string(),
            "HTTP/web.example.com@EXAMPLE.COM"
        );
        assert_eq!(entry.principal.name_type, Some(1));
        assert_eq!(entry.kvno, 3);
        let components: Vec<&str> = entry
            .principal
            .components
            .iter()
            .map(String::as_str)
            .collect();
        let salt = default_salt(&entry.principal.realm, &components);
        let key = entry.key().unwrap();
        let derived = string_to_key(key.etype(), FIXTURE_PASSWORD, &salt, None).unwrap();
        assert_eq!(derived, key, "{}", key.etype());
        let wrong = string_to_key(key.etype(), "FixturePass2", &salt, None).unwrap();
        assert_ne!(wrong, key);
    }
}

/// Builds a fresh keytab with MIT `ktutil` when it is installed; says so when it is not.
#[test]
fn ktutil_written_keytab_round_trips_when_ktutil_is_installed() {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let ktutil = std::path::Path::new("/usr/bin/ktutil");
    if !ktutil.exists() {
        eprintln!("SKIPPED ktutil_written_keytab_round_trips: /usr/bin/ktutil is not installed");
        return;
    }
    let dir = std::env::temp_dir().join(format!("capdiag-keytab-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("alice.keytab");
    let _ = std::fs::remove_file(&path);
    let script = format!(
        "addent -password -p alice@LAB.TEST -k 7 -e aes128-cts-hmac-sha1-96\nWonderland9\nwkt {}\nq\n",
        path.display()
    );
    let mut child = Command::new(ktutil)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    assert!(child.wait().unwrap().success());
    let entries = parse_keytab(&std::fs::read(&path).unwrap()).unwrap();
    std::fs::remove_dir_all(&dir).unwrap();
    assert_eq!(entries.len(), 1);
    assert_eq!(
        (entries[0].principal.to_string(), entries[0].kvno),
        ("alice@LAB.TEST".to_string(), 7)
    );
    let expected = string_to_key(
        Etype::Aes128CtsHmacSha1,
        "Wonderland9",
        b"LAB.TESTalice",
        None,
    )
    .unwrap();
    assert_eq!(entries[0].key().unwrap(), expected);
}
