//! The one timeline of an analysis: every message the exchanges hold (DNS query/answer, CLDAP
//! ping/reply, Kerberos, TCP connect/accept/refusal/reset/timeout, SASL layer, LDAP
//! request/entry/referral/result, TLS hello/certificate/alert/application data, HTTP) as an
//! [`Event`] in frame order, with its endpoints and their roles, its typed kind and canonical
//! label, its own status and the stage of its client's chain it is evidence for. The sequence
//! diagram, the TUI rows and any other listing project from it and keep only their layout.

mod build;
mod build_tcp;
mod labels;
mod model;
mod names;
mod stages;
#[cfg(test)]
mod tests;

use std::net::IpAddr;

pub use labels::{
    extended_name, https_response, kerberos_type_name, ldap_answer, plural, role_for_port,
    side_word,
};
pub use model::*;
pub use names::{host_names, looked_up_name};
pub use stages::{Judged, StageHead, Verdict, assign_stages, stage_heading};

use crate::analysis::Analysis;
use crate::chain::client::forwarded_queries;

/// The timeline of a whole analysis, in frame order, each event tied to its client's chain.
pub fn timeline(a: &Analysis) -> Vec<Event> {
    let forwarded = forwarded_queries(&a.exchanges);
    let mut b = build::Builder {
        ex: &a.exchanges,
        events: Vec::new(),
        conns: build::connections(&a.exchanges),
    };
    // Within one frame, this order holds (a TCP connect before the LDAP it carries).
    b.dns(&forwarded);
    b.kerberos();
    b.tcp();
    b.ldap();
    b.tls();
    b.http();
    let mut events = b.finish(a, &forwarded);
    assign_stages(&mut events, &a.chains);
    events
}

/// The events of one client's own lookup: what it sent and was answered, without the queries
/// a DNS server forwarded for its own clients.
pub fn client_events(events: &[Event], client: IpAddr) -> impl Iterator<Item = &Event> {
    events
        .iter()
        .filter(move |e| e.client_ip() == Some(client) && !e.forwarded)
}
