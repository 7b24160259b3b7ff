//! Build script: looks for the programs three integration tests drive, tmux
//! (tests/tui_tmux.rs), Chromium (tests/report_chromium.rs) and Python's chdb package
//! (tests/fleet_clickhouse.rs, `capdiag_skip_chdb`). When one is missing and CI is
//! not set, it sets `capdiag_skip_tmux` / `capdiag_skip_chromium`, which `#[ignore]`s that test
//! with the reason: `cargo test` then counts it as ignored and says why, instead of passing it
//! silently. Under CI (CI set, as .ci/run does) the cfg is never set, so a missing tool fails the
//! test. It reruns when PATH, CI or CAPDIAG_CHROMIUM change, when a found tool changes or goes,
//! and when a PATH directory changes while a tool is missing (so installing it takes effect).

use std::path::PathBuf;

/// The first of `names` on PATH.
fn on_path(names: &[&str]) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| names.iter().map(move |n| dir.join(n)))
        .find(|p| p.is_file())
}

/// Sets `cfg` when none of `names` is found (and not under CI); watches what decides it.
fn tool(cfg: &str, found: Option<PathBuf>, ci: bool) {
    println!("cargo::rustc-check-cfg=cfg({cfg})");
    match found {
        Some(p) => println!("cargo::rerun-if-changed={}", p.display()),
        None => {
            if let Some(path) = std::env::var_os("PATH") {
                for dir in std::env::split_paths(&path).filter(|d| d.is_dir()) {
                    println!("cargo::rerun-if-changed={}", dir.display());
                }
            }
            if !ci {
                println!("cargo::rustc-cfg={cfg}");
            }
        }
    }
}

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed=PATH");
    println!("cargo::rerun-if-env-changed=CI");
    println!("cargo::rerun-if-env-changed=CAPDIAG_CHROMIUM");
    let ci = std::env::var_os("CI").is_some();
    tool("capdiag_skip_tmux", on_path(&["tmux"]), ci);
    let chromium = match std::env::var_os("CAPDIAG_CHROMIUM") {
        Some(p) => Some(PathBuf::from(p)).filter(|p| p.is_file()),
        None => on_path(&["chromium", "chromium-browser"]),
    };
    tool("capdiag_skip_chromium", chromium, ci);
    // tests/fleet_clickhouse.rs loads the events into chdb (embedded ClickHouse, from PyPI).
    println!("cargo::rustc-check-cfg=cfg(capdiag_skip_chdb)");
    println!("cargo::rerun-if-env-changed=PYTHONPATH");
    let chdb = std::process::Command::new("python3")
        .args(["-c", "import chdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !chdb && !ci {
        println!("cargo::rustc-cfg=capdiag_skip_chdb");
    }
}
