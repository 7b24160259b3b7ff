//! The reports with several inputs: next to the merged frame numbers (for `mergecap` users) the
//! text, JSON and HTML name each evidence frame's file and its number there, with a Wireshark
//! filter that works on that file alone. With one input the text report is unchanged.

mod tui_support;

use std::process::Command;

fn analyze(args: &[&str], files: &[&std::path::Path]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_capdiag"))
        .arg("analyze")
        .args(args)
        .args(files)
        .output()
        .expect("capdiag runs");
    assert_eq!(out.status.code(), Some(1), "a broken chain");
    String::from_utf8(out.stdout).expect("utf-8")
}

#[test]
fn two_inputs_name_each_files_frames_in_every_report() {
    let (odd, even) = tui_support::split_sample("scp-missing.pcap");
    let files = [odd.as_path(), even.as_path()];
    let text = analyze(&["--color", "never"], &files);
    assert!(text.contains("Wireshark frame.number in {29 30}"), "{text}");
    assert!(
        text.contains("In files  odd-scp-missing.pcap #15; even-scp-missing.pcap #15"),
        "{text}"
    );
    assert!(
        text.contains("Wireshark frame.number in {15}   (in odd-scp-missing.pcap)"),
        "{text}"
    );

    let json: serde_json::Value =
        serde_json::from_str(&analyze(&["--format", "json"], &files)).expect("JSON");
    let cause = &json["chains"][0]["cause"];
    assert_eq!(cause["frames"], serde_json::json!([29, 30]));
    assert_eq!(
        cause["file_frames"][0],
        serde_json::json!({"frame": 29, "input": 0, "file": "odd-scp-missing.pcap", "file_frame": 15})
    );
    assert_eq!(
        cause["wireshark_filters"][1],
        serde_json::json!({"input": 1, "file": "even-scp-missing.pcap", "filter": "frame.number in {15}"})
    );

    let page = odd.with_extension("html");
    let page_arg = page.to_string_lossy().into_owned();
    analyze(&["--quiet", "--html", &page_arg], &files);
    let html = std::fs::read_to_string(&page).expect("the HTML report");
    assert!(html.contains("<b>In the files:</b>"), "HTML");
    assert!(html.contains("odd-scp-missing.pcap: <code>frame.number in {15}</code>"));
}

#[test]
fn one_input_has_no_file_lines() {
    let sample = tui_support::sample("scp-missing.pcap");
    let text = analyze(&["--color", "never"], &[&sample]);
    assert!(!text.contains("In files"), "{text}");
    let json = analyze(&["--format", "json"], &[&sample]);
    assert!(!json.contains("file_frames"));
}
