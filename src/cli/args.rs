//! The command line as clap parses it: every subcommand, option and its help.

use std::path::PathBuf;

use clap::{Parser, Subcommand, ValueEnum};
use clap_complete::Shell;

#[derive(Parser)]
#[command(
    name = "capdiag",
    version,
    about = "Find where an Exchange Autodiscover lookup broke, from a packet capture"
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Command,
}

#[derive(Subcommand)]
pub(crate) enum Command {
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
    /// Print a man page (roff): capdiag(1), or a subcommand's (`capdiag man check`); `--dir DIR`
    /// writes them all.
    Man(ManArgs),
    /// Explore the analysis full screen: the chain, a timeline of every message, and details.
    Tui(TuiArgs),
    /// Capture on an interface and print each stage and verdict as it happens, then the report
    /// (needs a build with `--features live`).
    Live(LiveArgs),
}

#[derive(clap::Args)]
pub(crate) struct LiveArgs {
    /// The interface to capture on (e.g. eth0; `tcpdump -D` lists them).
    #[arg(short = 'i', long = "interface", value_name = "IFACE")]
    pub(crate) interface: String,
    /// BPF capture filter (default: ports 53, 88, 389, 636, 3268, 3269, 80, 443 and IPv4
    /// fragments).
    #[arg(long, value_name = "BPF")]
    pub(crate) filter: Option<String>,
    /// Stop after this many seconds (default: until Ctrl-C).
    #[arg(long, value_name = "S")]
    pub(crate) duration: Option<f64>,
    /// Also write the captured packets to FILE, as classic pcap (microsecond timestamps).
    #[arg(long, value_name = "FILE")]
    pub(crate) write: Option<PathBuf>,
    /// Seconds a client waits for an answer before an unanswered stage counts as failed.
    #[arg(long, value_name = "S", default_value_t = capdiag::chain::pending::DEFAULT_WAIT_SECS)]
    pub(crate) wait: f64,
    /// Colour in the final report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,
    /// Output: text lines then the report; json (the lines on stderr, the document at the
    /// end); ndjson (one event per line as it happens).
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// The AD domain looked up, when the capture does not show it (e.g. contoso.com).
    #[arg(long)]
    pub(crate) domain: Option<String>,
    /// The mailbox whose Autodiscover is looked up; its domain gives the fallback hosts.
    #[arg(long)]
    pub(crate) email: Option<String>,
}

#[derive(clap::Args)]
pub(crate) struct ManArgs {
    /// The subcommand whose page to print (capdiag-SUBCOMMAND(1)); default: capdiag(1).
    #[arg(conflicts_with = "dir")]
    pub(crate) subcommand: Option<String>,
    /// Write every page (capdiag.1, capdiag-analyze.1, ...) into DIR instead, e.g.
    /// /usr/local/share/man/man1; prints the files written.
    #[arg(long, value_name = "DIR")]
    pub(crate) dir: Option<PathBuf>,
}

#[derive(clap::Args)]
pub(crate) struct CheckArgs {
    /// Captures, expectation files or directories (searched recursively).
    #[arg(default_value = ".")]
    pub(crate) paths: Vec<PathBuf>,
    /// Write today's results as the expectations (new files, or updates keeping their comments).
    #[arg(long)]
    pub(crate) bless: bool,
    /// Also write a JUnit XML report to this file.
    #[arg(long, value_name = "FILE")]
    pub(crate) junit: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    pub(crate) format: CheckFormat,
    #[command(flatten)]
    pub(crate) secrets: SecretArgs,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum CheckFormat {
    Text,
    Json,
}

#[derive(clap::Args)]
pub(crate) struct TuiArgs {
    /// pcap or pcapng files, optionally gzip- or zstd-compressed; `-` reads standard input.
    // Required, except that --live (which conflicts with it) stands in for it: so the help
    // shows `<FILES>...` (required_unless_present would show it as optional).
    #[arg(required = true, conflicts_with = "live")]
    pub(crate) files: Vec<PathBuf>,
    /// Capture live on this interface and follow it (needs a build with `--features live`).
    #[arg(long, value_name = "IFACE")]
    pub(crate) live: Option<String>,
    /// The AD domain looked up, when the capture does not show it (e.g. contoso.com).
    #[arg(long)]
    pub(crate) domain: Option<String>,
    /// The mailbox whose Autodiscover is looked up; its domain gives the fallback hosts.
    #[arg(long)]
    pub(crate) email: Option<String>,
    #[command(flatten)]
    pub(crate) secrets: SecretArgs,
}

#[derive(clap::Args)]
pub(crate) struct AnalyzeArgs {
    /// pcap or pcapng files, optionally gzip- or zstd-compressed; `-` reads standard input.
    #[arg(required = true)]
    pub(crate) files: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub(crate) format: Format,
    /// Also write a self-contained HTML report (verdict, sequence diagram, recipes) to FILE.
    #[arg(long, value_name = "FILE")]
    pub(crate) html: Option<PathBuf>,
    /// Colour in the text report.
    #[arg(long, value_enum, default_value_t = Color::Auto)]
    pub(crate) color: Color,
    /// The AD domain looked up, when the capture does not show it (e.g. contoso.com).
    #[arg(long)]
    pub(crate) domain: Option<String>,
    /// The mailbox whose Autodiscover is looked up; its domain gives the fallback hosts.
    #[arg(long)]
    pub(crate) email: Option<String>,
    /// Open the interactive timeline instead of printing a report (same as `capdiag tui`).
    #[arg(long, conflicts_with = "format")]
    pub(crate) tui: bool,
    /// Also print simple-bind passwords found in the capture (lab use; never the default).
    #[arg(long)]
    pub(crate) show_secrets: bool,
    #[command(flatten)]
    pub(crate) secrets: SecretArgs,
    /// No progress bar on standard error (it only ever shows on a terminal, for large inputs).
    #[arg(long, short)]
    pub(crate) quiet: bool,
    /// Read the input as a stream (e.g. `tcpdump -U -w - | capdiag analyze --follow -`): print
    /// each stage and verdict as soon as it is known, then the report at the end of input.
    /// With --format json the event lines go to standard error and the document to standard
    /// output; with --format ndjson every event is a JSON line.
    #[arg(long, conflicts_with = "tui")]
    pub(crate) follow: bool,
    /// With --follow: seconds of capture time a client waits for an answer before an
    /// unanswered stage (a query, a SYN) counts as failed.
    #[arg(long, value_name = "S", default_value_t = capdiag::chain::pending::DEFAULT_WAIT_SECS, requires = "follow")]
    pub(crate) wait: f64,
    /// With --format ndjson: seconds of capture time without a packet after which a client is
    /// judged, its verdict written and its state dropped (memory then follows the clients
    /// active within that time, not the capture's length); a client that comes back later is
    /// judged again as a new chain. `inf` keeps every client to the end of the input.
    #[arg(long, value_name = "S", default_value_t = capdiag::retirement::DEFAULT_RETIRE_AFTER_SECS)]
    pub(crate) retire_after: f64,
}

#[derive(Clone, Copy, ValueEnum)]
pub(crate) enum Format {
    Text,
    Json,
    /// One JSON event per line (chain verdicts, findings, failure groups, the run's totals),
    /// written as they are made: for Filebeat, Vector, ClickHouse (docs/fleet.md).
    Ndjson,
    /// The sequence of each chain as a Mermaid sequenceDiagram.
    Mermaid,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum Color {
    Auto,
    Always,
    Never,
}

/// The secrets that open encrypted traffic (docs/security.md): each file is read once, never
/// written, and nothing of it is printed.
#[derive(clap::Args, Clone, Default)]
pub(crate) struct SecretArgs {
    /// A TLS key log (NSS format, as SSLKEYLOGFILE makes it): HTTPS and LDAPS connections it
    /// has secrets for are decrypted and read like clear traffic. Read once, never written.
    #[arg(long, value_name = "FILE")]
    pub(crate) tls_keylog: Option<PathBuf>,
    /// A keytab (MIT format, as `ktpass` or `samba-tool domain exportkeytab` make it) with the
    /// DC's `ldap/` keys: Kerberos-sealed LDAP binds are opened and their searches read.
    /// Repeatable.
    #[arg(long, value_name = "FILE")]
    pub(crate) keytab: Vec<PathBuf>,
    /// Passwords, one `user@REALM:password` or `DOMAIN\user:password` per line: Kerberos-
    /// and NTLM-sealed LDAP binds of those users are opened. Repeatable.
    #[arg(long, value_name = "FILE")]
    pub(crate) password_file: Vec<PathBuf>,
}
