//! Tests that need an outside program (tmux, Chromium) never pass without running: build.rs
//! sets `capdiag_skip_<tool>` when the program is missing and CI is not set, the test is then
//! `#[ignore]`d with the reason (cargo test counts and names it), and under CI it runs and fails.
//! Here: the cfg agrees with what is on PATH now, and each such test carries the attribute and
//! has no silent early return.

use std::path::Path;

fn on_path(names: &[&str]) -> bool {
    std::env::var_os("PATH").is_some_and(|path| {
        std::env::split_paths(&path).any(|d| names.iter().any(|n| d.join(n).is_file()))
    })
}

fn under_ci() -> bool {
    std::env::var_os("CI").is_some()
}

#[test]
fn the_skip_cfgs_match_the_tools_on_path() {
    let tmux = on_path(&["tmux"]);
    assert_eq!(
        cfg!(capdiag_skip_tmux),
        !tmux && !under_ci(),
        "tmux on PATH: {tmux}; rebuild the tests if it was installed or removed since"
    );
    let chromium = match std::env::var_os("CAPDIAG_CHROMIUM") {
        Some(p) => Path::new(&p).is_file(),
        None => on_path(&["chromium", "chromium-browser"]),
    };
    assert_eq!(
        cfg!(capdiag_skip_chromium),
        !chromium && !under_ci(),
        "chromium on PATH: {chromium}"
    );
}

#[test]
fn tool_tests_are_ignored_with_a_reason_rather_than_passed_when_skipped() {
    for (file, cfg) in [
        ("tests/tui_tmux.rs", "capdiag_skip_tmux"),
        ("tests/report_chromium.rs", "capdiag_skip_chromium"),
        ("tests/fleet_clickhouse.rs", "capdiag_skip_chdb"),
    ] {
        let src = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join(file))
            .expect("test source");
        assert!(
            src.contains(&format!("cfg_attr(\n    {cfg},\n    ignore = \"")),
            "{file}: its tool test is not #[cfg_attr({cfg}, ignore = \"reason\")]"
        );
        assert!(
            !src.contains("SKIPPED"),
            "{file}: still skips by printing and returning (shown as passed)"
        );
    }
}
