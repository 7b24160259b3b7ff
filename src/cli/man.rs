//! `capdiag man`: the man pages, on standard output or into a directory.

use std::io::Write;
use std::process::ExitCode;

use clap::CommandFactory;

use super::args::*;

/// `capdiag man`: one page on standard output, or every page into `--dir`.
pub(crate) fn man(args: ManArgs) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let written = match &args.dir {
        Some(dir) => capdiag::man::write_dir(Cli::command(), dir).and_then(|files| {
            files
                .iter()
                .try_for_each(|f| writeln!(out, "{}", f.display()))
                .map_err(|e| e.to_string())
        }),
        None => capdiag::man::page(Cli::command(), args.subcommand.as_deref())
            .and_then(|p| out.write_all(&p.roff).map_err(|e| e.to_string())),
    };
    match written.and_then(|()| out.flush().map_err(|e| e.to_string())) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("capdiag: {e}");
            ExitCode::from(2)
        }
    }
}
