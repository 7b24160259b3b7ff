//! `capdiag tui` (and `analyze --tui`), on files or on a live capture.

use std::io::IsTerminal;
use std::process::ExitCode;

use capdiag::chain::ChainOptions;

use super::args::*;
use super::common::*;

pub(crate) fn tui(args: TuiArgs) -> ExitCode {
    let opts = match chain_options(args.domain, args.email.as_deref(), &args.secrets) {
        Ok(o) => o,
        Err(code) => return code,
    };
    if let Some(iface) = args.live {
        return tui_live(iface, opts);
    }
    // Unreadable inputs are reported now, before the terminal is taken over.
    let (loading, errors) = capdiag::tui::load::start(&args.files, &opts);
    for e in &errors {
        eprintln!("capdiag: {e}");
    }
    let Some(loading) = loading else {
        return ExitCode::from(2);
    };
    if !std::io::stdout().is_terminal() {
        eprintln!("capdiag: tui needs a terminal; use `capdiag analyze` for a report");
        return ExitCode::from(2);
    }
    let notice = (!errors.is_empty()).then(|| {
        let names: Vec<String> = errors.iter().map(|e| e.to_string()).collect();
        format!("⚠ not read: {}", names.join("; "))
    });
    match capdiag::tui::run(loading, notice) {
        Ok(capdiag::tui::Outcome::Shown(analysis)) => {
            let unusable = analysis.unusable_inputs();
            for e in &unusable {
                eprintln!("capdiag: {e}");
            }
            verdict_code(&analysis, !errors.is_empty() || !unusable.is_empty())
        }
        Ok(capdiag::tui::Outcome::Cancelled) => {
            ExitCode::from(if errors.is_empty() { 1 } else { 2 })
        }
        Err(e) => {
            eprintln!("capdiag: terminal: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(not(feature = "live"))]
pub(crate) fn tui_live(_iface: String, _opts: ChainOptions) -> ExitCode {
    eprintln!(
        "capdiag: live capture is not in this build; rebuild with `cargo build --release \
         --features live` (needs libpcap: apt-get install libpcap-dev)"
    );
    ExitCode::from(2)
}

/// `capdiag tui --live IFACE`: the live capture feeds an analyzer on a thread of its own, which
/// hands the TUI a fresh analysis twice a second; quitting the TUI stops the capture.
#[cfg(feature = "live")]
pub(crate) fn tui_live(iface: String, opts: ChainOptions) -> ExitCode {
    use capdiag::analysis::Analyzer;
    use capdiag::live::{DEFAULT_FILTER, LiveOptions};
    use capdiag::proto::ldap::DecodeOptions;
    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};
    if !std::io::stdout().is_terminal() {
        eprintln!("capdiag: tui needs a terminal; use `capdiag live` for a report");
        return ExitCode::from(2);
    }
    let (tx, frames) = std::sync::mpsc::channel();
    let live_opts = LiveOptions {
        interface: iface,
        filter: DEFAULT_FILTER.to_string(),
        duration: None,
        write: None,
    };
    let live = match capdiag::live::start(live_opts, tx) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("capdiag: {e}");
            return ExitCode::from(2);
        }
    };
    let stop = std::sync::Arc::clone(&live.stop);
    let (updates_tx, updates) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut analyzer = Analyzer::new(&opts, DecodeOptions::default());
        let mut last = Instant::now();
        let _ = updates_tx.send(analyzer.snapshot());
        loop {
            match frames.recv_timeout(Duration::from_millis(100)) {
                Ok(frame) => analyzer.push(frame),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout) => {}
                Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return,
            }
            if last.elapsed() >= Duration::from_millis(500) {
                last = Instant::now();
                if updates_tx.send(analyzer.snapshot()).is_err() {
                    return;
                }
            }
        }
    });
    let shown = capdiag::tui::run_live(updates);
    stop.store(true, Ordering::Relaxed);
    let _ = live.join();
    match shown {
        Ok(capdiag::tui::Outcome::Shown(analysis)) => verdict_code(&analysis, false),
        Ok(capdiag::tui::Outcome::Cancelled) => ExitCode::from(1),
        Err(e) => {
            eprintln!("capdiag: terminal: {e}");
            ExitCode::from(2)
        }
    }
}
