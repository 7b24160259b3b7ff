//! The lab captures pinned WITH the secret that opens them (issue 17): samples/sasl-sealed-keytab.pcap
//! (Kerberos sign+seal, opened with the DC's exported keytab) and samples/ntlm-sealed.pcap (NTLM
//! sign+seal, opened with the account's password). Each is run through the real binary with its
//! secret file: the chain must be read through the sealed LDAP, the SCP search and its entry must
//! be in the JSON, the bind must name the secret that opened it, and the secret never shows.

use std::process::{Command, Output};

use serde_json::Value;

/// Exchange's keyword of a URL SCP (the SCP search's filter names it).
const SCP_URL_KEYWORD: &str = "77378F46-2C66-4aa9-A6A6-3E7A48B19596";
/// What the lab published as the SCP's serviceBindingInformation.
const SCP_URL: &str = "https://mail.contoso.test/Autodiscover/Autodiscover.xml";

fn capdiag(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(args)
        .output()
        .expect("capdiag runs")
}

fn stage<'a>(chain: &'a Value, id: &str) -> &'a Value {
    chain["stages"]
        .as_array()
        .expect("stages")
        .iter()
        .find(|s| s["stage"] == id)
        .unwrap_or_else(|| panic!("no {id} stage in {chain:#}"))
}

/// Runs `analyze` with the secret option on the sample and checks what every sealed sample
/// opened with its secret must show. Returns the ldap_bind stage's "decrypted" text and every
/// output (JSON and text, stdout and stderr) for the caller's secret checks.
fn analyze_with_secret(option: &str, secret: &str, sample: &str) -> (String, Vec<String>) {
    let json = capdiag(&["analyze", "--format", "json", option, secret, sample]);
    assert_eq!(
        json.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&json.stderr)
    );
    let doc: Value = serde_json::from_slice(&json.stdout).expect("JSON report");
    let chains = doc["chains"].as_array().expect("chains");
    assert_eq!(
        chains.len(),
        1,
        "one Autodiscover chain once the SCP search is read"
    );
    let chain = &chains[0];
    assert_eq!(chain["status"], "complete", "{chain:#}");
    assert_eq!(stage(chain, "scp_search")["status"], "ok");
    assert_eq!(stage(chain, "https")["status"], "ok");

    let scp = doc["ldap"]["searches"]
        .as_array()
        .expect("ldap.searches")
        .iter()
        .find(|s| {
            s["filter"].as_str().is_some_and(|f| {
                f.to_ascii_lowercase()
                    .contains(&SCP_URL_KEYWORD.to_ascii_lowercase())
            })
        })
        .expect("the sealed SCP search was read");
    assert_eq!(scp["result"]["name"], "success", "{scp:#}");
    let entries = scp["entries"].as_array().expect("entries");
    assert_eq!(entries.len(), 1, "{scp:#}");
    let sbi = entries[0]["attributes"]
        .as_object()
        .expect("attributes")
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("serviceBindingInformation"))
        .map(|(_, values)| values.clone())
        .expect("the entry's serviceBindingInformation");
    assert_eq!(sbi, serde_json::json!([SCP_URL]));

    let codes: Vec<&str> = chain["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter_map(|f| f["code"].as_str())
        .collect();
    assert!(!codes.contains(&"ldap.sealed"), "{codes:?}");

    let decrypted = stage(chain, "ldap_bind")["detail"]["decrypted"]
        .as_str()
        .expect("the bind says it was decrypted")
        .to_string();
    let text = capdiag(&["analyze", option, secret, sample]);
    assert_eq!(text.status.code(), Some(0));
    let outputs = [&json.stdout, &json.stderr, &text.stdout, &text.stderr]
        .iter()
        .map(|o| String::from_utf8_lossy(o).into_owned())
        .collect();
    (decrypted, outputs)
}

/// The key bytes of every entry of an MIT keytab (format 0x0502), as lower-case hex.
fn keytab_keys_hex(bytes: &[u8]) -> Vec<String> {
    fn u16_at(b: &[u8], at: usize) -> usize {
        usize::from(u16::from_be_bytes([b[at], b[at + 1]]))
    }
    assert_eq!(&bytes[..2], &[0x05, 0x02], "an MIT keytab");
    let mut keys = Vec::new();
    let mut at = 2;
    while at + 4 <= bytes.len() {
        let size = i32::from_be_bytes(bytes[at..at + 4].try_into().unwrap());
        at += 4;
        let end = at + usize::try_from(size.unsigned_abs()).unwrap();
        if size > 0 {
            let components = u16_at(bytes, at);
            let mut p = at + 2;
            p += 2 + u16_at(bytes, p); // realm
            for _ in 0..components {
                p += 2 + u16_at(bytes, p);
            }
            p += 4 + 4 + 1 + 2; // name type, timestamp, kvno8, enctype
            let len = u16_at(bytes, p);
            p += 2;
            keys.push(
                bytes[p..p + len]
                    .iter()
                    .map(|b| format!("{b:02x}"))
                    .collect(),
            );
        }
        at = end;
    }
    keys
}

#[test]
fn the_dcs_keytab_opens_the_kerberos_sealed_scp_search() {
    const SAMPLE: &str = "samples/sasl-sealed-keytab.pcap";
    const KEYTAB: &str = "samples/sasl-sealed-keytab.keytab";
    let (decrypted, outputs) = analyze_with_secret("--keytab", KEYTAB, SAMPLE);
    assert!(
        decrypted.starts_with("decrypted with keytab entry ldap/dc1.contoso.test@CONTOSO.TEST"),
        "{decrypted}"
    );
    let keys = keytab_keys_hex(&std::fs::read(KEYTAB).expect("the sample's keytab"));
    assert_eq!(keys.len(), 6, "aes256, aes128, rc4 for ldap/ and DC1$");
    for output in &outputs {
        for key in &keys {
            assert!(
                !output.to_ascii_lowercase().contains(key),
                "a key is never printed"
            );
        }
    }
}

#[test]
fn the_accounts_password_opens_the_ntlm_sealed_scp_search() {
    const SAMPLE: &str = "samples/ntlm-sealed.pcap";
    const PASSWORDS: &str = "samples/ntlm-sealed.passwords";
    let line = std::fs::read_to_string(PASSWORDS).expect("the sample's password file");
    let (account, password) = line
        .trim_end()
        .split_once(':')
        .expect("DOMAIN\\user:password");
    assert_eq!(account, "CONTOSO\\crmsvc");
    let (decrypted, outputs) = analyze_with_secret("--password-file", PASSWORDS, SAMPLE);
    assert_eq!(
        decrypted,
        "decrypted with the password file's password of CONTOSO\\crmsvc; the LDAP inside was read"
    );
    for output in &outputs {
        assert!(!output.contains(password), "the password is never printed");
    }
}

#[test]
fn a_user_at_realm_line_opens_the_ntlm_sealed_bind_of_that_account() {
    // The same account written the Kerberos way: the AUTHENTICATE says CONTOSO\crmsvc, the
    // realm's first label is CONTOSO. A wrong password for the user comes first in the file.
    const SAMPLE: &str = "samples/ntlm-sealed.pcap";
    let line = std::fs::read_to_string("samples/ntlm-sealed.passwords").expect("password file");
    let (_, password) = line.trim_end().split_once(':').expect("account:password");
    let dir = std::env::temp_dir().join(format!("capdiag-upn-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("upn.passwords");
    std::fs::write(
        &file,
        format!("crmsvc@contoso.test:not-it\ncrmsvc@CONTOSO.TEST:{password}\n"),
    )
    .expect("write the password file");
    let path = file.to_str().expect("utf-8 temp path");
    let (decrypted, outputs) = analyze_with_secret("--password-file", path, SAMPLE);
    assert_eq!(
        decrypted,
        "decrypted with the password file's password of CONTOSO\\crmsvc; the LDAP inside was read"
    );
    for output in &outputs {
        assert!(!output.contains(password), "the password is never printed");
    }
    std::fs::remove_dir_all(&dir).expect("clean up");
}
