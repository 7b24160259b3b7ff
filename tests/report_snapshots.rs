//! Snapshots of the pictures: the Mermaid text of every sample and the SVG of three, compared
//! exactly with the reviewed files in tests/snapshots/. After an intended change, regenerate with
//! `CAPDIAG_UPDATE_SNAPSHOTS=1 cargo test --test report_snapshots`, then read the diff before
//! committing it: a snapshot is a reviewed expectation, not a recording.

mod report_support;

use std::path::PathBuf;

use capdiag::report::{mermaid, sequence::sequence, svg};
use report_support::{analyse, samples, samples_dir};

/// The samples whose SVG is kept: a break early (DNS), one mid-chain with fallbacks (TLS), and
/// one with sealed LDAP and Kerberos.
const SVG_SAMPLES: [&str; 3] = ["srv-nxdomain", "tls-untrusted", "sasl-sealed-scp-missing"];

fn check(name: &str, actual: &str) -> Result<(), String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("CAPDIAG_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(&path, actual).map_err(|e| format!("{}: {e}", path.display()))?;
        return Ok(());
    }
    let expected = std::fs::read_to_string(&path).map_err(|e| {
        format!(
            "{}: {e} (create it with CAPDIAG_UPDATE_SNAPSHOTS=1 and review it)",
            path.display()
        )
    })?;
    if expected == actual {
        return Ok(());
    }
    let first = expected
        .lines()
        .zip(actual.lines())
        .position(|(e, a)| e != a)
        .unwrap_or(expected.lines().count().min(actual.lines().count()));
    Err(format!(
        "{name} differs from its snapshot at line {}:\n  expected: {:?}\n  actual:   {:?}",
        first + 1,
        expected.lines().nth(first),
        actual.lines().nth(first)
    ))
}

#[test]
fn mermaid_of_every_sample_matches_its_snapshot() {
    let failures: Vec<String> = samples()
        .into_iter()
        .filter_map(|(name, path)| {
            check(&format!("{name}.mmd"), &mermaid::render(&analyse(&path))).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn svg_of_three_samples_matches_its_snapshot() {
    let failures: Vec<String> = SVG_SAMPLES
        .into_iter()
        .filter_map(|name| {
            let a = analyse(&samples_dir().join(format!("{name}.pcap")));
            let chain = a.chains.first()?;
            check(&format!("{name}.svg"), &svg::render(&sequence(&a, chain))).err()
        })
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
