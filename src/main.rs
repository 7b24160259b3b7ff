//! The `capdiag` command line: parses arguments, runs the library, prints, and maps the outcome
//! to the documented exit codes (0 every chain complete or nothing to judge, 1 a chain broken or
//! incomplete, 2 usage error or unreadable input). `capdiag tui` (or `analyze --tui`) maps its
//! outcome the same way once the user quits; quitting while a capture still loads gives 1.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use capdiag::analysis::{Analysis, analyze_paths};
use capdiag::chain::{ChainOptions, ChainStatus};
use capdiag::report::{json, text};
use clap::{Parser, Subcommand, ValueEnum};

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
    /// Explore the analysis full screen: the chain, a timeline of every message, and details.
    Tui(TuiArgs),
}

#[derive(clap::Args)]
struct TuiArgs {
    /// pcap or pcapng files, optionally gzip- or zstd-compressed; `-` reads standard input.
    #[arg(required = true)]
    files: Vec<PathBuf>,
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
}

#[derive(Clone, Copy, ValueEnum)]
enum Format {
    Text,
    Json,
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
            domain: args.domain,
            email: args.email,
        }),
        Command::Analyze(args) => analyze(args),
        Command::Tui(args) => tui(args),
    }
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
    match capdiag::tui::run(loading) {
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
    let (analysis, errors) = analyze_paths(&args.files, &opts);
    for e in &errors {
        eprintln!("capdiag: {e}");
    }
    let Some(analysis) = analysis else {
        return ExitCode::from(2);
    };
    let rendered = match args.format {
        Format::Json => match serde_json::to_string_pretty(&json::document(&analysis)) {
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
            text::render(&analysis, text::Style { color })
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
