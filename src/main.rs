//! The `capdiag` command line: parses arguments, runs the library, prints (and with `--html`
//! also writes the HTML report), and maps the outcome to the documented exit codes (0 every chain
//! complete or nothing to judge, 1 a chain broken or incomplete, 2 usage error, unreadable input
//! or unwritable report). `capdiag tui` (or `analyze --tui`) maps its outcome the same way once
//! the user quits; quitting while a capture still loads gives 1. `check` compares captures with
//! their pinned verdicts; `completions` and `man` print shell completions and the man page.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use capdiag::analysis::{Analysis, analyze_paths_with};
use capdiag::chain::{ChainOptions, ChainStatus};
use capdiag::proto::ldap::DecodeOptions;
use capdiag::report::{html, json, mermaid, text};
use capdiag::secrets;
use clap::{CommandFactory, Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

#[derive(Parser)]
#[command(
    name = "capdiag",
    version,
    about = "Find where an Exchange Autodiscover lookup broke, from a packet capture"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Analyse one or more captures (one timeline, merged by time) and judge each client's chain.
    Analyze(AnalyzeArgs),
    /// Check captures against their expectation files (`<capture>.expect.toml`), for CI.
    Check(CheckArgs),
    /// Print a shell completion script (see docs/report.md for where to install it).
    Completions {
        /// The shell to complete for.
        #[arg(value_enum)]
        shell: Shell,
    },
    /// Print the man page (roff) to standard output, e.g. `capdiag man > capdiag.1`.
    Man,
    /// Explore the analysis full screen: the chain, a timeline of every message, and details.
    Tui(TuiArgs),
    /// Capture on an interface and print each stage and verdict as it happens, then the report
    /// (needs a build with `--features live`).
    Live(LiveArgs),
}

#[derive(clap::Args)]
struct LiveArgs {
    /// The interface to capture on (e.g. eth0; `tcpdump -D` lists them).
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    interface: String,
    /// BPF capture filter (default: ports 53, 88, 389, 636, 3268, 3269, 80, 443 and IPv4
    /// fragments).
    #[arg(long, value_name = "BPF")]
    filter: Option<String>,
    /// Stop after this many seconds (default: until Ctrl-C).
    #[arg(long, value_name = "S")]
    duration: Option<f64>,
    /// Also write the captured packets to FILE, as classic pcap (microsecond timestamps).
    #[arg(long, value_name = "FILE")]
    write: Option<PathBuf>,
    /// Seconds a client waits for an answer before an unanswered stage counts as failed.
    #[arg(long, value_name = "S", default_value_t = capdiag::chain::pending::DEFAULT_WAIT_SECS)]
    wait: f64,
    /// Colour in the final report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// The AD domain looked up, when the capture does not show it (e.g. contoso.com).
    #[arg(long)]
    domain: Option<String>,
    /// The mailbox whose Autodiscover is looked up; its domain gives the fallback hosts.
    #[arg(long)]
    email: Option<String>,
}

#[derive(clap::Args)]
struct CheckArgs {
    /// Captures, expectation files or directories (searched recursively).
    #[arg(default_value = ".")]
    paths: Vec<PathBuf>,
    /// Write today's results as the expectations (new files, or updates keeping their comments).
    #[arg(long)]
    bless: bool,
    /// Also write a JUnit XML report to this file.
    #[arg(long, value_name = "FILE")]
    junit: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
struct TuiArgs {
    /// pcap or pcapng files, optionally gzip- or zstd-compressed; `-` reads standard input.
    #[arg(required_unless_present = "live", conflicts_with = "live")]
    files: Vec<PathBuf>,
    /// Capture live on this interface and follow it (needs a build with `--features live`).
    #[arg(long, value_name = "IFACE")]
    live: Option<String>,
    /// The AD domain looked up, when the capture does not show it (e.g. contoso.com).
    #[arg(long)]
    domain: Option<String>,
    /// The mailbox whose Autodiscover is looked up; its domain gives the fallback hosts.
    #[arg(long)]
    email: Option<String>,
}

#[derive(clap::Args)]
struct AnalyzeArgs {
    /// pcap or pcapng files, optionally gzip- or zstd-compressed; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Also write a self-contained HTML report (verdict, sequence diagram, recipes) to FILE.
    #[arg(long, value_name = "FILE")]
    html: Option<PathBuf>,
    /// Colour in the text report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    color: Color,
    /// The AD domain looked up, when the capture does not show it (e.g. contoso.com).
    #[arg(long)]
    domain: Option<String>,
    /// The mailbox whose Autodiscover is looked up; its domain gives the fallback hosts.
    #[arg(long)]
    email: Option<String>,
    /// Open the interactive timeline instead of printing a report (same as `capdiag tui`).
    #[arg(long, conflicts_with = "format")]
    tui: bool,
    /// Also print simple-bind passwords found in the capture (lab use; never the default).
    #[arg(long)]
    show_secrets: bool,
    /// No progress bar on standard error (it only ever shows on a terminal, for large inputs).
    #[arg(long, short)]
    quiet: bool,
    /// Read the input as a stream (e.g. `tcpdump -U -w - | capdiag analyze --follow -`): print
    /// each stage and verdict as soon as it is known, then the report at the end of input.
    #[arg(long, conflicts_with_all = ["format", "tui"])]
    follow: bool,
    /// With --follow: seconds of capture time a client waits for an answer before an
    /// unanswered stage (a query, a SYN) counts as failed.
    #[arg(long, value_name = "S", default_value_t = capdiag::chain::pending::DEFAULT_WAIT_SECS, requires = "follow")]
    wait: f64,
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
    /// The sequence of each chain as a Mermaid sequenceDiagram.
    Mermaid,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Color {
    Auto,
    Always,
    Never,
}

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let code = if e.use_stderr() { 2 } else { 0 };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match cli.command {
        Command::Analyze(args) if args.tui => tui(TuiArgs {
            files: args.files,
            live: None,
            domain: args.domain,
            email: args.email,
        }),
        Command::Analyze(args) if args.follow => follow(args),
        Command::Analyze(args) => analyze(args),
        Command::Check(args) => check(args),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "capdiag", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Man => {
            let mut out = std::io::stdout().lock();
            match clap_mangen::Man::new(Cli::command())
                .render(&mut out)
                .and_then(|_| out.flush())
            {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(2),
            }
        }
        Command::Tui(args) => tui(args),
        Command::Live(args) => live(args),
    }
}

/// `--wait` in nanoseconds, or the usage error to print.
fn wait_nanos(secs: f64) -> Result<i64, ExitCode> {
    if secs.is_finite() && (0.0..=86_400.0).contains(&secs) {
        Ok((secs * 1e9) as i64)
    } else {
        eprintln!("capdiag: --wait must be a number of seconds between 0 and 86400");
        Err(ExitCode::from(2))
    }
}

fn color_wanted(color: Color) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Runs the follow loop over frames from `rx`, printing each event line at once; then the
/// report once the sender hangs up. Returns the final analysis, or the exit code when standard
/// output closed.
fn follow_and_report(
    rx: &std::sync::mpsc::Receiver<capdiag::capture::Frame>,
    analyzer: capdiag::analysis::Analyzer,
    opts: capdiag::follow::FollowOptions,
    finish: impl FnOnce() -> Vec<capdiag::capture::InputInfo>,
    color: bool,
) -> Result<Analysis, ExitCode> {
    // Following judges how long a stage has waited: it needs every frame's capture time.
    let mut analyzer = analyzer.with_frame_times();
    use capdiag::report::follow::Follower;
    let mut follower = Follower::default();
    let mut emit = |line: &str| -> std::io::Result<()> {
        let mut out = std::io::stdout().lock();
        writeln!(out, "{line}")?;
        out.flush()
    };
    if capdiag::follow::run(rx, &mut analyzer, &mut follower, opts, &mut emit).is_err() {
        return Err(ExitCode::from(2));
    }
    let analysis = analyzer.finish(finish());
    let mut out = String::new();
    for line in follower.update(&analysis.chains, None, &|_| None) {
        out.push_str(&line);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(&text::render(&analysis, text::Style { color }));
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return Err(ExitCode::from(2));
    }
    Ok(analysis)
}

/// `analyze --follow`: the inputs read on a thread, judged as frames arrive.
fn follow(args: AnalyzeArgs) -> ExitCode {
    use capdiag::analysis::{Analyzer, open_inputs};
    use capdiag::capture::MergedCapture;
    use capdiag::follow::{ClockKind, FollowOptions};
    let opts = match chain_options(args.domain.clone(), args.email.as_deref()) {
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
        color_wanted(args.color),
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
    verdict_code(&analysis, !errors.is_empty())
}

#[cfg(not(feature = "live"))]
fn live(_args: LiveArgs) -> ExitCode {
    eprintln!(
        "capdiag: live capture is not in this build; rebuild with `cargo build --release \
         --features live` (needs libpcap: apt-get install libpcap-dev)"
    );
    ExitCode::from(2)
}

#[cfg(feature = "live")]
fn live(args: LiveArgs) -> ExitCode {
    use capdiag::analysis::Analyzer;
    use capdiag::follow::{ClockKind, FollowOptions};
    use capdiag::live::{DEFAULT_FILTER, LiveOptions};
    let opts = match chain_options(args.domain.clone(), args.email.as_deref()) {
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
        color_wanted(args.color),
    ) {
        Ok(a) => a,
        Err(code) => return code,
    };
    verdict_code(&analysis, false)
}

/// The chain options from `--domain` and `--email`, or the usage error to print.
fn chain_options(domain: Option<String>, email: Option<&str>) -> Result<ChainOptions, ExitCode> {
    let smtp_domain = match email.map(|e| e.rsplit_once('@')) {
        None => None,
        Some(Some((_, d))) if !d.is_empty() => Some(d.to_ascii_lowercase()),
        Some(_) => {
            eprintln!("capdiag: --email must look like user@domain");
            return Err(ExitCode::from(2));
        }
    };
    Ok(ChainOptions {
        domain,
        smtp_domain,
    })
}

/// 2 when an input was unreadable, else 0 when every chain is complete (or there is none), 1
/// when one is broken or incomplete.
fn verdict_code(analysis: &Analysis, unreadable: bool) -> ExitCode {
    if unreadable {
        ExitCode::from(2)
    } else if analysis
        .chains
        .iter()
        .all(|c| c.status == ChainStatus::Complete)
    {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

fn tui(args: TuiArgs) -> ExitCode {
    let opts = match chain_options(args.domain, args.email.as_deref()) {
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
        Ok(capdiag::tui::Outcome::Shown(analysis)) => verdict_code(&analysis, !errors.is_empty()),
        Ok(capdiag::tui::Outcome::Cancelled) => {
            ExitCode::from(if errors.is_empty() { 1 } else { 2 })
        }
        Err(e) => {
            eprintln!("capdiag: terminal: {e}");
            ExitCode::from(2)
        }
    }
}

fn analyze(args: AnalyzeArgs) -> ExitCode {
    let opts = match chain_options(args.domain.clone(), args.email.as_deref()) {
        Ok(o) => o,
        Err(code) => return code,
    };
    let decode = DecodeOptions {
        keep_simple_password: args.show_secrets,
    };
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
    if let Some(path) = &args.html
        && let Err(e) = std::fs::write(path, html::render(&analysis))
    {
        eprintln!("capdiag: cannot write {}: {e}", path.display());
        return ExitCode::from(2);
    }
    let rendered = match args.format {
        Format::Mermaid => mermaid::render(&analysis),
        Format::Json => match serde_json::to_string_pretty(&{
            let mut doc = json::document(&analysis);
            if let (true, Some(map)) = (args.show_secrets, doc.as_object_mut()) {
                map.insert("secrets".into(), secrets::json_value(&analysis.secrets));
            }
            doc
        }) {
            Ok(s) => s + "\n",
            Err(e) => {
                eprintln!("capdiag: cannot write JSON: {e}");
                return ExitCode::from(2);
            }
        },
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
    verdict_code(&analysis, !errors.is_empty())
}

fn check(args: CheckArgs) -> ExitCode {
    use capdiag::check::{self, Outcome};
    let captures = match check::discover(&args.paths) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("capdiag: {e}");
            return ExitCode::from(2);
        }
    };
    let results = check::check_all(&captures, args.bless);
    let totals = check::totals(&results);
    let out = match args.format {
        CheckFormat::Json => {
            let doc = serde_json::json!({
                "schema": "capdiag-check/1",
                "results": results.iter().map(|r| serde_json::json!({
                    "capture": r.capture.display().to_string(),
                    "outcome": match &r.outcome {
                        Outcome::Passed => "passed", Outcome::Failed(_) => "failed", Outcome::Skipped => "skipped",
                        Outcome::Error(_) => "error", Outcome::Blessed => "blessed",
                    },
                    "mismatches": match &r.outcome { Outcome::Failed(m) => m.clone(), _ => vec![] },
                    "error": match &r.outcome { Outcome::Error(e) => Some(e.clone()), _ => None },
                })).collect::<Vec<_>>(),
                "totals": totals,
            });
            serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
        }
        CheckFormat::Text => {
            let mut out = String::new();
            for r in &results {
                let path = r.capture.display();
                match &r.outcome {
                    Outcome::Passed => out.push_str(&format!("ok      {path}\n")),
                    Outcome::Blessed => out.push_str(&format!("blessed {path}\n")),
                    Outcome::Skipped => {
                        out.push_str(&format!("skipped {path} (no expectation file)\n"))
                    }
                    Outcome::Error(e) => out.push_str(&format!("ERROR   {e}\n")),
                    Outcome::Failed(m) => {
                        out.push_str(&format!("FAIL    {path}\n"));
                        for m in m {
                            out.push_str(&format!("        {m}\n"));
                        }
                    }
                }
            }
            out.push_str(&totals.line());
            out.push('\n');
            out
        }
    };
    print!("{out}");
    if let Some(path) = &args.junit
        && let Err(e) = std::fs::write(path, check::junit::render(&results))
    {
        eprintln!("capdiag: {}: {e}", path.display());
        return ExitCode::from(2);
    }
    ExitCode::from(totals.exit_code())
}

/// Inputs smaller than this finish before a progress bar would be worth drawing.
const PROGRESS_MIN_BYTES: u64 = 64 * 1024 * 1024;

/// The analysis on a worker thread, with a progress bar on standard error (bytes, rate, ETA)
/// for large inputs. Only called when standard error is a terminal and --quiet is not given.
fn analyze_with_progress(
    files: &[PathBuf],
    opts: &ChainOptions,
    decode: DecodeOptions,
) -> (Option<Analysis>, Vec<capdiag::capture::CaptureError>) {
    use capdiag::loading::{Poll, start_with};
    use indicatif::{ProgressBar, ProgressStyle};
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
                let b = bar.get_or_insert_with(|| match p.total {
                    Some(total) if total < PROGRESS_MIN_BYTES => ProgressBar::hidden(),
                    Some(total) => ProgressBar::new(total).with_style(
                        ProgressStyle::with_template(
                            "{bar:40} {bytes}/{total_bytes} {bytes_per_sec} ETA {eta} {msg}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar()),
                    ),
                    None => ProgressBar::new_spinner().with_style(
                        ProgressStyle::with_template(
                            "{spinner} {bytes} read, {bytes_per_sec} {msg}",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_spinner()),
                    ),
                });
                b.set_position(p.read);
            }
        }
    }
}

#[cfg(not(feature = "live"))]
fn tui_live(_iface: String, _opts: ChainOptions) -> ExitCode {
    eprintln!(
        "capdiag: live capture is not in this build; rebuild with `cargo build --release \
         --features live` (needs libpcap: apt-get install libpcap-dev)"
    );
    ExitCode::from(2)
}

/// `capdiag tui --live IFACE`: the live capture feeds an analyzer on a thread of its own, which
/// hands the TUI a fresh analysis twice a second; quitting the TUI stops the capture.
#[cfg(feature = "live")]
fn tui_live(iface: String, opts: ChainOptions) -> ExitCode {
    use capdiag::analysis::Analyzer;
    use capdiag::live::{DEFAULT_FILTER, LiveOptions};
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
