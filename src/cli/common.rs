//! What the subcommands share: `--wait`, `--color`, the chain options and the exit code of a verdict.

use std::io::IsTerminal;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use capdiag::analysis::Analysis;
use capdiag::chain::{ChainOptions, ChainStatus};
use capdiag::crypto::keylog::KeyLog;
use capdiag::messages::decrypt::DecryptionSecrets;

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

/// The chain options from `--domain`, `--email` and the secret files, or the error to print.
pub(crate) fn chain_options(
    domain: Option<String>,
    email: Option<&str>,
    secrets: &SecretArgs,
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
        tls_key_log: tls_key_log(secrets.tls_keylog.as_deref())?,
        ldap_secrets: ldap_secrets(secrets)?,
    })
}

/// The keytabs and password files, read once; an unreadable one is an input error naming the
/// file and the line, never a secret.
fn ldap_secrets(secrets: &SecretArgs) -> Result<Option<Arc<DecryptionSecrets>>, ExitCode> {
    if secrets.keytab.is_empty() && secrets.password_file.is_empty() {
        return Ok(None);
    }
    match DecryptionSecrets::load(&secrets.keytab, &secrets.password_file) {
        Ok(loaded) => Ok(Some(Arc::new(loaded))),
        Err(e) => {
            eprintln!("capdiag: {e}");
            Err(ExitCode::from(2))
        }
    }
}

/// The key log of `--tls-keylog`, read once; an unreadable file or line is an input error (the
/// message names the line, never a secret).
pub(crate) fn tls_key_log(path: Option<&Path>) -> Result<Option<Arc<KeyLog>>, ExitCode> {
    let Some(path) = path else {
        return Ok(None);
    };
    match KeyLog::read(path) {
        Ok(log) => Ok(Some(Arc::new(log))),
        Err(e) => {
            eprintln!("capdiag: --tls-keylog {}: {e}", path.display());
            Err(ExitCode::from(2))
        }
    }
}

/// 2 when an input was unreadable, else 0 when every chain is complete (or there is none), 1
/// when one is broken or incomplete.
pub(crate) fn verdict_code(analysis: &Analysis, unreadable: bool) -> ExitCode {
    let all_complete = analysis
        .chains
        .iter()
        .all(|c| c.status == ChainStatus::Complete);
    exit_code(all_complete, unreadable)
}

/// 2 when an input was unreadable, else 0 when every chain is complete, else 1.
pub(crate) fn exit_code(all_complete: bool, unreadable: bool) -> ExitCode {
    if unreadable {
        ExitCode::from(2)
    } else if all_complete {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
