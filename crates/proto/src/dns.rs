//! DNS messages (RFC 1035) over UDP and TCP, decoded with hickory-proto into the few fields the
//! chain needs: id, question, rcode, truncation and the A / AAAA / CNAME / SRV answers.

use std::net::IpAddr;

use hickory_proto::op::{Message, MessageType};
use hickory_proto::rr::{RData, Record};

use crate::code_point::code_point;

/// One decoded DNS message, query or response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsMessage {
    pub id: u16,
    pub is_response: bool,
    /// Response code (NOERROR = 0, NXDOMAIN = 3, ...). Meaningful on responses.
    pub rcode: Rcode,
    pub truncated: bool,
    pub questions: Vec<DnsQuestion>,
    pub answers: Vec<DnsRecord>,
    /// Records of the additional section (Windows DNS puts the SRV targets' addresses here).
    pub additionals: Vec<DnsRecord>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsQuestion {
    /// The name without its trailing dot, as sent (case kept).
    pub name: String,
    /// Record type mnemonic: "SRV", "A", "AAAA", "CNAME", "TYPE65", ...
    pub qtype: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsRecord {
    pub name: String,
    pub ttl: u32,
    pub data: DnsData,
}

/// The record data capdiag reads; everything else is kept by type name only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DnsData {
    Address(IpAddr),
    Cname(String),
    Srv {
        priority: u16,
        weight: u16,
        port: u16,
        target: String,
    },
    Other(String),
}

/// Why a DNS payload could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("dns: {0}")]
pub struct DnsError(pub String);

/// Decodes one DNS message (the UDP payload, or a TCP message without its 2-byte length).
pub fn decode_dns(buf: &[u8]) -> Result<DnsMessage, DnsError> {
    let msg = Message::from_vec(buf).map_err(|e| DnsError(e.to_string()))?;
    let meta = &msg.metadata;
    Ok(DnsMessage {
        id: meta.id,
        is_response: meta.message_type == MessageType::Response,
        rcode: Rcode::from(u16::from(meta.response_code)),
        truncated: meta.truncation,
        questions: msg
            .queries
            .iter()
            .map(|q| DnsQuestion {
                name: plain_name(&q.name().to_utf8()),
                qtype: q.query_type().to_string(),
            })
            .collect(),
        answers: msg.answers.iter().map(record).collect(),
        additionals: msg.additionals.iter().map(record).collect(),
    })
}

/// The first question of a message, read without decoding the rest: (id, is_response, name,
/// qtype mnemonic). Lets the message stage skip lookups that cannot matter before paying for a
/// full decode. None when the header or the question is malformed or compressed.
pub fn peek_question(buf: &[u8]) -> Option<(u16, bool, String, String)> {
    let id = u16::from_be_bytes([*buf.first()?, *buf.get(1)?]);
    let is_response = buf.get(2)? & 0x80 != 0;
    if u16::from_be_bytes([*buf.get(4)?, *buf.get(5)?]) == 0 {
        return None;
    }
    let mut name = String::new();
    let mut rest = buf.get(12..)?;
    loop {
        let (&len, after) = rest.split_first()?;
        let len = usize::from(len);
        if len == 0 {
            rest = after;
            break;
        }
        if len & 0xc0 != 0 || name.len().saturating_add(len) > 255 {
            return None;
        }
        let (label, after) = after.split_at_checked(len)?;
        if !name.is_empty() {
            name.push('.');
        }
        name.push_str(&String::from_utf8_lossy(label));
        rest = after;
    }
    let [hi, lo, ..] = *rest else {
        return None;
    };
    let qtype = u16::from_be_bytes([hi, lo]);
    let qtype = hickory_proto::rr::RecordType::from(qtype).to_string();
    Some((id, is_response, name, qtype))
}

code_point! {
    /// A DNS response code (RFC 1035 §4.1.1, RFC 2136); `Display` is the name dig prints,
    /// `RCODE?` outside the table.
    pub enum Rcode(u16) {
        NoError = 0 => "NOERROR",
        FormErr = 1 => "FORMERR",
        ServFail = 2 => "SERVFAIL",
        NxDomain = 3 => "NXDOMAIN",
        NotImp = 4 => "NOTIMP",
        Refused = 5 => "REFUSED",
        YxDomain = 6 => "YXDOMAIN",
        YxRrset = 7 => "YXRRSET",
        NxRrset = 8 => "NXRRSET",
        NotAuth = 9 => "NOTAUTH",
        NotZone = 10 => "NOTZONE",
    }
    unknown(_) => "RCODE?";
}

fn record(r: &Record) -> DnsRecord {
    let data = match &r.data {
        RData::A(a) => DnsData::Address(IpAddr::V4(a.0)),
        RData::AAAA(a) => DnsData::Address(IpAddr::V6(a.0)),
        RData::CNAME(c) => DnsData::Cname(plain_name(&c.0.to_utf8())),
        RData::SRV(s) => DnsData::Srv {
            priority: s.priority,
            weight: s.weight,
            port: s.port,
            target: plain_name(&s.target.to_utf8()),
        },
        other => DnsData::Other(other.record_type().to_string()),
    };
    DnsRecord {
        name: plain_name(&r.name.to_utf8()),
        ttl: r.ttl,
        data,
    }
}

fn plain_name(name: &str) -> String {
    name.strip_suffix('.').unwrap_or(name).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A name as DNS labels, encoded by hickory (hand-built messages around it).
    fn labels(name: &str) -> Vec<u8> {
        use hickory_proto::serialize::binary::BinEncodable;
        let fqdn = format!("{name}.");
        hickory_proto::rr::Name::from_ascii(&fqdn)
            .and_then(|n| n.to_bytes())
            .expect("a valid test name")
    }

    #[test]
    fn decodes_srv_answer_with_target_and_port() {
        let qname = "_ldap._tcp.dc._msdcs.contoso.test";
        let mut m = vec![0x12, 0x34, 0x85, 0x80, 0, 1, 0, 1, 0, 0, 0, 0];
        m.extend(labels(qname));
        m.extend([0, 33, 0, 1]);
        m.extend([0xc0, 12, 0, 33, 0, 1, 0, 0, 2, 0x58]);
        let target = labels("dc1.contoso.test");
        m.extend(((6 + target.len()) as u16).to_be_bytes());
        m.extend([0, 0, 0, 100, 1, 0x85]);
        m.extend(target);
        let d = decode_dns(&m).unwrap();
        assert_eq!(d.id, 0x1234);
        assert!(d.is_response);
        assert_eq!(d.rcode, Rcode::NoError);
        assert_eq!(d.questions[0].name, qname);
        assert_eq!(d.questions[0].qtype, "SRV");
        assert_eq!(
            d.answers[0].data,
            DnsData::Srv {
                priority: 0,
                weight: 100,
                port: 389,
                target: "dc1.contoso.test".into()
            }
        );
        assert_eq!(d.answers[0].ttl, 600);
    }

    #[test]
    fn decodes_nxdomain_and_truncation_flag() {
        let mut m = vec![0, 7, 0x87, 0x83, 0, 1, 0, 0, 0, 0, 0, 0];
        m.extend(labels("mail.contoso.test"));
        m.extend([0, 1, 0, 1]);
        let d = decode_dns(&m).unwrap();
        assert_eq!(d.rcode, Rcode::NxDomain);
        assert_eq!(d.rcode.to_string(), "NXDOMAIN");
        assert_eq!(Rcode::from(11).to_string(), "RCODE?");
        assert_eq!(u16::from(Rcode::from(11)), 11);
        assert!(d.truncated);
        assert!(d.answers.is_empty());
    }

    #[test]
    fn decodes_query_and_a_answer() {
        let mut q = vec![0, 9, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        q.extend(labels("mail.contoso.test"));
        q.extend([0, 1, 0, 1]);
        let d = decode_dns(&q).unwrap();
        assert!(!d.is_response);
        let mut r = q.clone();
        r[2] = 0x81;
        r[3] = 0x80;
        r[7] = 1;
        r.extend([0xc0, 12, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4, 10, 99, 0, 3]);
        let d = decode_dns(&r).unwrap();
        assert_eq!(
            d.answers[0].data,
            DnsData::Address("10.99.0.3".parse().unwrap())
        );
    }

    #[test]
    fn peek_reads_the_question_as_the_full_decoder_does() {
        let mut q = vec![0, 9, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0];
        q.extend(labels("_ldap._tcp.dc._msdcs.contoso.test"));
        q.extend([0, 33, 0, 1]);
        let full = decode_dns(&q).unwrap();
        let (id, resp, name, qtype) = peek_question(&q).unwrap();
        assert_eq!((id, resp), (9, false));
        assert_eq!(name, full.questions[0].name);
        assert_eq!(qtype, full.questions[0].qtype);
        assert_eq!(peek_question(&q[..15]), None);
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_dns(&[0x12]).is_err());
        assert!(decode_dns(&[0, 1, 0x81, 0x80, 0, 5, 0, 0, 0, 0, 0, 0, 3]).is_err());
    }
}
