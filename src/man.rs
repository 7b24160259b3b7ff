//! Man pages from the command-line definition (clap_mangen): `capdiag(1)` and one page per
//! subcommand (`capdiag-analyze(1)`, `capdiag-check(1)`, ...), each with every option, the exit
//! codes and the environment. `capdiag man [SUBCOMMAND]` prints one; `capdiag man --dir DIR`
//! writes them all, for `man` to find.

use std::path::{Path, PathBuf};

use clap::Command;
use clap_mangen::Man;
use clap_mangen::roff::{Roff, bold, roman};

/// One rendered page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// `capdiag` or `capdiag-<subcommand>`.
    pub name: String,
    /// The roff source.
    pub roff: Vec<u8>,
}

impl Page {
    /// The file name `man` looks for: `capdiag-check.1`.
    pub fn file_name(&self) -> String {
        format!("{}.1", self.name)
    }
}

/// The command as the pages describe it: built (so subcommands know their full names) and
/// without clap's `help` subcommand, which has no page of its own.
fn prepared(cmd: Command) -> Command {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The subcommands that get a page, in the order the command declares them.
fn subcommands(cmd: &Command) -> impl Iterator<Item = &Command> {
    cmd.get_subcommands().filter(|s| !s.is_hide_set())
}

/// The page of the whole command (`sub` = None) or of one subcommand; an unknown subcommand
/// is an error naming the ones there are.
pub fn page(cmd: Command, sub: Option<&str>) -> Result<Page, String> {
    let cmd = prepared(cmd);
    let Some(name) = sub else {
        return render(&cmd, &cmd, None);
    };
    match subcommands(&cmd).find(|s| s.get_name() == name) {
        Some(s) => render(&cmd, s, Some(name)),
        None => {
            let known: Vec<&str> = subcommands(&cmd).map(Command::get_name).collect();
            Err(format!(
                "no man page for `{name}` (there are: {})",
                known.join(", ")
            ))
        }
    }
}

/// Every page: the command's, then one per subcommand.
pub fn pages(cmd: Command) -> Result<Vec<Page>, String> {
    let cmd = prepared(cmd);
    let mut out = vec![render(&cmd, &cmd, None)?];
    for s in subcommands(&cmd) {
        out.push(render(&cmd, s, Some(s.get_name()))?);
    }
    Ok(out)
}

/// Writes every page into `dir` (created if missing); returns the files written.
pub fn write_dir(cmd: Command, dir: &Path) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut written = Vec::new();
    for p in pages(cmd)? {
        let path = dir.join(p.file_name());
        std::fs::write(&path, &p.roff).map_err(|e| format!("{}: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

/// The page of `cmd`, which is `root` itself or its subcommand `sub`.
fn render(root: &Command, cmd: &Command, sub: Option<&str>) -> Result<Page, String> {
    let bin = root.get_name();
    let name = match sub {
        Some(s) => format!("{bin}-{s}"),
        None => bin.to_string(),
    };
    let source = format!("{bin} {}", root.get_version().unwrap_or_default());
    let man = Man::new(cmd.clone()).title(name.clone()).source(source);
    let mut out = Vec::new();
    let io = |e: std::io::Error| format!("cannot render the man page {name}: {e}");
    // clap_mangen's own sections, then the ones clap knows nothing about.
    man.render_title(&mut out).map_err(io)?;
    man.render_name_section(&mut out).map_err(io)?;
    man.render_synopsis_section(&mut out).map_err(io)?;
    man.render_description_section(&mut out).map_err(io)?;
    if cmd.get_arguments().any(|a| !a.is_hide_set()) {
        man.render_options_section(&mut out).map_err(io)?;
    }
    if subcommands(cmd).next().is_some() {
        man.render_subcommands_section(&mut out).map_err(io)?;
    }
    let mut roff = Roff::default();
    exit_status(&mut roff, sub);
    environment(&mut roff, sub);
    see_also(&mut roff, cmd, bin, sub);
    roff.to_writer(&mut out).map_err(io)?;
    if cmd.get_version().is_some() {
        man.render_version_section(&mut out).map_err(io)?;
    }
    Ok(Page {
        name,
        roff: once_preamble(&out),
    })
}

/// Each section rendered on its own starts with roff's two-line `Aq` string definition: keep
/// the first, drop the repeats.
fn once_preamble(roff: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(roff);
    let mut out = String::with_capacity(text.len());
    let mut seen = false;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        if line.starts_with(".ie \\n(.g .ds Aq")
            && lines.peek().is_some_and(|l| l.starts_with(".el .ds Aq"))
        {
            let el = lines.next().unwrap_or_default();
            if !seen {
                out.push_str(line);
                out.push_str(el);
                seen = true;
            }
            continue;
        }
        out.push_str(line);
    }
    if !out.ends_with('\n') {
        out.push('\n');
    }
    out.into_bytes()
}

/// A `.TP` list: a bold tag, then its text.
fn tagged(roff: &mut Roff, items: &[(&str, &str)]) {
    for (tag, text) in items {
        roff.control("TP", []);
        roff.text([bold(*tag)]);
        roff.text([roman(*text)]);
    }
}

const VERDICT_CODES: &[(&str, &str)] = &[
    (
        "0",
        "every chain is complete (HTTPS reached for an Autodiscover host), or there is nothing to judge",
    ),
    (
        "1",
        "a chain is broken (first failed stage, with its cause) or incomplete (the capture ends first)",
    ),
    (
        "2",
        "usage error, or an input could not be read (not a capture, empty, no complete packet, \
         unsupported link type): one line on standard error names the file and the reason; \
         with several files the readable ones are still analysed and reported",
    ),
];

const CHECK_CODES: &[(&str, &str)] = &[
    (
        "0",
        "every capture with an expectation file passed (with --bless: every expectation written)",
    ),
    (
        "1",
        "a capture's diagnosis differs from its expectation file",
    ),
    (
        "2",
        "usage error; a capture or an expectation file could not be read; or nothing was \
         checked (no capture found, or none has an expectation file)",
    ),
];

const PRINT_CODES: &[(&str, &str)] = &[
    ("0", "written"),
    (
        "2",
        "usage error (e.g. an unknown shell or subcommand), or the output could not be written",
    ),
];

fn exit_status(roff: &mut Roff, sub: Option<&str>) {
    roff.control("SH", ["EXIT STATUS"]);
    match sub {
        None => {
            roff.text([roman(
                "analyze, tui and live (the latter two once the user quits or the capture ends):",
            )]);
            tagged(roff, VERDICT_CODES);
            roff.control("PP", []);
            roff.text([roman(
                "check: 0 all passed, 1 any failed, 2 an unreadable capture or expectation file, \
                 or nothing checked; see capdiag-check(1).",
            )]);
        }
        Some("check") => tagged(roff, CHECK_CODES),
        Some("completions" | "man") => tagged(roff, PRINT_CODES),
        Some(s) => {
            if s == "tui" {
                roff.text([roman(
                    "Once the user quits; quitting while a capture still loads gives 1.",
                )]);
            }
            tagged(roff, VERDICT_CODES);
        }
    }
}

const NO_COLOR: &str = "With --color auto (the default), the text report is coloured only when \
                        standard output is a terminal and NO_COLOR is unset or empty.";

fn environment(roff: &mut Roff, sub: Option<&str>) {
    roff.control("SH", ["ENVIRONMENT"]);
    let text = match sub {
        None => {
            "analyze and live colour their text report only when standard output \
                 is a terminal, --color is auto (the default) and NO_COLOR is unset or empty."
        }
        Some("analyze" | "live") => NO_COLOR,
        Some("tui") => "NO_COLOR is not read: the timeline always uses the terminal's colours.",
        Some(_) => "NO_COLOR is not read: this subcommand prints no colour.",
    };
    tagged(roff, &[("NO_COLOR", text)]);
}

fn see_also(roff: &mut Roff, cmd: &Command, bin: &str, sub: Option<&str>) {
    roff.control("SH", ["SEE ALSO"]);
    let refs: Vec<String> = match sub {
        Some(_) => vec![format!("{bin}(1)")],
        None => subcommands(cmd)
            .map(|s| format!("{bin}-{}(1)", s.get_name()))
            .collect(),
    };
    let docs = match sub {
        Some("check") => "docs/check.md (the expectation file format and the JSON document)",
        Some("tui") => "docs/tui.md (the keys)",
        _ => "docs/json.md (the JSON document and exit codes), docs/causes.md (every cause code)",
    };
    roff.text([roman(format!(
        "{}; in the source tree: {docs}.",
        refs.join(", ")
    ))]);
}
