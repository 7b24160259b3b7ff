//! Fuzz target: one LDAPMessage over TCP: framing, decoding (with and without the simple-bind
//! password kept) and rendering of the search filter.
#![no_main]

use libfuzzer_sys::fuzz_target;

use capdiag::proto::ldap::{
    DecodeOptions, LdapOp, PduLen, decode_message, decode_message_with, pdu_length,
};

fuzz_target!(|data: &[u8]| {
    let _ = pdu_length(data);
    if let Ok(m) = decode_message(data) {
        if let LdapOp::SearchRequest(s) = &m.op {
            let _ = s.filter.to_string();
        }
        let _ = format!("{m:?}");
    }
    let keep = DecodeOptions {
        keep_simple_password: true,
    };
    let _ = decode_message_with(data, keep);
    if let PduLen::Complete(n) = pdu_length(data) {
        let _ = decode_message(data.get(..n).unwrap_or_default());
    }
});
