//! The compact, direction-independent key of a TCP 4-tuple: both directions of a connection map
//! to the same key, and the key says which endpoint sent a given segment.

use std::hash::{Hash, Hasher};
use std::net::IpAddr;

use super::Endpoint;

/// Address family byte, then the lower endpoint's address and the higher one's (16 bytes each,
/// IPv4 zero-padded in front), then their ports (big-endian).
const KEY_LEN: usize = 1 + 16 + 16 + 2 + 2;

/// A 4-tuple with its endpoints in canonical (ascending) order, packed into one byte array so
/// that hashing is a single write.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TupleKey([u8; KEY_LEN]);

impl Hash for TupleKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write(&self.0);
    }
}

fn octets(ip: IpAddr) -> (u8, [u8; 16]) {
    match ip {
        // Zero-padded; the family byte keeps it apart from the real IPv6 address `::a.b.c.d`.
        IpAddr::V4(v4) => (4, v4.to_ipv6_compatible().octets()),
        IpAddr::V6(v6) => (6, v6.octets()),
    }
}

impl TupleKey {
    /// The key of the segment `src` → `dst`, and whether `src` is the lower endpoint.
    pub(crate) fn new(src: Endpoint, dst: Endpoint) -> (Self, bool) {
        let (src_family, src_ip) = octets(src.ip);
        let (_, dst_ip) = octets(dst.ip);
        let src_is_lo = (src_ip, src.port) <= (dst_ip, dst.port);
        let (lo_ip, lo_port, hi_ip, hi_port) = if src_is_lo {
            (src_ip, src.port, dst_ip, dst.port)
        } else {
            (dst_ip, dst.port, src_ip, src.port)
        };
        let mut bytes = [0u8; KEY_LEN];
        let (family, rest) = bytes.split_at_mut(1);
        let (lo, rest) = rest.split_at_mut(16);
        let (hi, ports) = rest.split_at_mut(16);
        family.copy_from_slice(&[src_family]);
        lo.copy_from_slice(&lo_ip);
        hi.copy_from_slice(&hi_ip);
        let [lp0, lp1] = lo_port.to_be_bytes();
        let [hp0, hp1] = hi_port.to_be_bytes();
        ports.copy_from_slice(&[lp0, lp1, hp0, hp1]);
        (Self(bytes), src_is_lo)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::{Ipv4Addr, Ipv6Addr};

    fn ep(ip: IpAddr, port: u16) -> Endpoint {
        Endpoint { ip, port }
    }

    #[test]
    fn both_directions_share_a_key_and_know_who_sent() {
        let a = ep(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), 50000);
        let b = ep(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 443);
        let (k1, a_lo) = TupleKey::new(a, b);
        let (k2, b_lo) = TupleKey::new(b, a);
        assert_eq!(k1, k2);
        assert!(!a_lo);
        assert!(b_lo);
    }

    #[test]
    fn ports_and_families_distinguish_keys() {
        let a = ep(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)), 50000);
        let b = ep(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 443);
        let c = ep(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)), 444);
        assert_ne!(TupleKey::new(a, b).0, TupleKey::new(a, c).0);
        let a6 = ep(
            IpAddr::V6(Ipv6Addr::new(0x0a00, 2, 0, 0, 0, 0, 0, 0)),
            50000,
        );
        let b6 = ep(IpAddr::V6(Ipv6Addr::new(0x0a00, 1, 0, 0, 0, 0, 0, 0)), 443);
        assert_ne!(TupleKey::new(a, b).0, TupleKey::new(a6, b6).0);
    }
}
