//! What the subcommands share: `--wait`, `--color`, the chain options and the exit code of a verdict.

use std::io::IsTerminal;
use std::process::ExitCode;

use capdiag::analysis::Analysis;
use capdiag::chain::{ChainOptions, ChainStatus};

use super::args::*;

/// `--wait` in nanoseconds, or the usage error to print.
pub(crate) fn wait_nanos(secs: f64) -> Result<i64, ExitCode> {
    if secs.is_finite() && (0.0..=86_400.0).contains(&secs) {
        Ok((secs * 1e9) as i64)
    } else {
        eprintln!("capdiag: --wait must be a number of seconds between 0 and 86400");
        Err(ExitCode::from(2))
    }
}

pub(crate) fn color_wanted(color: Color) -> bool {
    match color {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// The chain options from `--domain` and `--email`, or the usage error to print.
pub(crate) fn chain_options(
    domain: Option<String>,
    email: Option<&str>,
) -> Result<ChainOptions, ExitCode> {
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
pub(crate) fn verdict_code(analysis: &Analysis, unreadable: bool) -> ExitCode {
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
