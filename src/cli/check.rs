//! `capdiag check`: captures compared with their pinned verdicts.

use std::process::ExitCode;

use super::args::*;

pub(crate) fn check(args: CheckArgs) -> ExitCode {
    use capdiag::check::{self, summary};
    let captures = match check::discover(&args.paths) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("capdiag: {e}");
            return ExitCode::from(2);
        }
    };
    let opts = match super::common::chain_options(None, None, &args.secrets) {
        Ok(opts) => opts,
        Err(code) => return code,
    };
    let results = check::check_all_with(&captures, args.bless, &opts);
    let totals = check::totals(&results);
    let out = match args.format {
        CheckFormat::Json => {
            match serde_json::to_string_pretty(&summary::json_document(&results)) {
                Ok(s) => s + "\n",
                Err(e) => {
                    eprintln!("capdiag: cannot write JSON: {e}");
                    return ExitCode::from(2);
                }
            }
        }
        CheckFormat::Text => summary::text(&results),
    };
    print!("{out}");
    if totals.nothing_checked() {
        eprintln!(
            "capdiag: nothing checked: no capture has an expectation file (`capdiag check --bless` \
             writes them)"
        );
    }
    if let Some(path) = &args.junit
        && let Err(e) = std::fs::write(path, check::junit::render(&results))
    {
        eprintln!("capdiag: {}: {e}", path.display());
        return ExitCode::from(2);
    }
    ExitCode::from(totals.exit_code())
}
