//! The README's excerpt is the real output of the command the README shows: each run of lines
//! between `…` markers must appear, in order and unchanged, in what `capdiag analyze` prints for
//! the sample the Quick start names.

use std::process::Command;

fn readme() -> String {
    std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).expect("README.md")
}

/// The first ```text block after "Excerpt of the output".
fn excerpt(readme: &str) -> Vec<String> {
    let after = readme
        .split_once("Excerpt of the output")
        .map(|(_, rest)| rest)
        .expect("the README has an excerpt");
    let block = after
        .split_once("```text\n")
        .and_then(|(_, rest)| rest.split_once("```"))
        .map(|(block, _)| block)
        .expect("the excerpt is a text block");
    block.lines().map(str::to_string).collect()
}

#[test]
fn the_readme_excerpt_is_what_the_quick_start_command_prints() {
    let text = readme();
    assert!(
        text.contains("cargo run --release -- analyze samples/tls-untrusted.pcap"),
        "the Quick start command changed: update this test's sample"
    );
    let out = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .args(["analyze", "--color", "never", "samples/tls-untrusted.pcap"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("capdiag runs");
    let printed: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let lines = excerpt(&text);
    let runs: Vec<&[String]> = lines.split(|l| l == "…").collect();
    assert!(runs.len() >= 2 && runs.iter().all(|r| !r.is_empty()));
    let mut from = 0;
    for run in runs {
        let at = printed[from..]
            .windows(run.len())
            .position(|w| w == run)
            .unwrap_or_else(|| {
                panic!(
                    "README excerpt lines not printed (in this order) by the command:\n{}",
                    run.join("\n")
                )
            });
        from += at + run.len();
    }
    // The verdict block opens the report: its first run starts with the capture line.
    assert_eq!(printed.first(), lines.first());
}
