//! Connection lifecycle: handshake signals, FIN, RST, mid-stream starts, one-direction captures
//! and reuse of the 4-tuple by new incarnations.

mod flow_support;

use capdiag::flow::CloseReason::{EndOfCapture, Finished, Replaced, Reset};
use capdiag::flow::NEW_INCARNATION_JUMP;
use capdiag::flow::Side::{Client as C, Server as S};
use flow_support::*;

#[test]
fn syn_sent_again_without_an_answer() {
    let mut net = Net::new();
    net.send(client(), server(), SYN, 1000, 0, b"");
    net.send(client(), server(), SYN, 1000, 0, b"");
    net.send(client(), server(), SYN, 1000, 0, b"");
    net.finish();
    assert_eq!(
        net.take(),
        vec![
            open(0, client(), server(), 1, true),
            syn_again(0, 2),
            syn_again(0, 3),
            closed(0, EndOfCapture),
        ]
    );
    let stats = net.tracker.stats();
    assert_eq!(stats.syn_retransmits, 2);
    assert_eq!(stats.connections, 1);
}

#[test]
fn a_syn_repeated_after_the_syn_ack_is_no_retransmit_signal() {
    let mut net = Net::new();
    net.send(client(), server(), SYN, 1000, 0, b"");
    net.send(server(), client(), SYNACK, 5000, 1001, b"");
    net.send(client(), server(), SYN, 1000, 0, b"");
    net.send(server(), client(), SYNACK, 5000, 1001, b"");
    net.c(1001, b"x");
    assert_eq!(
        net.take(),
        vec![
            open(0, client(), server(), 1, true),
            synack(0, 2),
            data(0, C, b"x", 5),
        ]
    );
    assert_eq!(net.tracker.stats().syn_retransmits, 0);
}

#[test]
fn syn_answered_by_rst_is_a_refused_connection() {
    let mut net = Net::new();
    net.send(client(), server(), SYN, 1000, 0, b""); // 1
    net.send(server(), client(), RSTACK, 0, 1001, b""); // 2
    // Stragglers after the reset change nothing.
    net.send(client(), server(), ACK, 1001, 0, b""); // 3
    net.send(server(), client(), RSTACK, 0, 1001, b""); // 4
    // The client tries again with a new ISN: a new incarnation.
    net.send(client(), server(), SYN, 77_000, 0, b""); // 5
    net.finish();
    assert_eq!(
        net.take(),
        vec![
            open(0, client(), server(), 1, true),
            reset(0, S, 2),
            closed(0, Reset),
            open(1, client(), server(), 5, true),
            closed(1, EndOfCapture),
        ]
    );
    assert_eq!(net.tracker.stats().resets, 1);
}

#[test]
fn rst_first_delivers_what_was_buffered() {
    let mut net = Net::new();
    handshake(&mut net);
    net.c(1001, b"abc"); // 4
    net.c(1007, b"ghi"); // 5, "def" missing
    net.send(server(), client(), RST, 5001, 0, b""); // 6
    let mut want = opened();
    want.extend([
        data(0, C, b"abc", 4),
        gap(0, C, 3, 5),
        data(0, C, b"ghi", 5),
        reset(0, S, 6),
        closed(0, Reset),
    ]);
    assert_eq!(net.take(), want);
}

#[test]
fn fin_both_ways_finishes_and_stragglers_are_ignored() {
    let mut net = Net::new();
    handshake(&mut net);
    net.send(client(), server(), FIN, 1001, 5001, b"bye"); // 4: data and FIN
    net.s(5001, b"ok"); // 5: half-closed, the server still talks
    net.send(server(), client(), FIN, 5003, 1005, b""); // 6
    net.send(client(), server(), ACK, 1005, 5004, b""); // 7: last ACK
    net.send(client(), server(), FIN, 1001, 5001, b"bye"); // 8: retransmitted FIN
    net.finish();
    let mut want = opened();
    want.extend([
        data(0, C, b"bye", 4),
        fin(0, C, 4),
        data(0, S, b"ok", 5),
        fin(0, S, 6),
        closed(0, Finished),
    ]);
    assert_eq!(net.take(), want);
    assert_eq!(net.tracker.stats().connections, 1);
}

#[test]
fn fin_with_data_missing_before_it_skips_the_hole_and_ends_the_stream() {
    let mut net = Net::new();
    handshake(&mut net);
    net.c(1001, b"abc"); // 4
    net.c(1007, b"ghi"); // 5: "def" missing
    net.send(client(), server(), FIN, 1013, 0, b"mn"); // 6: "jkl" missing too
    net.c(1004, b"def"); // 7: too late, the stream has ended
    let mut want = opened();
    want.extend([
        data(0, C, b"abc", 4),
        gap(0, C, 3, 5),
        data(0, C, b"ghi", 5),
        gap(0, C, 3, 6),
        data(0, C, b"mn", 6),
        fin(0, C, 6),
    ]);
    assert_eq!(net.take(), want);
    assert_eq!(net.tracker.stats().retransmitted_segments, 1);
}

#[test]
fn fin_after_missing_bytes_with_nothing_buffered_reports_the_gap() {
    let mut net = Net::new();
    handshake(&mut net);
    net.c(1001, b"abc"); // 4
    net.send(client(), server(), FIN, 1010, 0, b""); // 5: 1004..1010 never seen
    let mut want = opened();
    want.extend([data(0, C, b"abc", 4), gap(0, C, 6, 5), fin(0, C, 5)]);
    assert_eq!(net.take(), want);
}

#[test]
fn mid_stream_start_guesses_the_server_by_port() {
    let mut net = Net::new();
    net.s(7000, b"resp"); // 1: the server's packet comes first
    net.c(3000, b"req"); // 2
    net.send(ep(5, 50123), ep(6, 8080), PSH, 10, 0, b"x"); // 3: no well-known port: lower port
    net.finish();
    assert_eq!(
        net.take(),
        vec![
            open(0, client(), server(), 1, false),
            data(0, S, b"resp", 1),
            data(0, C, b"req", 2),
            open(1, ep(5, 50123), ep(6, 8080), 3, false),
            data(1, C, b"x", 3),
            closed(0, EndOfCapture),
            closed(1, EndOfCapture),
        ]
    );
}

#[test]
fn client_only_capture_delivers_all_its_data() {
    let mut net = Net::new();
    net.send(client(), server(), SYN, 1000, 0, b""); // 1
    net.c(1001, b"hello "); // 2
    net.c(1013, b"again"); // 3: out of order
    net.c(1007, b"world "); // 4
    net.send(client(), server(), FIN, 1018, 0, b""); // 5
    net.finish();
    assert_eq!(
        net.take(),
        vec![
            open(0, client(), server(), 1, true),
            data(0, C, b"hello ", 2),
            data(0, C, b"world ", 4),
            data(0, C, b"again", 3),
            fin(0, C, 5),
            closed(0, EndOfCapture),
        ]
    );
}

#[test]
fn server_only_capture_learns_the_roles_from_the_syn_ack() {
    let mut net = Net::new();
    let server = ep(1, 8443); // no well-known port: the SYN-ACK alone says who serves
    let client = ep(2, 80);
    net.send(server, client, SYNACK, 5000, 1001, b""); // 1
    net.send(server, client, PSH, 5001, 1001, b"220 ready"); // 2
    net.send(server, client, PSH, 5010, 1001, b" go"); // 3
    net.finish();
    assert_eq!(
        net.take(),
        vec![
            open(0, client, server, 1, false),
            synack(0, 1),
            data(0, S, b"220 ready", 2),
            data(0, S, b" go", 3),
            closed(0, EndOfCapture),
        ]
    );
}

#[test]
fn a_reused_tuple_gives_two_incarnations_without_mixing_data() {
    let mut net = Net::new();
    handshake(&mut net); // 1-3
    net.c(1001, b"one"); // 4
    net.send(client(), server(), FIN, 1004, 5001, b""); // 5
    net.send(server(), client(), FIN, 5001, 1005, b""); // 6
    net.send(client(), server(), ACK, 1005, 5002, b""); // 7
    net.send(client(), server(), SYN, 9000, 0, b""); // 8
    net.send(server(), client(), SYNACK, 7000, 9001, b""); // 9
    net.c(9001, b"two"); // 10
    net.s(7001, b"TWO"); // 11
    net.finish();
    let mut want = opened();
    want.extend([
        data(0, C, b"one", 4),
        fin(0, C, 5),
        fin(0, S, 6),
        closed(0, Finished),
        open(1, client(), server(), 8, true),
        synack(1, 9),
        data(1, C, b"two", 10),
        data(1, S, b"TWO", 11),
        closed(1, EndOfCapture),
    ]);
    assert_eq!(net.take(), want);
    assert_eq!(net.tracker.stats().connections, 2);
}

#[test]
fn a_new_syn_on_an_open_tuple_replaces_it() {
    let mut net = Net::new();
    handshake(&mut net);
    net.c(1001, b"abc"); // 4
    net.c(1007, b"ghi"); // 5: "def" missing
    net.send(client(), server(), SYN, 2000, 0, b""); // 6: different ISN
    net.c(2001, b"new"); // 7
    let mut want = opened();
    want.extend([
        data(0, C, b"abc", 4),
        gap(0, C, 3, 5),
        data(0, C, b"ghi", 5),
        closed(0, Replaced),
        open(1, client(), server(), 6, true),
        data(1, C, b"new", 7),
    ]);
    assert_eq!(net.take(), want);
    assert_eq!(net.tracker.stats().replaced, 1);
}

#[test]
fn a_far_sequence_jump_after_fin_is_a_new_incarnation() {
    let mut net = Net::new();
    handshake(&mut net);
    net.send(client(), server(), FIN, 1001, 5001, b"a"); // 4
    net.send(server(), client(), FIN, 5001, 1003, b""); // 5
    // Client's next sequence number is now 1003 (1 byte + FIN).
    net.c(1003 + 1000, b"late"); // 6: within the window: a straggler
    net.c(1003u32.wrapping_add(NEW_INCARNATION_JUMP + 1), b"new"); // 7
    net.finish();
    let mut want = opened();
    want.extend([
        data(0, C, b"a", 4),
        fin(0, C, 4),
        fin(0, S, 5),
        closed(0, Finished),
        open(1, client(), server(), 7, false),
        data(1, C, b"new", 7),
        closed(1, EndOfCapture),
    ]);
    assert_eq!(net.take(), want);
}

#[test]
fn the_incarnation_jump_limit_is_exact() {
    // Exactly NEW_INCARNATION_JUMP ahead still belongs to the stream (buffered, then a gap).
    let mut net = Net::new();
    handshake(&mut net);
    net.c(1001u32.wrapping_add(NEW_INCARNATION_JUMP), b"far"); // 4
    net.finish();
    let mut want = opened();
    want.extend([
        gap(0, C, u64::from(NEW_INCARNATION_JUMP), 4),
        data(0, C, b"far", 4),
        closed(0, EndOfCapture),
    ]);
    assert_eq!(net.take(), want);

    // One further, or as far behind, is another stream: the open connection is replaced.
    for seq in [
        1001u32.wrapping_add(NEW_INCARNATION_JUMP + 1),
        1001u32.wrapping_sub(NEW_INCARNATION_JUMP + 1),
    ] {
        let mut net = Net::new();
        handshake(&mut net);
        net.c(seq, b"other");
        let mut want = opened();
        want.extend([
            closed(0, Replaced),
            open(1, client(), server(), 4, false),
            data(1, C, b"other", 4),
        ]);
        assert_eq!(net.take(), want, "seq {seq:#x}");
    }
}

#[test]
fn a_lone_rst_is_still_reported() {
    let mut net = Net::new();
    net.send(server(), client(), RST, 123, 0, b""); // 1
    net.send(server(), client(), RST, 123, 0, b""); // 2: the tombstone absorbs it
    net.finish();
    assert_eq!(
        net.take(),
        vec![
            open(0, client(), server(), 1, false),
            reset(0, S, 1),
            closed(0, Reset),
        ]
    );
}

#[test]
fn timestamps_are_those_of_the_carrying_frames() {
    let mut net = Net::new();
    handshake(&mut net);
    net.c(1001, b"a"); // 4
    net.send(client(), server(), FIN, 1002, 0, b""); // 5
    let ts = net.rec.ts.clone();
    assert_eq!(ts, vec![(0, MS), (1, 2 * MS), (2, 4 * MS), (3, 5 * MS)]);
}
