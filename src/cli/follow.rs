//! `analyze --follow` and `capdiag live`: frames judged as they arrive, then the report.

use std::io::Write;
use std::process::ExitCode;

use capdiag::analysis::Analysis;
use capdiag::proto::ldap::DecodeOptions;
use capdiag::report::{html, json, ndjson, text};
use capdiag::secrets;

use super::args::*;
use super::common::*;

/// What a followed capture writes on standard output.
pub(crate) enum FollowOutput {
    /// Event lines, then the text report.
    Text { color: bool },
    /// Event lines on standard error; the `capdiag/1` document on standard output at the end.
    Json,
    /// NDJSON events (stages, verdicts, findings), then the groups and the run's totals.
    Ndjson { captures: Vec<String> },
}

impl FollowOutput {
    pub(crate) fn new(
        format: Format,
        color: bool,
        captures: Vec<String>,
    ) -> Result<Self, ExitCode> {
        match format {
            Format::Text => Ok(FollowOutput::Text { color }),
            Format::Json => Ok(FollowOutput::Json),
            Format::Ndjson => Ok(FollowOutput::Ndjson { captures }),
            Format::Mermaid => {
                eprintln!("capdiag: following prints text, json or ndjson, not mermaid");
                Err(ExitCode::from(2))
            }
        }
    }
}

fn print(text: &str, to_stderr: bool) -> std::io::Result<()> {
    if to_stderr {
        let mut err = std::io::stderr().lock();
        err.write_all(text.as_bytes())?;
        err.flush()
    } else {
        let mut out = std::io::stdout().lock();
        out.write_all(text.as_bytes())?;
        out.flush()
    }
}

/// Runs the follow loop over frames from `rx`, printing each event line at once; then the
/// report once the sender hangs up. Returns the final analysis, or the exit code when standard
/// output closed.
pub(crate) fn follow_and_report(
    rx: &std::sync::mpsc::Receiver<capdiag::capture::Frame>,
    analyzer: capdiag::analysis::Analyzer,
    opts: capdiag::follow::FollowOptions,
    finish: impl FnOnce() -> Vec<capdiag::capture::InputInfo>,
    output: FollowOutput,
) -> Result<Analysis, ExitCode> {
    // Following judges how long a stage has waited: it needs every frame's capture time.
    let mut analyzer = analyzer.with_frame_times();
    use capdiag::report::follow::Follower;
    let mut follower = match &output {
        FollowOutput::Ndjson { captures } => Follower::ndjson(captures.clone()),
        _ => Follower::default(),
    };
    let lines_to_stderr = matches!(output, FollowOutput::Json);
    let mut emit = |line: &str| print(&format!("{line}\n"), lines_to_stderr);
    if capdiag::follow::run(rx, &mut analyzer, &mut follower, opts, &mut emit).is_err() {
        return Err(ExitCode::from(2));
    }
    let analysis = analyzer.finish(finish());
    let mut lines = String::new();
    for line in follower.update(&analysis.chains, None, &|_| None) {
        lines.push_str(&line);
        lines.push('\n');
    }
    let report = match &output {
        FollowOutput::Text { color } => {
            lines.push('\n');
            lines.push_str(&text::render(&analysis, text::Style { color: *color }));
            print(&lines, false)
        }
        FollowOutput::Json => print(&lines, true).and_then(|_| {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            json::write(&analysis, None, &mut out).and_then(|_| out.flush())
        }),
        FollowOutput::Ndjson { captures } => {
            let names = captures.iter().map(String::as_str).collect();
            for event in ndjson::closing_events(&analysis, names) {
                lines.push_str(&event.to_string());
                lines.push('\n');
            }
            print(&lines, false)
        }
    };
    report.map_err(|_| ExitCode::from(2))?;
    Ok(analysis)
}

/// `analyze --follow`: the inputs read on a thread, judged as frames arrive.
pub(crate) fn follow(args: AnalyzeArgs) -> ExitCode {
    use capdiag::analysis::{Analyzer, open_inputs};
    use capdiag::capture::MergedCapture;
    use capdiag::follow::{ClockKind, FollowOptions};
    let opts = match chain_options(args.domain.clone(), args.email.as_deref(), &args.secrets) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let wait = match wait_nanos(args.wait) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let decode = DecodeOptions {
        keep_simple_password: args.show_secrets,
    };
    let captures = args.files.iter().map(|f| f.display().to_string()).collect();
    let output = match FollowOutput::new(args.format, color_wanted(args.color), captures) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let (mut readers, errors) = open_inputs(&args.files);
    for e in &errors {
        eprintln!("capdiag: {e}");
    }
    if readers.is_empty() {
        return ExitCode::from(2);
    }
    let (tx, rx) = std::sync::mpsc::sync_channel(4096);
    let reader = std::thread::spawn(move || {
        // The merge reads each input one frame ahead (it must, to order them); a single input
        // is read directly so that each frame is judged as soon as it arrives. Frames are
        // numbered as the merge numbers them.
        if let [_] = readers.as_slice()
            && let Some(mut one) = readers.pop()
        {
            let mut number = 0;
            while let Some(mut frame) = one.next_frame() {
                number += 1;
                frame.number = number;
                if tx.send(frame).is_err() {
                    break;
                }
            }
            return vec![one.info().clone()];
        }
        let mut capture = MergedCapture::new(readers);
        while let Some(frame) = capture.next_frame() {
            if tx.send(frame).is_err() {
                break;
            }
        }
        capture.inputs()
    });
    let follow_opts = FollowOptions {
        wait,
        clock: ClockKind::Capture,
    };
    let analysis = match follow_and_report(
        &rx,
        Analyzer::new(&opts, decode),
        follow_opts,
        || reader.join().unwrap_or_default(),
        output,
    ) {
        Ok(a) => a,
        Err(code) => return code,
    };
    if args.show_secrets {
        print!("{}", secrets::text_section(&analysis.secrets));
    }
    if let Some(path) = &args.html
        && let Err(e) = std::fs::write(path, html::render(&analysis))
    {
        eprintln!("capdiag: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    let unusable = analysis.unusable_inputs();
    for e in &unusable {
        eprintln!("capdiag: {e}");
    }
    verdict_code(&analysis, !errors.is_empty() || !unusable.is_empty())
}

#[cfg(not(feature = "live"))]
pub(crate) fn live(_args: LiveArgs) -> ExitCode {
    eprintln!(
        "capdiag: live capture is not in this build; rebuild with `cargo build --release \
         --features live` (needs libpcap: apt-get install libpcap-dev)"
    );
    ExitCode::from(2)
}

#[cfg(feature = "live")]
pub(crate) fn live(args: LiveArgs) -> ExitCode {
    use capdiag::analysis::Analyzer;
    use capdiag::follow::{ClockKind, FollowOptions};
    use capdiag::live::{DEFAULT_FILTER, LiveOptions};
    let opts = match chain_options(
        args.domain.clone(),
        args.email.as_deref(),
        &SecretArgs::default(),
    ) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let wait = match wait_nanos(args.wait) {
        Ok(w) => w,
        Err(code) => return code,
    };
    let duration = match args.duration {
        None => None,
        Some(s) if s.is_finite() && s > 0.0 => Some(std::time::Duration::from_secs_f64(s)),
        Some(_) => {
            eprintln!("capdiag: --duration must be a positive number of seconds");
            return ExitCode::from(2);
        }
    };
    let captures = vec![format!("live:{}", args.interface)];
    let output = match FollowOutput::new(args.format, color_wanted(args.color), captures) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let filter = args.filter.unwrap_or_else(|| DEFAULT_FILTER.to_string());
    let (tx, rx) = std::sync::mpsc::channel();
    let live_opts = LiveOptions {
        interface: args.interface.clone(),
        filter: filter.clone(),
        duration,
        write: args.write.clone(),
    };
    let live = match capdiag::live::start(live_opts, tx) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("capdiag: {e}");
            return ExitCode::from(2);
        }
    };
    if !capdiag::net::link_type_supported(live.link_type) {
        eprintln!(
            "capdiag: warning: {} has link type {}, which capdiag cannot decode",
            args.interface, live.link_type
        );
    }
    let stop = std::sync::Arc::clone(&live.stop);
    if let Err(e) =
        ctrlc::set_handler(move || stop.store(true, std::sync::atomic::Ordering::Relaxed))
    {
        eprintln!("capdiag: cannot handle Ctrl-C: {e}");
    }
    eprintln!(
        "capdiag: listening on {} (filter: {filter}); Ctrl-C for the report",
        args.interface
    );
    let follow_opts = FollowOptions {
        wait,
        clock: ClockKind::Wall,
    };
    let analysis = match follow_and_report(
        &rx,
        Analyzer::new(&opts, DecodeOptions::default()),
        follow_opts,
        || vec![live.join()],
        output,
    ) {
        Ok(a) => a,
        Err(code) => return code,
    };
    verdict_code(&analysis, false)
}
