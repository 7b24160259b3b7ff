//! Fuzz target: HTTP framing and decoding (heads, chunked and compressed bodies, POX, v2 JSON
//! and EWS SOAP) over a stream of messages, as the collector drives it.
#![no_main]

use libfuzzer_sys::fuzz_target;

use capdiag::proto::framing::Framing;
use capdiag::proto::http::{decode_http, message_length};

fuzz_target!(|data: &[u8]| {
    let mut rest = data;
    while !rest.is_empty() {
        let Framing::Complete(n) = message_length(rest) else {
            // An unframed tail is still decoded, as a truncated message would be.
            let _ = format!("{:?}", decode_http(rest));
            break;
        };
        let Some((message, next)) = rest.split_at_checked(n) else {
            break;
        };
        let _ = format!("{:?}", decode_http(message));
        rest = next;
    }
});
