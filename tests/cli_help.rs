//! What `--help` says about arguments matches what the parser enforces: an argument shown
//! without brackets is required, one shown in brackets is not.

use std::process::{Command, Output};

fn capdiag(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(args)
        .output()
        .expect("capdiag runs")
}

#[test]
fn tui_help_shows_files_as_required_as_the_parser_does() {
    let help = String::from_utf8_lossy(&capdiag(&["tui", "--help"]).stdout).into_owned();
    assert!(help.contains("<FILES>..."), "{help}");
    assert!(!help.contains("[FILES]"), "{help}");
    // Without files (and without --live) the parser refuses: a usage error.
    let none = capdiag(&["tui"]);
    assert_eq!(none.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&none.stderr).contains("<FILES>"));
    // --live stands in for the files (this build may lack the feature: then it says so).
    let live = capdiag(&["tui", "--live", "lo", "--domain", "contoso.test"]);
    let err = String::from_utf8_lossy(&live.stderr);
    assert!(!err.contains("required arguments"), "{err}");
    // Files and --live together are refused.
    assert_eq!(
        capdiag(&["tui", "--live", "lo", "x.pcap"]).status.code(),
        Some(2)
    );
}

#[test]
fn analyze_help_shows_files_as_required() {
    let help = String::from_utf8_lossy(&capdiag(&["analyze", "--help"]).stdout).into_owned();
    assert!(help.contains("<FILES>..."), "{help}");
    assert_eq!(capdiag(&["analyze"]).status.code(), Some(2));
}
