//! The real binary in tmux at 80×24, 120×40 and 60×14: the verdict line of an IPv6 client at
//! 80×24, Esc with a filter active, Ctrl-C in the search prompt, the per-file frame number with
//! two inputs, the lane view, and the help at the minimum size. Every wait polls with a
//! deadline. Without tmux each test skips with a message on stderr; under CI (CI set) tmux is
//! required.

mod tui_support;

use tui_support::{Tmux, ipv6_srv_nxdomain, sample, split_sample, tmux_or_skip};

#[test]
fn the_verdict_line_keeps_the_verdict_for_an_ipv6_client_at_80x24() {
    if !tmux_or_skip("tui_tmux_views::ipv6_verdict") {
        return;
    }
    let capture = ipv6_srv_nxdomain();
    let tmux = Tmux::start("ipv6", 80, 24, &[&capture]);
    let screen = tmux.wait_for("the chain bar", |s| s.contains("BROKEN at dc_locator_dns"));
    let head = screen.lines().next().unwrap_or_default();
    assert!(
        head.contains("client 2a00:602") && head.contains('…') && head.contains("9dc4"),
        "the client is shortened in the middle:\n{screen}"
    );
    assert!(
        head.trim_end().ends_with("BROKEN at dc_locator_dns"),
        "the verdict is whole:\n{screen}"
    );
    let cause = screen.lines().nth(2).unwrap_or_default();
    assert!(cause.contains("✗ dns.nxdomain"), "{screen}");
    tmux.keys(&["q"]);
    tmux.wait_for("the exit", |s| s.contains("EXIT=1"));
}

#[test]
fn esc_clears_an_active_filter_before_it_quits() {
    if !tmux_or_skip("tui_tmux_views::esc_filter") {
        return;
    }
    let capture = sample("scp-missing.pcap");
    let tmux = Tmux::start("esc", 120, 40, &[&capture]);
    tmux.wait_for("the timeline", |s| s.contains("filter all"));
    tmux.keys(&["f"]);
    tmux.wait_for("the DNS filter", |s| s.contains("filter DNS"));
    tmux.keys(&["Escape"]);
    let screen = tmux.wait_for("the filter cleared", |s| s.contains("filter all"));
    assert!(
        !screen.contains("EXIT="),
        "Esc quit with a filter:\n{screen}"
    );
    tmux.keys(&["Escape"]);
    tmux.wait_for("the exit", |s| s.contains("EXIT=1"));
}

#[test]
fn ctrl_c_quits_from_the_search_prompt() {
    if !tmux_or_skip("tui_tmux_views::ctrl_c_prompt") {
        return;
    }
    let capture = sample("scp-missing.pcap");
    let tmux = Tmux::start("ctrlc", 80, 24, &[&capture]);
    tmux.wait_for("the timeline", |s| s.contains("Timeline"));
    tmux.keys(&["/", "ldap"]);
    tmux.wait_for("the prompt", |s| s.contains("/ldap█"));
    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for("the exit", |s| s.contains("EXIT="));
    assert!(screen.contains("EXIT=1"), "{screen}");
}

#[test]
fn two_inputs_show_each_files_own_frame_number() {
    if !tmux_or_skip("tui_tmux_views::two_inputs") {
        return;
    }
    let (odd, even) = split_sample("scp-missing.pcap");
    let tmux = Tmux::start("files", 120, 40, &[&odd, &even]);
    tmux.wait_for("the timeline", |s| s.contains("file #"));
    tmux.keys(&["n"]);
    // Merged frame 29 is the 15th frame of the odd half.
    let screen = tmux.wait_for("the search's detail", |s| {
        s.contains("Frame 29 (odd-scp-missing.pcap #15) · LDAP search")
    });
    assert!(
        screen.contains("odd-scp-missing.pcap #15"),
        "the file column names the file:\n{screen}"
    );
    assert!(
        screen.contains("in odd-scp-missing.pcap alone:"),
        "a filter for that file:\n{screen}"
    );
    tmux.keys(&["q"]);
    tmux.wait_for("the exit", |s| s.contains("EXIT=1"));
}

#[test]
fn t_shows_the_lanes_with_the_failed_exchange() {
    if !tmux_or_skip("tui_tmux_views::lanes") {
        return;
    }
    let capture = sample("tls-untrusted.pcap");
    let tmux = Tmux::start("lanes", 80, 24, &[&capture]);
    tmux.wait_for("the timeline", |s| s.contains("Timeline"));
    tmux.keys(&["x", "t"]);
    let screen = tmux.wait_for("the lanes", |s| s.contains(" Lanes "));
    for lane in ["client", "DNS", "DC/LDAP", "KDC", "HTTPS"] {
        assert!(
            screen.lines().any(|l| l.starts_with(lane)),
            "lane {lane}:\n{screen}"
        );
    }
    let https = screen
        .lines()
        .find(|l| l.starts_with("HTTPS"))
        .unwrap_or_default();
    assert!(https.contains('✗'), "the failed handshake:\n{screen}");
    tmux.keys(&["t"]);
    tmux.wait_for("the rows again", |s| s.contains("Timeline"));
    tmux.keys(&["q"]);
    tmux.wait_for("the exit", |s| s.contains("EXIT=1"));
}

#[test]
fn the_help_scrolls_at_the_minimum_size() {
    if !tmux_or_skip("tui_tmux_views::help_60x14") {
        return;
    }
    let capture = sample("scp-missing.pcap");
    let tmux = Tmux::start("help", 60, 14, &[&capture]);
    tmux.wait_for("the timeline", |s| s.contains("Timeline"));
    tmux.keys(&["?"]);
    let screen = tmux.wait_for("the help", |s| s.contains("Keys — ? or Esc closes · 1–"));
    assert!(!screen.contains("Marks:"), "all of it fits?\n{screen}");
    tmux.keys(&["End"]);
    let screen = tmux.wait_for("the end of the help", |s| s.contains("Marks:"));
    assert!(screen.contains("mouse"), "{screen}");
    tmux.keys(&["Escape"]);
    tmux.wait_for("the help closed", |s| !s.contains("Keys —"));
    tmux.keys(&["q"]);
    tmux.wait_for("the exit", |s| s.contains("EXIT=1"));
}
