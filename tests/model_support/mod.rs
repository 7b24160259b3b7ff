//! Test support for the chain stage judged on hand-made exchanges (no capture): model records
//! with the fields a test does not care about filled in.
#![allow(dead_code)]

use std::net::{IpAddr, Ipv4Addr};

use capdiag::flow::Endpoint;
use capdiag::messages::TcpConnection;

pub fn ep(ip: Ipv4Addr, port: u16) -> Endpoint {
    Endpoint {
        ip: IpAddr::V4(ip),
        port,
    }
}

/// A connection from `client` opened in `frame` and accepted in the next, 100 bytes each way.
pub fn accepted_tcp(frame: u64, client: Ipv4Addr, server: Ipv4Addr, port: u16) -> TcpConnection {
    TcpConnection {
        id: frame,
        client: ep(client, 40000 + frame as u16),
        server: ep(server, port),
        first_frame: frame,
        ts: frame as i64,
        saw_syn: true,
        syn_retransmits: vec![],
        syn_ack: Some(frame + 1),
        reset: None,
        fins: vec![],
        bytes_from_client: 100,
        bytes_from_server: 100,
        sasl: None,
        decrypted_with: None,
        gaps: 0,
    }
}
