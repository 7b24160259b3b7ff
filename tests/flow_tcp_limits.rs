//! The tracker's memory bounds: out-of-order bytes and segments per direction, live
//! connections, and the idle timeout — each at its named default and with small limits.

mod flow_support;

use capdiag::flow::CloseReason::{EndOfCapture, Evicted, Reset};
use capdiag::flow::Side::{Client as C, Server as S};
use capdiag::flow::{
    IDLE_TIMEOUT, MAX_BUFFERED_BYTES_PER_DIRECTION, MAX_BUFFERED_SEGMENTS_PER_DIRECTION,
    MAX_CONNECTIONS, TcpLimits,
};
use flow_support::*;

#[test]
fn defaults_are_the_named_constants() {
    let limits = TcpLimits::default();
    assert_eq!(limits.max_buffered_bytes, MAX_BUFFERED_BYTES_PER_DIRECTION);
    assert_eq!(
        limits.max_buffered_segments,
        MAX_BUFFERED_SEGMENTS_PER_DIRECTION
    );
    assert_eq!(limits.max_connections, MAX_CONNECTIONS);
    assert_eq!(limits.idle_timeout, IDLE_TIMEOUT);
}

#[test]
fn too_many_buffered_bytes_force_a_gap() {
    let mut net = Net::with_limits(TcpLimits {
        max_buffered_bytes: 8,
        ..TcpLimits::default()
    });
    net.send(client(), server(), SYN, 1000, 0, b""); // 1
    net.c(1001, b"ab"); // 2
    net.c(1005, b"efgh"); // 3: "cd" missing; 4 buffered
    net.c(1009, b"ijkl"); // 4: 8 buffered, at the limit
    assert_eq!(net.rec.events.len(), 2, "nothing skipped at the limit");
    net.c(1013, b"m"); // 5: 9 buffered, over it
    net.c(1003, b"cd"); // 6: too late
    assert_eq!(
        net.take(),
        vec![
            open(0, client(), server(), 1, true),
            data(0, C, b"ab", 2),
            gap(0, C, 2, 3),
            data(0, C, b"efgh", 3),
            data(0, C, b"ijkl", 4),
            data(0, C, b"m", 5),
        ]
    );
    let stats = net.tracker.stats();
    assert_eq!(stats.buffer_overflows, 1);
    assert_eq!(stats.gaps, 1);
    assert_eq!(stats.retransmitted_segments, 1);
}

#[test]
fn too_many_buffered_segments_force_a_gap_only_as_far_as_needed() {
    let mut net = Net::with_limits(TcpLimits {
        max_buffered_segments: 2,
        ..TcpLimits::default()
    });
    net.send(client(), server(), SYN, 1000, 0, b""); // 1
    net.c(1001, b"ab"); // 2
    net.c(1005, b"e"); // 3
    net.c(1007, b"g"); // 4
    net.c(1009, b"i"); // 5: a third piece
    let mut want = vec![
        open(0, client(), server(), 1, true),
        data(0, C, b"ab", 2),
        gap(0, C, 2, 3),
        data(0, C, b"e", 3),
    ];
    assert_eq!(net.rec.events, want);
    net.finish();
    want.extend([
        gap(0, C, 1, 4),
        data(0, C, b"g", 4),
        gap(0, C, 1, 5),
        data(0, C, b"i", 5),
        closed(0, EndOfCapture),
    ]);
    assert_eq!(net.take(), want);
}

#[test]
fn default_byte_limit_is_max_buffered_bytes_per_direction() {
    let mut net = Net::new();
    net.send(client(), server(), SYN, 1000, 0, b""); // 1, data from 1001
    let chunk = vec![7u8; 1 << 14];
    let chunks = MAX_BUFFERED_BYTES_PER_DIRECTION / chunk.len();
    // One byte missing at 1001, then exactly the limit buffered behind it.
    for i in 0..chunks {
        net.c(1002 + (i * chunk.len()) as u32, &chunk);
    }
    assert_eq!(net.rec.events.len(), 1, "at the limit nothing is skipped");
    net.c(1002 + MAX_BUFFERED_BYTES_PER_DIRECTION as u32, b"z");
    let events = net.take();
    assert_eq!(events[1], gap(0, C, 1, 2));
    let mut want = vec![7u8; MAX_BUFFERED_BYTES_PER_DIRECTION];
    want.push(b'z');
    assert_eq!(stream_of(&events, 0, C), want);
}

#[test]
fn default_segment_limit_is_max_buffered_segments_per_direction() {
    let mut net = Net::new();
    net.send(client(), server(), SYN, 1000, 0, b""); // 1, data from 1001
    // One-byte pieces with one-byte holes between them: nothing ever becomes in order.
    for i in 0..MAX_BUFFERED_SEGMENTS_PER_DIRECTION {
        net.c(1002 + 2 * i as u32, b"x");
    }
    assert_eq!(net.rec.events.len(), 1, "at the limit nothing is skipped");
    net.c(1002 + 2 * MAX_BUFFERED_SEGMENTS_PER_DIRECTION as u32, b"y");
    // Skipping the first hole delivers the first piece: back within the limit.
    assert_eq!(net.take()[1..], [gap(0, C, 1, 2), data(0, C, b"x", 2)]);
}

#[test]
fn the_least_recently_active_connection_is_evicted_at_the_limit() {
    let mut net = Net::with_limits(TcpLimits {
        max_connections: 2,
        ..TcpLimits::default()
    });
    let (a, b, c) = (ep(2, 50000), ep(3, 50001), ep(4, 50002));
    net.send(a, server(), SYN, 1000, 0, b""); // 1
    net.send(b, server(), SYN, 2000, 0, b""); // 2
    net.send(b, server(), PSH, 2005, 0, b"later"); // 3: buffered, 4 bytes missing
    net.send(a, server(), PSH, 1001, 0, b"a"); // 4: a is now the most recent
    net.send(c, server(), SYN, 3000, 0, b""); // 5: b goes
    net.send(a, server(), PSH, 1002, 0, b"b"); // 6: a still tracked
    assert_eq!(
        net.take(),
        vec![
            open(0, a, server(), 1, true),
            open(1, b, server(), 2, true),
            data(0, C, b"a", 4),
            gap(1, C, 4, 3),
            data(1, C, b"later", 3),
            closed(1, Evicted),
            open(2, c, server(), 5, true),
            data(0, C, b"b", 6),
        ]
    );
    assert_eq!(net.tracker.stats().evictions, 1);
    assert_eq!(net.tracker.stats().idle_evictions, 0);
}

#[test]
fn default_connection_limit_is_max_connections() {
    let mut net = Net::new();
    let port = |i: usize| ep(2, 1024 + (i % 60_000) as u16);
    let host = |i: usize| ep(1 + (i / 60_000) as u8, 443);
    for i in 0..MAX_CONNECTIONS {
        net.send(port(i), host(i), SYN, 1, 0, b"");
    }
    assert!(
        !net.rec
            .events
            .iter()
            .any(|e| matches!(e, Ev::Closed { .. })),
        "nothing evicted at the limit"
    );
    net.rec.events.clear();
    net.send(ep(9, 40000), server(), SYN, 1, 0, b"");
    assert_eq!(
        net.take(),
        vec![
            closed(0, Evicted),
            open(
                MAX_CONNECTIONS as u64,
                ep(9, 40000),
                server(),
                MAX_CONNECTIONS as u64 + 1,
                true
            ),
        ]
    );
}

#[test]
fn idle_connections_are_evicted_when_a_new_one_arrives() {
    let mut net = Net::with_limits(TcpLimits {
        idle_timeout: 10 * SECOND,
        ..TcpLimits::default()
    });
    let (a, b, c) = (ep(2, 50000), ep(3, 50001), ep(4, 50002));
    net.send(a, server(), SYN, 1000, 0, b""); // 1 at 1 ms
    net.now = 5 * SECOND;
    net.send(b, server(), SYN, 2000, 0, b""); // 2 at 5.001 s
    net.now = 12 * SECOND;
    // a has been idle for almost 12 s, b for 7 s: only a goes.
    net.send(c, server(), SYN, 3000, 0, b""); // 3
    // An old connection's own traffic evicts nothing.
    net.now = 30 * SECOND;
    net.send(b, server(), PSH, 2001, 0, b"b"); // 4
    net.finish();
    assert_eq!(
        net.take(),
        vec![
            open(0, a, server(), 1, true),
            open(1, b, server(), 2, true),
            closed(0, Evicted),
            open(2, c, server(), 3, true),
            data(1, C, b"b", 4),
            closed(1, EndOfCapture),
            closed(2, EndOfCapture),
        ]
    );
    assert_eq!(net.tracker.stats().idle_evictions, 1);
    assert_eq!(net.tracker.stats().evictions, 0);
}

#[test]
fn default_idle_timeout_is_idle_timeout() {
    for (idle, evicted) in [(IDLE_TIMEOUT, false), (IDLE_TIMEOUT + 1, true)] {
        let mut net = Net::new();
        net.send(ep(2, 50000), server(), SYN, 1, 0, b""); // 1 at 1 ms
        net.now = idle; // the next frame lands `idle` after the first, at `idle` + 1 ms
        net.send(ep(3, 50000), server(), SYN, 1, 0, b"");
        let events = net.take();
        assert_eq!(events.contains(&closed(0, Evicted)), evicted, "idle {idle}");
    }
}

#[test]
fn closed_connections_leave_quietly_when_evicted() {
    let mut net = Net::with_limits(TcpLimits {
        max_connections: 1,
        ..TcpLimits::default()
    });
    net.send(client(), server(), SYN, 1000, 0, b""); // 1
    net.send(server(), client(), RSTACK, 0, 1001, b""); // 2
    net.send(ep(3, 50001), server(), SYN, 1, 0, b""); // 3: pushes out the tombstone
    assert_eq!(
        net.take(),
        vec![
            open(0, client(), server(), 1, true),
            reset(0, S, 2),
            closed(0, Reset),
            open(1, ep(3, 50001), server(), 3, true),
        ]
    );
    assert_eq!(net.tracker.stats().evictions, 0);
}
