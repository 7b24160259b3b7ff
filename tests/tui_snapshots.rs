//! Rendered screens of the TUI on every lab sample (ratatui's TestBackend, insta snapshots in
//! tests/snapshots/): the first screen and the screen after `n` at 80×24, the broken and
//! complete chains at 160×40, the help overlay (also scrolled at 60×14), the too-small
//! message, the lane view, the copy menu, two inputs with each file's frame numbers, and the
//! header of an IPv6 client at 80×24.

mod tui_support;

use std::path::PathBuf;

use capdiag::analysis::analyze_paths;
use capdiag::chain::ChainOptions;
use capdiag::tui::state::{Action, State};
use capdiag::tui::view;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::buffer::Buffer;
use ratatui::layout::Rect;
use ratatui::style::Color;

const SAMPLES: [&str; 15] = [
    "bind-invalid-credentials",
    "complete-gssapi",
    "complete",
    "http-redirect",
    "https-refused",
    "https-timeout",
    "kerberos-preauth-failed",
    "ldap-refused",
    "sasl-sealed-scp-missing",
    "sasl-sealed",
    "sasl-signed",
    "scp-missing",
    "scp-stale-host",
    "srv-nxdomain",
    "tls-untrusted",
];

fn state(name: &str) -> State {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(format!("{name}.pcap"));
    state_of(&[path])
}

fn state_of(paths: &[PathBuf]) -> State {
    let (a, errors) = analyze_paths(paths, &ChainOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    State::new(a.expect("capture is readable"))
}

/// Lays out and draws like the event loop does, and returns the buffer.
fn render(state: &mut State, width: u16, height: u16) -> Buffer {
    let area = Rect::new(0, 0, width, height);
    if let Some(areas) = view::layout(area, state) {
        let (t, d) = view::pane_heights(&areas);
        state.set_heights(t, d);
    }
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("test terminal");
    terminal
        .draw(|f| view::draw(f, state))
        .expect("draw on a test terminal");
    terminal.backend().buffer().clone()
}

fn text(buf: &Buffer) -> String {
    let area = buf.area;
    let mut out = String::new();
    for y in 0..area.height {
        let mut line = String::new();
        for x in 0..area.width {
            line.push_str(buf.cell((x, y)).map(|c| c.symbol()).unwrap_or(" "));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[test]
fn every_sample_at_80x24_before_and_after_n() {
    for name in SAMPLES {
        let mut s = state(name);
        let first = text(&render(&mut s, 80, 24));
        insta::assert_snapshot!(format!("{name}_80x24"), first);
        s.apply(Action::NextFinding);
        let finding = text(&render(&mut s, 80, 24));
        insta::assert_snapshot!(format!("{name}_80x24_n"), finding);
    }
}

#[test]
fn broken_and_complete_chains_wide() {
    for name in [
        "scp-missing",
        "tls-untrusted",
        "bind-invalid-credentials",
        "complete",
    ] {
        let mut s = state(name);
        s.apply(Action::NextFinding);
        let screen = text(&render(&mut s, 160, 40));
        insta::assert_snapshot!(format!("{name}_160x40_n"), screen);
    }
}

#[test]
fn help_overlay_lists_every_key() {
    let mut s = state("scp-missing");
    s.apply(Action::Help);
    let screen = text(&render(&mut s, 80, 24));
    for (keys, _) in capdiag::tui::keys::KEYS {
        assert!(screen.contains(keys), "{keys} missing from the help");
    }
    insta::assert_snapshot!("help_80x24", screen);
}

#[test]
fn expanded_detail_shows_the_ldp_recipe() {
    let mut s = state("scp-missing");
    s.apply(Action::NextFinding);
    s.apply(Action::Expand);
    s.apply(Action::PageDown);
    let screen = text(&render(&mut s, 80, 24));
    insta::assert_snapshot!("scp_missing_expanded_80x24", screen);
}

#[test]
fn too_small_terminal_says_so() {
    let mut s = state("scp-missing");
    let screen = text(&render(&mut s, 50, 10));
    assert!(screen.contains("Terminal too small"));
    assert!(screen.contains("50×10"));
}

#[test]
fn the_failed_stage_is_red_in_the_chain_bar() {
    let mut s = state("scp-missing");
    let buf = render(&mut s, 80, 24);
    let line: String = (0..80)
        .map(|x| buf.cell((x, 1)).map(|c| c.symbol()).unwrap_or(" "))
        .collect();
    let x = line
        .chars()
        .position(|c| c == '✗')
        .expect("a failed stage mark") as u16;
    assert_eq!(buf.cell((x, 1)).map(|c| c.fg), Some(Color::Red));
    let ok = line
        .chars()
        .position(|c| c == '✓')
        .expect("an ok stage mark") as u16;
    assert_eq!(buf.cell((ok, 1)).map(|c| c.fg), Some(Color::Green));
}

#[test]
fn lane_view_of_a_failed_handshake() {
    let mut s = state("tls-untrusted");
    s.apply(Action::JumpFailure);
    s.apply(Action::ToggleLanes);
    insta::assert_snapshot!("tls-untrusted_lanes_80x24", text(&render(&mut s, 80, 24)));
    insta::assert_snapshot!("tls-untrusted_lanes_120x40", text(&render(&mut s, 120, 40)));
}

#[test]
fn copy_menu_of_a_search_row() {
    let mut s = state("scp-missing");
    s.apply(Action::NextFinding);
    s.apply(Action::Copy);
    insta::assert_snapshot!("scp-missing_copy_menu_80x24", text(&render(&mut s, 80, 24)));
}

#[test]
fn two_inputs_show_the_file_and_its_frame_number() {
    let (odd, even) = tui_support::split_sample("scp-missing.pcap");
    let mut s = state_of(&[odd, even]);
    s.apply(Action::NextFinding);
    let screen = text(&render(&mut s, 120, 40));
    assert!(screen.contains("odd-scp-missing.pcap #15"), "{screen}");
    insta::assert_snapshot!("two_inputs_120x40_n", screen);
}

#[test]
fn an_ipv6_client_keeps_the_verdict_at_80x24() {
    let mut s = state_of(&[tui_support::ipv6_srv_nxdomain()]);
    let screen = text(&render(&mut s, 80, 24));
    let head = screen.lines().next().unwrap_or_default();
    assert!(head.ends_with("BROKEN at dc_locator_dns"), "{screen}");
    insta::assert_snapshot!("ipv6_client_80x24", screen);
}

#[test]
fn help_scrolls_at_60x14() {
    let mut s = state("scp-missing");
    s.apply(Action::Help);
    insta::assert_snapshot!("help_60x14", text(&render(&mut s, 60, 14)));
    s.apply(Action::End);
    s.help_scroll = s
        .help_scroll
        .min(view::help::max_scroll(Rect::new(0, 0, 60, 14)));
    let end = text(&render(&mut s, 60, 14));
    assert!(end.contains("Marks:"), "{end}");
    insta::assert_snapshot!("help_60x14_end", end);
}

#[test]
fn the_certificate_row_shows_subject_issuer_names_and_validity() {
    let mut s = state("tls-untrusted");
    let cert = s
        .all_rows()
        .iter()
        .position(|r| r.kind == "certificate")
        .expect("a certificate row");
    for _ in 0..cert {
        s.apply(Action::Down);
    }
    s.apply(Action::Expand);
    let screen = text(&render(&mut s, 100, 40));
    for want in [
        "subject:",
        "issuer:",
        "(self-signed)",
        "DNS names (SAN):",
        "valid:",
    ] {
        assert!(screen.contains(want), "{want} missing:\n{screen}");
    }
    insta::assert_snapshot!("tls-untrusted_certificate_100x40", screen);
}
