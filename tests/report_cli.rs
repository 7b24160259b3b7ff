//! The command line of the report work: `analyze --html FILE` writes the page and still prints
//! the text report, `--format mermaid` prints the diagram, and `completions` / `man` print what
//! shells and man(1) read.

use std::process::Command;

fn capdiag(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("capdiag runs")
}

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

#[test]
fn html_is_written_in_addition_to_the_normal_output() {
    let dir = std::env::temp_dir().join(format!("capdiag-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("report.html");
    let file_arg = file.to_string_lossy().into_owned();
    let o = capdiag(&[
        "analyze",
        "--color",
        "never",
        "--html",
        &file_arg,
        "samples/scp-missing.pcap",
    ]);
    assert_eq!(o.status.code(), Some(1), "a broken chain exits 1");
    let text = stdout(&o);
    assert!(text.contains("BROKEN at scp_search"), "{text}");
    let page = std::fs::read_to_string(&file).expect("--html wrote the file");
    assert!(page.starts_with("<!DOCTYPE html>"));
    assert!(page.contains("BROKEN at scp_search: SCP search in CN=Configuration"));
    // JSON on stdout and HTML in the file work together too.
    let o = capdiag(&[
        "analyze",
        "--format",
        "json",
        "--html",
        &file_arg,
        "samples/complete.pcap",
    ]);
    assert_eq!(o.status.code(), Some(0));
    assert!(stdout(&o).contains("\"schema\": \"capdiag/1\""));
    assert!(
        std::fs::read_to_string(&file)
            .expect("rewritten")
            .contains("COMPLETE: HTTPS reached")
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn unwritable_html_path_is_an_error() {
    let o = capdiag(&[
        "analyze",
        "--html",
        "/nonexistent-dir/report.html",
        "samples/complete.pcap",
    ]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot write"));
}

#[test]
fn format_mermaid_prints_a_sequence_diagram() {
    let o = capdiag(&[
        "analyze",
        "--format",
        "mermaid",
        "samples/ldap-refused.pcap",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let mm = stdout(&o);
    assert!(mm.starts_with("sequenceDiagram\n"), "{mm}");
    assert!(
        mm.contains("rect rgb(255, 205, 210)\n        C-xP2: [9] TCP SYN to port 389"),
        "{mm}"
    );
    assert!(mm.contains("✗ BROKEN HERE tcp.refused"));
}

#[test]
fn completions_for_each_shell() {
    // (shell, what marks its script, how it names the --html flag, whether it completes values)
    for (shell, marker, html_flag, values) in [
        ("bash", "complete -F", "--html", true),
        ("zsh", "#compdef capdiag", "--html", true),
        ("fish", "complete -c capdiag", "-l html", true),
        (
            "powershell",
            "Register-ArgumentCompleter",
            "'--html'",
            false,
        ),
    ] {
        let o = capdiag(&["completions", shell]);
        assert!(o.status.success(), "{shell}");
        let s = stdout(&o);
        assert!(s.contains(marker), "{shell} completion lacks {marker:?}");
        assert!(s.contains(html_flag), "{shell}: --html not completed");
        assert!(
            !values || s.contains("mermaid"),
            "{shell}: --format values not completed"
        );
    }
    let o = capdiag(&["completions", "tcsh"]);
    assert_eq!(o.status.code(), Some(2), "unknown shell is a usage error");
}

#[test]
fn man_page_is_roff_naming_the_subcommands() {
    let o = capdiag(&["man"]);
    assert!(o.status.success());
    let man = stdout(&o);
    assert!(
        man.starts_with(".ie") || man.contains(".TH capdiag"),
        "{}",
        &man[..man.len().min(200)]
    );
    assert!(man.contains(".TH capdiag 1"));
    for word in ["analyze", "completions", "man"] {
        assert!(man.contains(word), "man page lacks {word}");
    }
}
