//! Fuzz target: DNS message decoding (compression pointers, loops, odd records).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(m) = capdiag::proto::dns::decode_dns(data) {
        let _ = m.rcode.to_string();
        let _ = format!("{m:?}");
    }
});
