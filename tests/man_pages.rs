//! The man pages through the binary: `capdiag man --dir DIR` writes capdiag(1) and one page per
//! subcommand that `capdiag --help` lists; every page it refers to exists; each page holds every
//! option its subcommand's `--help` shows, the exit codes and the environment (NO_COLOR); and
//! `capdiag man SUBCOMMAND` prints the same page.

use std::path::PathBuf;
use std::process::{Command, Output};

fn capdiag(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(args)
        .output()
        .expect("capdiag runs")
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The subcommands `capdiag --help` lists (clap's own `help` aside).
fn subcommands() -> Vec<String> {
    let help = stdout(&capdiag(&["--help"]));
    help.lines()
        .skip_while(|l| !l.starts_with("Commands:"))
        .skip(1)
        .take_while(|l| l.starts_with("  "))
        .filter_map(|l| l.split_whitespace().next())
        .filter(|c| *c != "help")
        .map(str::to_string)
        .collect()
}

/// Every `--long` option a help text shows.
fn long_options(help: &str) -> Vec<String> {
    let mut out: Vec<String> = help
        .lines()
        .filter_map(|l| {
            let t = l.trim_start();
            // `-q, --quiet`: the long name after the short one.
            let t = match t.as_bytes() {
                [b'-', s, b',', b' ', ..] if *s != b'-' => &t[4..],
                _ => t,
            };
            let opt = t.strip_prefix("--")?;
            let name: String = opt
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                .collect();
            Some(format!("--{name}"))
        })
        .collect();
    out.sort();
    out.dedup();
    out
}

/// How roff writes `--show-secrets` (every `-` escaped).
fn roff_dashes(s: &str) -> String {
    s.replace('-', "\\-")
}

fn scratch() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("capdiag-man-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn man_dir_writes_one_page_per_subcommand_with_options_exit_codes_and_environment() {
    let dir = scratch();
    let o = capdiag(&["man", "--dir", dir.to_str().unwrap()]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let listed = stdout(&o);
    let subs = subcommands();
    assert!(subs.len() >= 6, "{subs:?}");
    let analyze = long_options(&stdout(&capdiag(&["analyze", "--help"])));
    for opt in ["--domain", "--quiet", "--show-secrets", "--wait"] {
        assert!(
            analyze.iter().any(|o| o == opt),
            "{opt} not read: {analyze:?}"
        );
    }
    let main = std::fs::read_to_string(dir.join("capdiag.1")).expect("capdiag.1 written");
    assert!(listed.contains("capdiag.1"), "{listed}");
    for sub in &subs {
        let file = dir.join(format!("capdiag-{sub}.1"));
        let page =
            std::fs::read_to_string(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
        assert!(listed.contains(&format!("capdiag-{sub}.1")), "{listed}");
        assert!(
            main.contains(&format!("capdiag\\-{sub}(1)")),
            "capdiag(1) does not refer to capdiag-{sub}(1)"
        );
        assert!(page.contains(&format!(".TH capdiag-{sub} 1")), "{sub}");
        for section in [".SH OPTIONS", ".SH \"EXIT STATUS\"", ".SH ENVIRONMENT"] {
            assert!(page.contains(section), "capdiag-{sub}(1) lacks {section}");
        }
        assert!(page.contains("NO_COLOR"), "capdiag-{sub}(1)");
        assert!(
            page.contains("\\fB2\\fR"),
            "capdiag-{sub}(1) lacks exit code 2"
        );
        let help = stdout(&capdiag(&[sub, "--help"]));
        for opt in long_options(&help) {
            assert!(
                page.contains(&format!("\\fB{}\\fR", roff_dashes(&opt))),
                "capdiag-{sub}(1) lacks {opt}"
            );
        }
        // The page on standard output is the file.
        let one = capdiag(&["man", sub]);
        assert!(one.status.success(), "man {sub}");
        assert_eq!(stdout(&one), page, "capdiag man {sub}");
    }
    // Every page capdiag(1) refers to was written.
    for (i, _) in main.match_indices("capdiag\\-") {
        let rest = &main[i + "capdiag\\-".len()..];
        if let Some((name, _)) = rest.split_once("(1)")
            && name.chars().all(|c| c.is_ascii_lowercase())
        {
            assert!(
                dir.join(format!("capdiag-{name}.1")).exists(),
                "capdiag(1) refers to capdiag-{name}(1), which was not written"
            );
        }
    }
    assert_eq!(stdout(&capdiag(&["man"])), main);
}

#[test]
fn an_unknown_page_is_a_usage_error_naming_the_pages() {
    let o = capdiag(&["man", "nonesuch"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("nonesuch") && err.contains("analyze"), "{err}");
}
