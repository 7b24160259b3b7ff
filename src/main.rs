//! The `capdiag` command line: parses arguments, runs the library, prints, and maps the outcome
//! to the documented exit codes (0 every chain complete or nothing to judge, 1 a chain broken or
//! incomplete, 2 usage error or unreadable input).

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use capdiag::analysis::analyze_paths_with;
use capdiag::chain::{ChainOptions, ChainStatus};
use capdiag::proto::ldap::DecodeOptions;
use capdiag::report::{json, text};
use capdiag::secrets;
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
    /// Also print simple-bind passwords found in the capture (lab use; never the default).
    #[arg(long)]
    show_secrets: bool,
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
        Command::Analyze(args) => analyze(args),
    }
}

fn analyze(args: AnalyzeArgs) -> ExitCode {
    let smtp_domain = match args.email.as_deref().map(|e| e.rsplit_once('@')) {
        None => None,
        Some(Some((_, d))) if !d.is_empty() => Some(d.to_ascii_lowercase()),
        Some(_) => {
            eprintln!("capdiag: --email must look like user@domain");
            return ExitCode::from(2);
        }
    };
    let opts = ChainOptions {
        domain: args.domain.clone(),
        smtp_domain,
    };
    let decode = DecodeOptions {
        keep_simple_password: args.show_secrets,
    };
    let (analysis, errors) = analyze_paths_with(&args.files, &opts, decode);
    for e in &errors {
        eprintln!("capdiag: {e}");
    }
    let Some(analysis) = analysis else {
        return ExitCode::from(2);
    };
    let rendered = match args.format {
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
    if !errors.is_empty() {
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
