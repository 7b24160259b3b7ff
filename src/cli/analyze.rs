//! `capdiag analyze`: one analysis of the inputs, rendered as text, JSON, Mermaid or HTML.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use capdiag::analysis::{Analysis, analyze_paths_with, analyze_streaming};
use capdiag::capture::MergedCapture;
use capdiag::chain::ChainOptions;
use capdiag::proto::ldap::DecodeOptions;
use capdiag::report::{html, json, mermaid, ndjson, text};
use capdiag::retirement::Retirement;
use capdiag::secrets;

use super::args::*;
use super::common::*;
use super::event_writer::{EventWriter, Written};

pub(crate) fn analyze(args: AnalyzeArgs) -> ExitCode {
    let opts = match chain_options(args.domain.clone(), args.email.as_deref(), &args.secrets) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let decode = DecodeOptions {
        keep_simple_password: args.show_secrets,
    };
    if matches!(args.format, Format::Ndjson) && args.html.is_none() && args.retire_after.is_finite()
    {
        let rule = Retirement::from_secs(args.retire_after);
        let progress = !args.quiet && std::io::stderr().is_terminal();
        return analyze_ndjson_streaming(&args.files, &opts, decode, rule, progress);
    }
    let (analysis, errors) = if !args.quiet && std::io::stderr().is_terminal() {
        analyze_with_progress(&args.files, &opts, decode)
    } else {
        analyze_paths_with(&args.files, &opts, decode)
    };
    for e in &errors {
        eprintln!("capdiag: {e}");
    }
    let Some(analysis) = analysis else {
        return ExitCode::from(2);
    };
    let unusable = analysis.unusable_inputs();
    for e in &unusable {
        eprintln!("capdiag: {e}");
    }
    if unusable.len() == analysis.inputs.len() {
        // No input gave a packet: nothing to report, as for an input that cannot be opened.
        return ExitCode::from(2);
    }
    let unreadable = !errors.is_empty() || !unusable.is_empty();
    if let Some(path) = &args.html
        && let Err(e) = std::fs::write(path, html::render(&analysis))
    {
        eprintln!("capdiag: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    // NDJSON and JSON are written as they are made, not built in memory first.
    if let Format::Ndjson | Format::Json = args.format {
        let mut stdout = std::io::BufWriter::new(std::io::stdout().lock());
        let written = match args.format {
            Format::Ndjson => ndjson::write(&analysis, &mut stdout),
            _ => json::write(
                &analysis,
                args.show_secrets
                    .then(|| secrets::json_value(&analysis.secrets)),
                &mut stdout,
            ),
        };
        if let Err(e) = written.and_then(|_| stdout.flush()) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("capdiag: cannot write the output: {e}");
            }
            return ExitCode::from(2);
        }
        return exit_with(analysis, unreadable);
    }
    let rendered = match args.format {
        Format::Ndjson | Format::Json => String::new(),
        Format::Mermaid => mermaid::render(&analysis),
        Format::Text => {
            let color = match args.color {
                Color::Always => true,
                Color::Never => false,
                Color::Auto => {
                    std::io::stdout().is_terminal()
                        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                }
            };
            let mut out = text::render(&analysis, text::Style { color });
            if args.show_secrets {
                out.push_str(&secrets::text_section(&analysis.secrets));
            }
            out
        }
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(rendered.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    exit_with(analysis, unreadable)
}

/// `--format ndjson`: the verdicts written while the inputs are read, each client's as soon
/// as its lookup is over ([`capdiag::retirement`]); the exit code as for the whole report.
fn analyze_ndjson_streaming(
    files: &[PathBuf],
    opts: &ChainOptions,
    decode: DecodeOptions,
    rule: Retirement,
    progress: bool,
) -> ExitCode {
    let (readers, errors, counter) = capdiag::loading::open_counting(files);
    for e in &errors {
        eprintln!("capdiag: {e}");
    }
    if readers.is_empty() {
        return ExitCode::from(2);
    }
    let bar = progress.then(|| ProgressThread::start(counter));
    let capture = MergedCapture::new(readers);
    let captures = capture.inputs().into_iter().map(|i| i.path).collect();
    let writer = match EventWriter::start(ndjson::EventStream::new(captures)) {
        Ok(w) => w,
        Err(e) => {
            eprintln!("capdiag: cannot start the output thread: {e}");
            return ExitCode::from(2);
        }
    };
    let analysis = analyze_streaming(capture, opts, decode, rule, &mut |retired| {
        writer.write(retired)
    });
    drop(bar);
    let Written {
        events,
        out: mut stdout,
        failed,
    } = writer.finish();
    let unusable = analysis.unusable_inputs();
    for e in &unusable {
        eprintln!("capdiag: {e}");
    }
    if unusable.len() == analysis.inputs.len() {
        return ExitCode::from(2);
    }
    let totals = match failed {
        Some(e) => Err(e),
        None => events.finish(&analysis, &mut stdout),
    };
    let totals = match totals.and_then(|t| stdout.flush().map(|_| t)) {
        Ok(t) => t,
        Err(e) => {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                eprintln!("capdiag: cannot write the output: {e}");
            }
            return ExitCode::from(2);
        }
    };
    let unreadable = !errors.is_empty() || !unusable.is_empty();
    std::mem::forget(analysis);
    exit_code(totals.chains() == totals.complete, unreadable)
}

/// The exit code of the analysis, which is then left for the process exit to free: dropping
/// millions of exchanges one by one took a tenth of the run on large captures.
fn exit_with(analysis: Analysis, unreadable: bool) -> ExitCode {
    let code = verdict_code(&analysis, unreadable);
    std::mem::forget(analysis);
    code
}

/// Inputs smaller than this finish before a progress bar would be worth drawing.
pub(crate) const PROGRESS_MIN_BYTES: u64 = 64 * 1024 * 1024;

/// The analysis on a worker thread, with a progress bar on standard error (bytes, rate, ETA)
/// for large inputs. Only called when standard error is a terminal and --quiet is not given.
pub(crate) fn analyze_with_progress(
    files: &[PathBuf],
    opts: &ChainOptions,
    decode: DecodeOptions,
) -> (Option<Analysis>, Vec<capdiag::capture::CaptureError>) {
    use capdiag::loading::{Poll, start_with};
    use indicatif::ProgressBar;
    let (loading, errors) = start_with(files, opts, decode);
    let Some(loading) = loading else {
        return (None, errors);
    };
    let mut bar: Option<ProgressBar> = None;
    loop {
        match loading.wait(std::time::Duration::from_millis(100)) {
            Poll::Done(a) => {
                if let Some(b) = bar {
                    b.finish_and_clear();
                }
                return (Some(*a), errors);
            }
            Poll::Failed => return (None, errors),
            Poll::Pending => {
                let p = loading.progress();
                bar.get_or_insert_with(|| progress_bar(p.total))
                    .set_position(p.read);
            }
        }
    }
}

/// The progress bar for inputs of `total` bytes (None: of unknown size, a spinner); hidden
/// below [`PROGRESS_MIN_BYTES`].
fn progress_bar(total: Option<u64>) -> indicatif::ProgressBar {
    use indicatif::{ProgressBar, ProgressStyle};
    match total {
        Some(total) if total < PROGRESS_MIN_BYTES => ProgressBar::hidden(),
        Some(total) => ProgressBar::new(total).with_style(
            ProgressStyle::with_template(
                "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        ),
        None => ProgressBar::new_spinner().with_style(
            ProgressStyle::with_template("{spinner} {bytes} read, {bytes_per_sec} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        ),
    }
}

/// Draws the progress of `counter` on standard error from a thread of its own until the
/// returned guard is dropped (the streamed analysis runs on the calling thread).
struct ProgressThread {
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProgressThread {
    fn start(counter: capdiag::loading::ReadCounter) -> ProgressThread {
        use std::sync::atomic::Ordering;
        let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop = std::sync::Arc::clone(&done);
        let thread = std::thread::spawn(move || {
            let bar = progress_bar(counter.progress().total);
            while !stop.load(Ordering::Relaxed) {
                bar.set_position(counter.progress().read);
                std::thread::sleep(std::time::Duration::from_millis(100));
            }
            bar.finish_and_clear();
        });
        ProgressThread {
            done,
            thread: Some(thread),
        }
    }
}

impl Drop for ProgressThread {
    fn drop(&mut self) {
        self.done.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
