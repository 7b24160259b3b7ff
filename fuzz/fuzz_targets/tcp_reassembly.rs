//! Fuzz target: TCP reassembly. The input is a series of segments on a few 4-tuples (ports,
//! flags, sequence number, payload length from the bytes), fed to a tracker with small limits
//! so that eviction and buffer overflow paths run too.
#![no_main]

use std::borrow::Cow;
use std::net::{IpAddr, Ipv4Addr};

use libfuzzer_sys::fuzz_target;

use capdiag::flow::{TcpEvent, TcpLimits, TcpSink, TcpTracker};
use capdiag::net::{TcpFlags, TcpSegment};

#[derive(Default)]
struct Count {
    events: u64,
    bytes: u64,
}

impl TcpSink for Count {
    fn event(&mut self, ev: TcpEvent<'_>) {
        self.events += 1;
        if let TcpEvent::Data { data, .. } = ev {
            self.bytes += data.len() as u64;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let limits = TcpLimits {
        max_buffered_bytes: 512,
        max_buffered_segments: 8,
        max_buffered_bytes_total: 2048,
        max_connections: 4,
        idle_timeout: 5_000_000_000,
    };
    let mut tracker = TcpTracker::new(limits);
    let mut sink = Count::default();
    let mut rest = data;
    let mut frame = 0u64;
    // tuple, flags, seq (4), ack (1), len
    while let [tuple, flags, s0, s1, s2, s3, ack, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (payload, next) = tail.split_at(len);
        frame += 1;
        let a = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1 + (tuple & 1)));
        let b = IpAddr::V4(Ipv4Addr::new(10, 0, 0, 9));
        let (src, dst, sp, dp) = if tuple & 2 == 0 {
            (a, b, 40000 + u16::from(tuple >> 2), 389)
        } else {
            (b, a, 389, 40000 + u16::from(tuple >> 2))
        };
        let seg = TcpSegment {
            src_port: sp,
            dst_port: dp,
            seq: u32::from_be_bytes([*s0, *s1, *s2, *s3]),
            ack: u32::from(*ack) << 8,
            flags: TcpFlags(*flags),
            payload: Cow::Borrowed(payload),
        };
        tracker.segment(
            frame,
            frame as i64 * 1_000_000_000,
            src,
            dst,
            &seg,
            &mut sink,
        );
        rest = next;
    }
    tracker.finish(&mut sink);
    let _ = tracker.stats();
});
