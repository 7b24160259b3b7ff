//! Fuzz target: TLS record framing and handshake decoding over a stream of records, both
//! directions, as the collector drives it.
#![no_main]

use libfuzzer_sys::fuzz_target;

use capdiag::proto::framing::Framing;
use capdiag::proto::tls::{TlsDirection, record_length};

fuzz_target!(|data: &[u8]| {
    let mut dirs = [TlsDirection::default(), TlsDirection::default()];
    let mut rest = data;
    let mut side = 0usize;
    let mut events = Vec::new();
    while !rest.is_empty() {
        let Framing::Complete(n) = record_length(rest) else {
            break;
        };
        let Some((record, next)) = rest.split_at_checked(n) else {
            break;
        };
        let _ = dirs[side].record(record, &mut events);
        side ^= 1;
        rest = next;
    }
    let _ = format!("{events:?}");
});
