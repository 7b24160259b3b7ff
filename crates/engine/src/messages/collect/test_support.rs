//! Shared by the matchers' unit tests: endpoints, a collector, and a TCP connection fed as the
//! flow stage would feed it.

use super::Collector;
use crate::flow::{ConnId, Endpoint, Side, TcpEvent, TcpSink};

pub fn ep(last: u8, port: u16) -> Endpoint {
    Endpoint {
        ip: std::net::IpAddr::from([10, 0, 0, last]),
        port,
    }
}

pub const CLIENT: u8 = 2;
pub const SERVER: u8 = 1;

/// Opens connection 1 from the client's port 50000 to `port` and delivers `messages`, each
/// (side, bytes) in its own frame starting at frame 3, then closes it.
pub fn tcp_session(c: &mut Collector, port: u16, messages: &[(Side, &[u8])]) -> ConnId {
    let conn: ConnId = 1;
    c.event(TcpEvent::Open {
        conn,
        client: ep(CLIENT, 50000),
        server: ep(SERVER, port),
        frame: 1,
        ts: 0,
        saw_syn: true,
    });
    c.event(TcpEvent::SynAck {
        conn,
        frame: 2,
        ts: 1,
    });
    for (i, (from, data)) in messages.iter().enumerate() {
        let frame = 3 + i as u64;
        c.event(TcpEvent::Data {
            conn,
            from: *from,
            data,
            frame,
            ts: frame as i64,
        });
    }
    conn
}

/// An LDAP SearchRequest for the RootDSE with message ID `id`, and its SearchResultDone.
pub fn rootdse_search(id: u8) -> (Vec<u8>, Vec<u8>) {
    // 30 LL 02 01 id 63 LL [04 00 base] [0a 01 00 scope] [0a 01 00 deref] [02 01 00]x2
    // [01 01 00 typesOnly] [87 0b objectClass present] [30 00 attributes]
    let body: Vec<u8> = [
        &[0x04, 0x00, 0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00][..],
        &[0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00],
        &[0x87, 0x0b],
        b"objectClass",
        &[0x30, 0x00],
    ]
    .concat();
    let mut op = vec![0x63, body.len() as u8];
    op.extend(body);
    let mut req = vec![0x30, (op.len() + 3) as u8, 0x02, 0x01, id];
    req.extend(op);
    let done = vec![
        0x30, 0x0c, 0x02, 0x01, id, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00,
    ];
    (req, done)
}

/// A DNS message: ID, flags, one question `name` of type `qtype`, and `answers` raw RRs.
pub fn dns(id: u16, flags: u16, name: &str, qtype: u16, answers: &[Vec<u8>]) -> Vec<u8> {
    let mut m = Vec::new();
    m.extend(id.to_be_bytes());
    m.extend(flags.to_be_bytes());
    m.extend(1u16.to_be_bytes());
    m.extend((answers.len() as u16).to_be_bytes());
    m.extend([0, 0, 0, 0]);
    for label in name.split('.') {
        m.push(label.len() as u8);
        m.extend(label.as_bytes());
    }
    m.extend([0, (qtype >> 8) as u8, qtype as u8, 0, 1]);
    for a in answers {
        m.extend(a);
    }
    m
}
