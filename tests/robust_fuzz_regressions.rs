//! Replays every input in tests/fuzz_regressions/ through the stage its fuzz target drives
//! (the file name starts with the target's name, e.g. `pipeline-<hash>`) and through the whole
//! pipeline: none may panic. New crashes found by scripts/fuzz.sh are added there.

mod robust_support;

use std::path::Path;

use capdiag::proto::{dns, ldap};
use robust_support::analyze_bytes;

fn replay(target: &str, data: &[u8]) {
    match target {
        "dns" => {
            let _ = dns::decode_dns(data);
        }
        "ldap" => {
            let _ = ldap::pdu_length(data);
            if let Ok(m) = ldap::decode_message(data)
                && let ldap::LdapOp::SearchRequest(s) = &m.op
            {
                let _ = s.filter.to_string();
            }
        }
        "cldap" => {
            let _ = ldap::decode_datagram(data);
        }
        _ => {}
    }
    let _ = analyze_bytes(data);
}

#[test]
fn every_kept_fuzz_finding_replays_without_panic() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz_regressions");
    let mut n = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/fuzz_regressions") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default();
        if name.starts_with('.') || name.ends_with(".md") {
            continue;
        }
        let target = name.split('-').next().unwrap_or_default();
        replay(target, &std::fs::read(&path).expect("read"));
        n += 1;
    }
    eprintln!("{n} regression inputs replayed");
}
