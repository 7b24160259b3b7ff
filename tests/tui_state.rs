//! The TUI's state without a terminal, on the lab samples: rows, selection, finding jumps,
//! protocol filter, search, client switch, help, copy and appending rows.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use capdiag::analysis::{Analysis, analyze_paths};
use capdiag::chain::{ChainOptions, StageKind};
use capdiag::tui::detail::Line;
use capdiag::tui::rows::{Proto, RowStatus, build_rows};
use capdiag::tui::state::{Action, Effect, Pane, State};

fn sample(name: &str) -> Analysis {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("samples")
        .join(name);
    let (a, errors) = analyze_paths(&[path], &ChainOptions::default());
    assert!(errors.is_empty(), "{errors:?}");
    a.expect("sample is readable")
}

fn state(name: &str) -> State {
    let mut s = State::new(sample(name));
    s.set_heights(10, 8);
    s
}

fn selected_frame(s: &State) -> u64 {
    s.selected_row().map(|r| r.frame).unwrap_or_default()
}

#[test]
fn rows_follow_frame_order_and_map_to_stages() {
    let a = sample("scp-missing.pcap");
    let rows = build_rows(&a);
    assert!(rows.windows(2).all(|w| w[0].frame <= w[1].frame));
    let first = &rows[0];
    assert_eq!(
        (first.frame, first.proto, first.kind),
        (1, Proto::Dns, "query")
    );
    assert_eq!(first.stage, Some(StageKind::DcLocatorDns));
    let search = rows
        .iter()
        .find(|r| r.frame == 29 && r.kind == "search")
        .expect("the SCP search row");
    assert_eq!(search.stage, Some(StageKind::ScpSearch));
    assert!(search.finding);
    let refused = rows
        .iter()
        .find(|r| r.kind == "refused")
        .expect("the refused 443 connection");
    assert_eq!(refused.status, RowStatus::Failed);
    assert_eq!(refused.stage, Some(StageKind::HttpsConnect));
    let answer = rows
        .iter()
        .find(|r| r.frame == 2)
        .expect("first DNS answer");
    assert!(answer.latency.is_some_and(|l| l > 0));
}

#[test]
fn n_and_shift_n_walk_the_findings() {
    let mut s = state("scp-missing.pcap");
    assert_eq!(selected_frame(&s), 1);
    s.apply(Action::NextFinding);
    assert_eq!(selected_frame(&s), 29);
    assert!(s.selected_row().is_some_and(|r| r.is_finding()));
    s.apply(Action::NextFinding);
    let second = selected_frame(&s);
    assert!(second >= 29);
    s.apply(Action::PrevFinding);
    assert_eq!(selected_frame(&s), 29);
    s.apply(Action::End);
    let last = s.selected_index();
    s.apply(Action::NextFinding);
    // Nothing after the last row: n stays and says so.
    assert_eq!(s.selected_index(), last);
    assert!(
        s.message
            .as_deref()
            .is_some_and(|m| m.contains("N goes back"))
    );
}

#[test]
fn the_failed_tls_handshake_is_reached_with_n_and_explained() {
    let mut s = state("tls-untrusted.pcap");
    s.apply(Action::NextFinding);
    let row = s.selected_row().expect("a finding");
    assert_eq!(row.stage, Some(StageKind::TlsHandshake));
    let detail = s.detail();
    assert!(detail.contains(&Line::Heading("Cause: tls.alert.unknown_ca".into())));
    assert!(
        detail
            .iter()
            .any(|l| matches!(l, Line::Heading(h) if h == "Fix"))
    );
    assert!(
        detail
            .iter()
            .any(|l| matches!(l, Line::Code(c) if c.starts_with("frame.number in {")))
    );
}

#[test]
fn movement_keys_select_and_scroll() {
    let mut s = state("complete.pcap");
    let n = s.visible_len();
    assert!(n > 20);
    s.apply(Action::Down);
    s.apply(Action::Down);
    assert_eq!(s.selected_index(), 2);
    s.apply(Action::Up);
    assert_eq!(s.selected_index(), 1);
    s.apply(Action::PageDown);
    assert_eq!(s.selected_index(), 10);
    assert!(s.offset() <= 10 && 10 < s.offset() + 10);
    s.apply(Action::End);
    assert_eq!(s.selected_index(), n - 1);
    assert_eq!(s.offset(), n - 10);
    s.apply(Action::Down);
    assert_eq!(s.selected_index(), n - 1);
    s.apply(Action::Home);
    assert_eq!((s.selected_index(), s.offset()), (0, 0));
    s.apply(Action::Up);
    assert_eq!(s.selected_index(), 0);
    s.apply(Action::ClickRow(3));
    assert_eq!(s.selected_index(), 3);
    // In the detail pane the same keys scroll the text, not the selection.
    s.apply(Action::SwitchPane);
    assert_eq!(s.focus, Pane::Detail);
    s.apply(Action::Down);
    assert_eq!((s.selected_index(), s.detail_scroll), (3, 1));
    s.apply(Action::Scroll(Pane::Timeline, 3));
    assert_eq!((s.selected_index(), s.focus), (6, Pane::Detail));
}

#[test]
fn f_cycles_the_protocols_present_and_keeps_the_selection() {
    let mut s = state("tls-untrusted.pcap");
    s.apply(Action::NextFinding);
    let frame = selected_frame(&s);
    let mut seen = vec![];
    loop {
        s.apply(Action::NextFilter);
        match s.filter() {
            None => break,
            Some(p) => {
                seen.push(p);
                assert!(s.visible_len() > 0);
                let rows: Vec<_> = s.window().map(|(_, r)| r.proto).collect();
                assert!(rows.iter().all(|r| *r == p), "{p:?}: {rows:?}");
            }
        }
        assert!(seen.len() <= Proto::ALL.len());
    }
    assert_eq!(
        seen,
        vec![
            Proto::Dns,
            Proto::Cldap,
            Proto::Tcp,
            Proto::Ldap,
            Proto::Tls
        ]
    );
    assert_eq!(selected_frame(&s), frame);
    s.apply(Action::NextFilter);
    s.apply(Action::NextFilter);
    s.apply(Action::NextFilter);
    s.apply(Action::NextFilter);
    s.apply(Action::NextFilter);
    assert_eq!(s.filter(), Some(Proto::Tls));
    assert_eq!(selected_frame(&s), frame, "the TLS row stays selected");
}

#[test]
fn slash_searches_and_esc_clears_then_quits() {
    let mut s = state("scp-missing.pcap");
    let all = s.visible_len();
    s.apply(Action::StartSearch);
    for c in "NXDOMAIN".chars() {
        // While typing, letters are text: n is not a jump.
        assert_eq!(s.apply(Action::SearchChar(c)), Effect::None);
    }
    assert_eq!(s.search_input(), Some("NXDOMAIN"));
    s.apply(Action::SearchConfirm);
    assert_eq!(s.search(), "NXDOMAIN");
    assert_eq!(s.visible_len(), 3);
    assert!(
        s.window()
            .all(|(_, r)| r.summary.contains("NXDOMAIN") && r.status == RowStatus::Failed)
    );
    assert_eq!(s.apply(Action::Back), Effect::None);
    assert_eq!(s.visible_len(), all);
    assert_eq!(s.apply(Action::Back), Effect::Quit);
}

#[test]
fn help_takes_keys_until_closed_but_q_still_quits() {
    let mut s = state("scp-missing.pcap");
    s.apply(Action::Help);
    assert!(s.help);
    s.apply(Action::Down);
    assert_eq!(s.selected_index(), 0);
    s.apply(Action::Back);
    assert!(!s.help);
    s.apply(Action::Help);
    assert_eq!(s.apply(Action::Quit), Effect::Quit);
}

#[test]
fn enter_expands_the_detail_and_esc_restores() {
    let mut s = state("scp-missing.pcap");
    s.apply(Action::Expand);
    assert!(s.expanded);
    assert_eq!(s.focus, Pane::Detail);
    assert_eq!(s.apply(Action::Back), Effect::None);
    assert!(!s.expanded);
    assert_eq!(s.focus, Pane::Timeline);
}

#[test]
fn y_opens_a_copy_menu_with_the_filter_command_snippet_and_recipe_of_a_search() {
    let mut s = state("scp-missing.pcap");
    // Any row: the Wireshark filter of its frames.
    assert_eq!(s.apply(Action::Copy), Effect::None);
    let keys: Vec<char> = s.copy_menu.iter().flatten().map(|i| i.key).collect();
    assert_eq!(keys, vec!['w']);
    assert_eq!(
        s.apply(Action::CopyPick('w')),
        Effect::Copy("frame.number in {1}".into())
    );
    assert!(s.copy_menu.is_none());
    s.apply(Action::NextFinding);
    s.apply(Action::Copy);
    let keys: Vec<char> = s.copy_menu.iter().flatten().map(|i| i.key).collect();
    assert_eq!(keys, vec!['w', 'f', 'l', 'p', 'r']);
    // A key the menu does not offer does nothing; Esc closes the menu, not the TUI.
    assert_eq!(s.apply(Action::CopyPick('z')), Effect::None);
    assert_eq!(s.apply(Action::Back), Effect::None);
    assert!(s.copy_menu.is_none());
    s.apply(Action::Copy);
    match s.apply(Action::CopyPick('f')) {
        Effect::Copy(f) => assert!(f.starts_with("(&(objectClass=serviceConnectionPoint)")),
        other => panic!("expected a copy, got {other:?}"),
    }
    s.apply(Action::Copy);
    match s.apply(Action::CopyPick('l')) {
        Effect::Copy(c) => assert!(
            c.starts_with("ldapsearch -H ldap://dc1.contoso.test:389"),
            "{c}"
        ),
        other => panic!("expected a copy, got {other:?}"),
    }
    s.apply(Action::Copy);
    match s.apply(Action::CopyPick('p')) {
        Effect::Copy(c) => assert!(c.contains("[adsisearcher]"), "{c}"),
        other => panic!("expected a copy, got {other:?}"),
    }
    s.apply(Action::Copy);
    match s.apply(Action::CopyPick('r')) {
        Effect::Copy(c) => {
            assert!(
                c.contains("Base DN: CN=Configuration,DC=contoso,DC=test"),
                "{c}"
            );
            assert!(c.contains("Scope: "), "{c}");
        }
        other => panic!("expected a copy, got {other:?}"),
    }
    let detail = s.detail();
    for key in ["Base DN", "Filter", "Scope", "Attributes"] {
        assert!(
            detail
                .iter()
                .any(|l| matches!(l, Line::Field(k, _) if k == key)),
            "{key}"
        );
    }
    assert!(detail.iter().any(
        |l| matches!(l, Line::Code(c) if c.starts_with("ldapsearch -H ldap://dc1.contoso.test:389"))
    ));
}

#[test]
fn c_switches_between_clients_and_their_rows() {
    let mut a = sample("scp-missing.pcap");
    let other = IpAddr::V4(Ipv4Addr::new(10, 99, 0, 9));
    let mut second = a.chains[0].clone();
    second.client = other;
    a.chains.push(second);
    let mut dns = a.exchanges.dns[0].clone();
    dns.client.ip = other;
    dns.frame = 1000;
    dns.response = None;
    a.exchanges.dns.push(dns);
    let mut s = State::new(a);
    let first_count = s.visible_len();
    assert!(s.window().all(|(_, r)| r.client != Some(other)));
    s.apply(Action::NextClient);
    assert_eq!(s.client_index(), 1);
    assert_eq!(s.chain().map(|c| c.client), Some(other));
    assert_eq!(s.visible_len(), 1);
    assert_eq!(selected_frame(&s), 1000);
    s.apply(Action::NextClient);
    assert_eq!(s.client_index(), 0);
    assert_eq!(s.visible_len(), first_count);
}

#[test]
fn one_client_says_so_on_c() {
    let mut s = state("complete.pcap");
    s.apply(Action::NextClient);
    assert_eq!(s.client_index(), 0);
    assert!(s.message.is_some());
}

#[test]
fn appended_rows_keep_the_selection_or_follow_the_end() {
    let a = sample("complete.pcap");
    let rows = build_rows(&a);
    let mut empty = a.clone();
    empty.exchanges = Default::default();
    let mut s = State::new(empty);
    s.set_heights(5, 5);
    assert_eq!(s.visible_len(), 0);
    let (head, tail) = rows.split_at(10);
    s.append_rows(head.to_vec());
    // Nothing was selected before: the view follows the newest row.
    assert_eq!(s.selected_index(), 9);
    s.apply(Action::Up);
    s.apply(Action::Up);
    let kept = selected_frame(&s);
    s.append_rows(tail.to_vec());
    assert_eq!(s.visible_len(), rows.len());
    assert_eq!(selected_frame(&s), kept);
    s.apply(Action::End);
    let more = vec![rows[rows.len() - 1].clone()];
    s.append_rows(more);
    assert_eq!(s.selected_index(), s.visible_len() - 1);
    assert!(s.all_rows().windows(2).all(|w| w[0].time <= w[1].time));
}

#[test]
fn a_live_refresh_keeps_the_selected_message_or_follows_the_newest() {
    // The first snapshot of a live capture: nothing seen yet.
    let empty =
        capdiag::analysis::Analyzer::new(&ChainOptions::default(), Default::default()).snapshot();
    let mut s = State::new(empty);
    assert_eq!(s.visible_len(), 0);
    // Packets arrived: with nothing selected before, the view follows the newest row.
    s.refresh(sample("complete.pcap"));
    assert!(s.visible_len() > 10);
    assert_eq!(s.selected_index(), s.visible_len() - 1);
    // A row chosen by hand stays chosen across the next refresh.
    s.apply(Action::Home);
    let chosen = selected_frame(&s);
    s.refresh(sample("complete.pcap"));
    assert_eq!(selected_frame(&s), chosen);
    assert_eq!(s.selected_index(), 0);
}

#[test]
fn esc_closes_the_prompt_the_filter_and_the_expanded_view_before_quitting() {
    let mut s = state("scp-missing.pcap");
    s.apply(Action::NextFilter);
    assert!(s.filter().is_some());
    s.apply(Action::Expand);
    s.apply(Action::StartSearch);
    assert_eq!(s.apply(Action::Back), Effect::None, "closes the prompt");
    assert!(s.search_input().is_none());
    assert_eq!(s.apply(Action::Back), Effect::None, "restores the pane");
    assert!(!s.expanded);
    assert_eq!(s.apply(Action::Back), Effect::None, "clears the filter");
    assert!(s.filter().is_none());
    assert_eq!(s.apply(Action::Back), Effect::Quit);
}

#[test]
fn ctrl_c_quits_from_everywhere_the_prompt_included() {
    let mut s = state("scp-missing.pcap");
    s.apply(Action::StartSearch);
    assert_eq!(s.apply(Action::Interrupt), Effect::Quit);
    let mut s = state("scp-missing.pcap");
    s.apply(Action::Help);
    assert_eq!(s.apply(Action::Interrupt), Effect::Quit);
    let mut s = state("scp-missing.pcap");
    s.apply(Action::Copy);
    assert_eq!(s.apply(Action::Interrupt), Effect::Quit);
}

#[test]
fn x_jumps_to_the_failing_row_even_past_a_filter() {
    let mut s = state("tls-untrusted.pcap");
    s.apply(Action::NextFilter); // DNS only: the failing TLS row is hidden
    s.apply(Action::JumpFailure);
    let row = s.selected_row().expect("a row");
    assert_eq!((row.proto, row.kind), (Proto::Tls, "alert"));
    assert_eq!(row.status, RowStatus::Failed);
    assert!(s.filter().is_none());
    let mut s = state("complete.pcap");
    s.apply(Action::JumpFailure);
    assert!(
        s.message
            .as_deref()
            .is_some_and(|m| m.contains("Nothing broke"))
    );
}

#[test]
fn a_click_on_a_stage_selects_its_messages() {
    let mut s = state("scp-missing.pcap");
    s.apply(Action::ClickStage(StageKind::ScpSearch));
    assert_eq!(selected_frame(&s), 29);
    s.apply(Action::ClickStage(StageKind::Kerberos));
    assert!(s.message.as_deref().is_some_and(|m| m.contains("kerberos")));
}

#[test]
fn the_detail_scroll_starts_at_the_top_for_every_new_row() {
    let mut s = state("scp-missing.pcap");
    s.apply(Action::NextFinding);
    s.apply(Action::SwitchPane);
    s.apply(Action::Down);
    s.apply(Action::Down);
    assert_eq!(s.detail_scroll, 2);
    s.apply(Action::SwitchPane);
    s.apply(Action::Down);
    assert_eq!(s.detail_scroll, 0);
    s.apply(Action::SwitchPane);
    s.apply(Action::Down);
    s.apply(Action::NextFilter);
    assert_eq!(s.detail_scroll, 0, "the filter moved the selection");
}

#[test]
fn every_row_carries_its_own_packets_time() {
    let a = sample("tls-untrusted.pcap");
    let rows = build_rows(&a);
    let t0 = rows[0].time;
    for r in &rows {
        assert!(r.ts.is_some(), "frame {} {} has no time", r.frame, r.kind);
    }
    let alert = rows
        .iter()
        .find(|r| r.kind == "alert")
        .expect("the alert row");
    let hello = rows
        .iter()
        .find(|r| r.kind == "client hello")
        .expect("the hello row");
    assert!(alert.time > hello.time && hello.time > t0);
    // The timeout row: at the last SYN, with how long the client kept trying.
    let rows = build_rows(&sample("https-timeout.pcap"));
    let timeout = rows
        .iter()
        .find(|r| r.kind == "timeout")
        .expect("the timeout row");
    assert_eq!(timeout.frame, 54);
    let waited = timeout.latency.expect("the wait");
    // SYNs at 0, +1 s and +2 s (the lab drops them; curl gives up at 3 s).
    assert!((1_900_000_000..2_200_000_000).contains(&waited), "{waited}");
    assert!(
        timeout.summary.contains("2 retransmissions"),
        "{}",
        timeout.summary
    );
}

#[test]
fn two_inputs_give_each_row_its_file_and_own_frame() {
    let dir = std::env::temp_dir().join(format!("capdiag-tui-state-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let bytes =
        std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples/scp-missing.pcap"))
            .expect("sample");
    // Split into odd and even frames.
    let (mut odd, mut even) = (bytes[..24].to_vec(), bytes[..24].to_vec());
    let mut at = 24;
    let mut n = 0;
    while at + 16 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().expect("4 bytes")) as usize;
        let rec = &bytes[at..at + 16 + len];
        if n % 2 == 0 {
            odd.extend(rec)
        } else {
            even.extend(rec)
        }
        at += 16 + len;
        n += 1;
    }
    let (a, b) = (dir.join("a.pcap"), dir.join("b.pcap"));
    std::fs::write(&a, odd).expect("write");
    std::fs::write(&b, even).expect("write");
    let (analysis, errors) = analyze_paths(&[a, b], &ChainOptions::default());
    assert!(errors.is_empty());
    let mut s = State::new(analysis.expect("readable"));
    s.set_heights(10, 8);
    s.apply(Action::NextFinding);
    let row = s.selected_row().expect("the search");
    assert_eq!((row.frame, row.file_frame), (29, Some((0, 15))));
    let detail = s.detail();
    assert!(matches!(&detail[0], Line::Heading(h) if h == "Frame 29 (a.pcap #15) · LDAP search"));
    assert!(
        detail
            .iter()
            .any(|l| matches!(l, Line::Code(c) if c == "frame.number in {15}"))
    );
    s.apply(Action::Copy);
    let labels: Vec<String> = s
        .copy_menu
        .iter()
        .flatten()
        .map(|i| i.label.clone())
        .collect();
    assert!(
        labels.contains(&"Wireshark filter for a.pcap".to_string()),
        "{labels:?}"
    );
}
