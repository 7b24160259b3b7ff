//! Byte-stream reassembly of one direction: in order, out of order, retransmissions, overlaps,
//! sequence wraparound and gaps.

mod flow_support;

use capdiag::flow::CloseReason::EndOfCapture;
use capdiag::flow::Side::{Client as C, Server as S};
use flow_support::*;

#[test]
fn in_order_data_is_delivered_borrowed_from_the_packet() {
    let mut net = Net::new();
    handshake(&mut net);
    let get = b"GET / ".to_vec();
    net.c(1001, &get);
    let (_, ptr) = *net.rec.data_ptrs.last().unwrap();
    assert_eq!(
        ptr,
        get.as_ptr() as usize,
        "in-order data must not be copied"
    );
    net.c(1007, b"HTTP/1.1\r\n");
    net.s(5001, b"HTTP/1.1 200 OK");
    net.finish();
    let mut want = opened();
    want.extend([
        data(0, C, b"GET / ", 4),
        data(0, C, b"HTTP/1.1\r\n", 5),
        data(0, S, b"HTTP/1.1 200 OK", 6),
        closed(0, EndOfCapture),
    ]);
    assert_eq!(net.take(), want);
    let stats = net.tracker.stats();
    assert_eq!(stats.segments, 6);
    assert_eq!(stats.connections, 1);
    assert_eq!(stats.out_of_order_segments, 0);
    assert_eq!(stats.gaps, 0);
}

#[test]
fn out_of_order_segments_arriving_1_3_2_come_out_1_2_3() {
    let mut net = Net::new();
    handshake(&mut net);
    net.c(1001, b"one");
    let third = b"three".to_vec();
    net.c(1007, &third);
    net.c(1004, b"two");
    let want_tail = [
        data(0, C, b"one", 4),
        data(0, C, b"two", 6),
        data(0, C, b"three", 5),
    ];
    // The buffered segment keeps its own frame's timestamp, and was copied.
    let index_of_three = net.rec.events.len() - 1;
    assert!(net.rec.ts.contains(&(index_of_three, 5 * MS)));
    let (_, ptr) = *net.rec.data_ptrs.last().unwrap();
    assert_ne!(ptr, third.as_ptr() as usize);
    let mut want = opened();
    want.extend(want_tail);
    assert_eq!(net.take(), want);
    assert_eq!(net.tracker.stats().out_of_order_segments, 1);
}

#[test]
fn retransmitted_data_is_not_delivered_twice() {
    let mut net = Net::new();
    handshake(&mut net);
    net.c(1001, b"abc");
    net.c(1004, b"def");
    net.c(1001, b"abc");
    net.c(1004, b"def");
    // A segment buffered out of order, retransmitted before the hole fills.
    net.c(1010, b"jkl");
    net.c(1010, b"jkl");
    net.c(1007, b"ghi");
    let mut want = opened();
    want.extend([
        data(0, C, b"abc", 4),
        data(0, C, b"def", 5),
        data(0, C, b"ghi", 10),
        data(0, C, b"jkl", 8),
    ]);
    assert_eq!(net.take(), want);
    let stats = net.tracker.stats();
    assert_eq!(stats.retransmitted_segments, 3);
    assert_eq!(stats.retransmitted_bytes, 9);
}

#[test]
fn overlaps_deliver_only_the_new_bytes_and_the_first_arrival_wins() {
    let mut net = Net::new();
    handshake(&mut net);
    net.c(1001, b"0123456789"); // 4: 1001..1011
    net.c(1006, b"56789ABCDE"); // 5: half old, half new
    net.c(1021, b"KLMNO"); // 6: buffered at 1021..1026
    net.c(1016, b"FGHIJxxxxxPQRST"); // 7: 1016..1031, overlaps the buffered piece
    net.c(1036, b"bbbbb"); // 8: buffered 1036..1041
    net.c(1033, b"xxxyyyyyzz"); // 9: 1033..1043, around the buffered piece
    net.c(1031, b"aa"); // 10: fills the hole
    let mut want = opened();
    want.extend([
        data(0, C, b"0123456789", 4),
        data(0, C, b"ABCDE", 5),
        data(0, C, b"FGHIJ", 7),
        data(0, C, b"KLMNO", 6),
        data(0, C, b"PQRST", 7),
        data(0, C, b"aa", 10),
        data(0, C, b"xxx", 9),
        data(0, C, b"bbbbb", 8),
        data(0, C, b"zz", 9),
    ]);
    assert_eq!(net.take(), want);
    // 5 old bytes in frame 5, 5 in frame 7, 5 in frame 9.
    assert_eq!(net.tracker.stats().retransmitted_bytes, 15);
}

#[test]
fn sequence_numbers_wrap_around_at_2_pow_32() {
    let mut net = Net::new();
    let isn = 0xFFFF_FFF8u32;
    net.send(client(), server(), SYN, isn, 0, b""); // 1
    net.c(isn.wrapping_add(1), b"abcdefgh"); // 2: 0xFFFFFFF9 ..= 0x00000000
    net.c(5, b"mnop"); // 3: ahead, across the wrap
    net.c(1, b"ijkl"); // 4
    net.c(isn.wrapping_add(1), b"abcdefgh"); // 5: retransmission across the wrap
    net.c(9, b"q"); // 6
    net.finish();
    assert_eq!(
        net.take(),
        vec![
            open(0, client(), server(), 1, true),
            data(0, C, b"abcdefgh", 2),
            data(0, C, b"ijkl", 4),
            data(0, C, b"mnop", 3),
            data(0, C, b"q", 6),
            closed(0, EndOfCapture),
        ]
    );
    assert_eq!(net.tracker.stats().retransmitted_segments, 1);
}

#[test]
fn a_segment_that_never_arrives_becomes_a_gap_at_finish() {
    let mut net = Net::new();
    handshake(&mut net);
    net.c(1001, b"first"); // 4
    // 1006..1016 never captured.
    net.c(1016, b"third"); // 5
    net.c(1021, b"fourth"); // 6
    net.s(5001, b"reply"); // 7
    net.finish();
    let mut want = opened();
    want.extend([
        data(0, C, b"first", 4),
        data(0, S, b"reply", 7),
        gap(0, C, 10, 5),
        data(0, C, b"third", 5),
        data(0, C, b"fourth", 6),
        closed(0, EndOfCapture),
    ]);
    assert_eq!(net.take(), want);
    let stats = net.tracker.stats();
    assert_eq!(stats.gaps, 1);
    assert_eq!(stats.gap_bytes, 10);
}

#[test]
fn gaps_across_the_wrap_count_the_right_bytes() {
    let mut net = Net::new();
    net.send(client(), server(), SYN, 0xFFFF_FFF0, 0, b""); // 1, data from 0xFFFFFFF1
    net.c(0xFFFF_FFF1, b"ab"); // 2
    net.c(4, b"tail"); // 3: 0xFFFFFFF3 ..= 0x00000003 missing: 17 bytes
    net.finish();
    assert_eq!(
        net.take(),
        vec![
            open(0, client(), server(), 1, true),
            data(0, C, b"ab", 2),
            gap(0, C, 17, 3),
            data(0, C, b"tail", 3),
            closed(0, EndOfCapture),
        ]
    );
}

#[test]
fn every_gap_is_reported_in_order_at_finish() {
    let mut net = Net::new();
    handshake(&mut net);
    net.c(1011, b"B"); // 4: 10 missing before it
    net.c(1013, b"C"); // 5: 1 missing before it
    net.finish();
    let mut want = opened();
    want.extend([
        gap(0, C, 10, 4),
        data(0, C, b"B", 4),
        gap(0, C, 1, 5),
        data(0, C, b"C", 5),
        closed(0, EndOfCapture),
    ]);
    assert_eq!(net.take(), want);
}

#[test]
fn consecutive_data_events_concatenate_to_the_stream() {
    let mut net = Net::new();
    handshake(&mut net);
    let text: Vec<u8> = (0..200u8).collect();
    // Ten-byte segments in a scrambled order, some twice, some overlapping.
    let order = [
        0, 2, 1, 5, 3, 3, 4, 9, 7, 6, 8, 12, 10, 11, 19, 13, 14, 15, 16, 18, 17,
    ];
    for &i in &order {
        let start = i * 10;
        net.c(1001 + start as u32, &text[start..start + 10]);
        net.c(
            1001 + start as u32 + 5,
            &text[start + 5..(start + 15).min(200)],
        );
    }
    net.finish();
    let events = net.take();
    assert_eq!(stream_of(&events, 0, C), text);
    assert!(!events.iter().any(|e| matches!(e, Ev::Gap { .. })));
}
