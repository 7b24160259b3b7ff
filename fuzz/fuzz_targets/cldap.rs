//! Fuzz target: CLDAP (LDAP messages packed in one UDP datagram).
#![no_main]

use libfuzzer_sys::fuzz_target;

use capdiag::proto::ldap::{LdapOp, decode_datagram};

fuzz_target!(|data: &[u8]| {
    let (messages, _err) = decode_datagram(data);
    for m in messages {
        if let LdapOp::SearchRequest(s) = &m.op {
            let _ = s.filter.to_string();
        }
    }
});
