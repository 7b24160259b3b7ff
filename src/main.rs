//! The `capdiag` command line: parses arguments, runs the library, prints (and with `--html`
//! also writes the HTML report), and maps the outcome to the documented exit codes (0 every chain
//! complete or nothing to judge, 1 a chain broken or incomplete, 2 usage error, unreadable input
//! or unwritable report). `capdiag tui` (or `analyze --tui`) maps its outcome the same way once
//! the user quits; quitting while a capture still loads gives 1. `check` compares captures with
//! their pinned verdicts; `completions` and `man` print shell completions and the man pages.
#![forbid(unsafe_code)]

mod cli;

use std::process::ExitCode;

use clap::{CommandFactory, Parser};

use cli::args::{Cli, Command, TuiArgs};

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
        Command::Analyze(args) if args.tui => cli::tui::tui(TuiArgs {
            files: args.files,
            live: None,
            domain: args.domain,
            email: args.email,
            secrets: args.secrets,
        }),
        Command::Analyze(args) if args.follow => cli::follow::follow(args),
        Command::Analyze(args) => cli::analyze::analyze(args),
        Command::Check(args) => cli::check::check(args),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "capdiag", &mut std::io::stdout());
            ExitCode::SUCCESS
        }
        Command::Man(args) => cli::man::man(args),
        Command::Tui(args) => cli::tui::tui(args),
        Command::Live(args) => cli::follow::live(args),
    }
}
