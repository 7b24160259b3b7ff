//! Link layers: from a frame's bytes and its LINKTYPE to the IP packet inside, through Ethernet
//! (with any number of 802.1Q / 802.1ad / QinQ tags up to a limit), Linux cooked SLL and SLL2,
//! BSD loopback (NULL, LOOP), Linux NFLOG and the raw-IP link types.

use etherparse::err::linux_sll;
use etherparse::{
    Ethernet2HeaderSlice, LinuxSllHeader, LinuxSllHeaderSlice, LinuxSllProtocolType,
    SingleVlanHeaderSlice,
};

use super::error::{Layer, NetError};

/// LINKTYPE_* values handled here.
pub const LINKTYPE_NULL: u32 = 0;
pub const LINKTYPE_ETHERNET: u32 = 1;
pub const LINKTYPE_RAW_12: u32 = 12;
pub const LINKTYPE_RAW_14: u32 = 14;
pub const LINKTYPE_RAW: u32 = 101;
pub const LINKTYPE_LOOP: u32 = 108;
pub const LINKTYPE_LINUX_SLL: u32 = 113;
pub const LINKTYPE_IPV4: u32 = 228;
pub const LINKTYPE_IPV6: u32 = 229;
/// Linux netfilter NFLOG (`tcpdump -i nflog:N`).
pub const LINKTYPE_NFLOG: u32 = 239;
pub const LINKTYPE_LINUX_SLL2: u32 = 276;

/// The most VLAN tags followed in one frame before it is called malformed.
pub const MAX_VLAN_TAGS: usize = 8;

const ETHERTYPE_IPV4: u16 = 0x0800;
const ETHERTYPE_IPV6: u16 = 0x86dd;
const ETHERTYPE_VLAN: u16 = 0x8100;
const ETHERTYPE_QINQ: u16 = 0x88a8;
const ETHERTYPE_QINQ_OLD: u16 = 0x9100;

/// BSD address families for IPv6 (NetBSD/OpenBSD, FreeBSD, Darwin); IPv4 is 2 everywhere.
const AF_INET: u32 = 2;
const AF_INET6: [u32; 3] = [24, 28, 30];

/// What the link layer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Network<'a> {
    Ipv4(&'a [u8]),
    Ipv6(&'a [u8]),
    /// Something else (ARP, LLDP, another address family...).
    Other,
    /// A link type this decoder does not know.
    UnsupportedLinkType,
}

/// Whether frames of this LINKTYPE can be decoded at all (see [`strip`]).
pub fn link_type_supported(link_type: u32) -> bool {
    matches!(
        link_type,
        LINKTYPE_ETHERNET
            | LINKTYPE_LINUX_SLL
            | LINKTYPE_LINUX_SLL2
            | LINKTYPE_NULL
            | LINKTYPE_LOOP
            | LINKTYPE_RAW
            | LINKTYPE_RAW_12
            | LINKTYPE_RAW_14
            | LINKTYPE_IPV4
            | LINKTYPE_IPV6
            | LINKTYPE_NFLOG
    )
}

/// Strips the link layer. Errors name the layer and the problem.
pub(crate) fn strip(link_type: u32, data: &[u8]) -> Result<Network<'_>, NetError> {
    match link_type {
        LINKTYPE_ETHERNET => ethernet(data),
        LINKTYPE_LINUX_SLL => sll(data),
        LINKTYPE_LINUX_SLL2 => sll2(data),
        LINKTYPE_NULL => null(data),
        LINKTYPE_LOOP => lookup_af(data, Layer::Loop, |b| Some(u32::from_be_bytes(b))),
        LINKTYPE_RAW | LINKTYPE_RAW_12 | LINKTYPE_RAW_14 => raw(data),
        LINKTYPE_IPV4 => Ok(Network::Ipv4(data)),
        LINKTYPE_IPV6 => Ok(Network::Ipv6(data)),
        LINKTYPE_NFLOG => nflog(data),
        _ => Ok(Network::UnsupportedLinkType),
    }
}

fn ethernet(data: &[u8]) -> Result<Network<'_>, NetError> {
    let eth = Ethernet2HeaderSlice::from_slice(data)
        .map_err(|e| NetError::from_len(Layer::Ethernet, "header", &e))?;
    let rest = data.get(eth.slice().len()..).unwrap_or_default();
    by_ethertype(eth.ether_type().0, rest)
}

/// Follows VLAN tags, then hands IPv4/IPv6 on.
fn by_ethertype(mut ethertype: u16, mut rest: &[u8]) -> Result<Network<'_>, NetError> {
    for _ in 0..=MAX_VLAN_TAGS {
        match ethertype {
            ETHERTYPE_IPV4 => return Ok(Network::Ipv4(rest)),
            ETHERTYPE_IPV6 => return Ok(Network::Ipv6(rest)),
            ETHERTYPE_VLAN | ETHERTYPE_QINQ | ETHERTYPE_QINQ_OLD => {
                let tag = SingleVlanHeaderSlice::from_slice(rest)
                    .map_err(|e| NetError::from_len(Layer::Vlan, "tag", &e))?;
                ethertype = tag.ether_type().0;
                rest = rest.get(tag.slice().len()..).unwrap_or_default();
            }
            _ => return Ok(Network::Other),
        }
    }
    Err(NetError::malformed(
        Layer::Vlan,
        format!("more than {MAX_VLAN_TAGS} stacked tags"),
    ))
}

fn be16(data: &[u8], at: usize) -> Option<u16> {
    let b = data.get(at..at.checked_add(2)?)?;
    <[u8; 2]>::try_from(b).ok().map(u16::from_be_bytes)
}

/// Linux cooked capture v1, read with etherparse's [`LinuxSllHeaderSlice`]: a 16-byte header
/// whose protocol field is an ethertype for Ethernet-like devices. etherparse knows five ARPHRD
/// values only; for the others Linux writes under `-i any` (loopback 772, tun/VPN 0xfffe, ...)
/// the protocol field is an ethertype too, so it is read from the header as it is.
fn sll(data: &[u8]) -> Result<Network<'_>, NetError> {
    let proto = match LinuxSllHeaderSlice::from_slice(data) {
        Ok(h) => match h.protocol_type() {
            LinuxSllProtocolType::EtherType(t) => t.0,
            // GRE's protocol type is an ethertype as well.
            LinuxSllProtocolType::GenericRoutingEncapsulationProtocolType(t) => t,
            // Netlink, 802.2 and other non-Ethernet payloads, radiotap: no IP here.
            _ => return Ok(Network::Other),
        },
        Err(linux_sll::HeaderSliceError::Len(e)) => {
            return Err(NetError::from_len(Layer::Sll, "header", &e));
        }
        Err(linux_sll::HeaderSliceError::Content(_)) => be16(data, 14)
            .ok_or_else(|| NetError::truncated(Layer::Sll, "header", data.len(), 16))?,
    };
    by_ethertype(proto, data.get(LinuxSllHeader::LEN..).unwrap_or_default())
}

/// Linux cooked capture v2 (etherparse has no parser for it): 20-byte header, protocol (an
/// ethertype) in the first two bytes.
fn sll2(data: &[u8]) -> Result<Network<'_>, NetError> {
    let (Some(proto), Some(rest)) = (be16(data, 0), data.get(20..)) else {
        return Err(NetError::truncated(Layer::Sll2, "header", data.len(), 20));
    };
    by_ethertype(proto, rest)
}

/// NFLOG's TLV holding the logged packet.
const NFULA_PAYLOAD: u16 = 9;
/// Linux's AF_INET6 (NFLOG's family byte; AF_INET is 2 as everywhere).
const LINUX_AF_INET6: u8 = 10;

/// NFLOG: a 4-byte header (address family, version, resource id) and TLVs whose length and type
/// are in the capturing host's byte order (so both are tried), each padded to 4 bytes; the
/// packet is the NFULA_PAYLOAD TLV.
fn nflog(data: &[u8]) -> Result<Network<'_>, NetError> {
    let family = *data
        .first()
        .ok_or_else(|| NetError::truncated(Layer::Nflog, "header", 0, 4))?;
    let mut at = 4usize;
    while let Some(head) = at.checked_add(4).and_then(|end| data.get(at..end)) {
        let (Some(len_bytes), Some(type_bytes)) = (head.get(..2), head.get(2..)) else {
            break;
        };
        let pick = |le: bool| {
            let n = |b: &[u8]| match <[u8; 2]>::try_from(b) {
                Ok(b) if le => u16::from_le_bytes(b),
                Ok(b) => u16::from_be_bytes(b),
                Err(_) => 0,
            };
            (usize::from(n(len_bytes)), n(type_bytes))
        };
        let end = |len: usize| at.checked_add(len).filter(|&e| len >= 4 && e <= data.len());
        let (len, tlv, tlv_end) = [pick(true), pick(false)]
            .into_iter()
            .find_map(|(len, tlv)| Some((len, tlv, end(len)?)))
            .ok_or_else(|| {
                NetError::malformed(
                    Layer::Nflog,
                    format!("TLV at byte {at} runs past the frame"),
                )
            })?;
        if tlv == NFULA_PAYLOAD {
            let payload = data.get(at.saturating_add(4)..tlv_end).unwrap_or_default();
            return Ok(match family {
                LINUX_AF_INET6 => Network::Ipv6(payload),
                2 => Network::Ipv4(payload),
                _ => Network::Other,
            });
        }
        // Each TLV is padded to 4 bytes; `len` is at most 0xffff, so this cannot overflow.
        at = at.saturating_add(len.next_multiple_of(4));
    }
    Ok(Network::Other)
}

/// BSD NULL: the address family in the capturing host's byte order, so try both.
fn null(data: &[u8]) -> Result<Network<'_>, NetError> {
    lookup_af(data, Layer::Null, |b| {
        let known = |af: u32| af == AF_INET || AF_INET6.contains(&af);
        [u32::from_le_bytes(b), u32::from_be_bytes(b)]
            .into_iter()
            .find(|&af| known(af))
    })
}

fn lookup_af<'a>(
    data: &'a [u8],
    layer: Layer,
    family: impl Fn([u8; 4]) -> Option<u32>,
) -> Result<Network<'a>, NetError> {
    let (Some(af), Some(rest)) = (
        data.get(..4).and_then(|b| <[u8; 4]>::try_from(b).ok()),
        data.get(4..),
    ) else {
        return Err(NetError::truncated(layer, "header", data.len(), 4));
    };
    Ok(match family(af) {
        Some(AF_INET) => Network::Ipv4(rest),
        Some(af) if AF_INET6.contains(&af) => Network::Ipv6(rest),
        _ => Network::Other,
    })
}

/// Raw IP: the version nibble says which.
fn raw(data: &[u8]) -> Result<Network<'_>, NetError> {
    match data.first().map(|b| b >> 4) {
        Some(4) => Ok(Network::Ipv4(data)),
        Some(6) => Ok(Network::Ipv6(data)),
        Some(v) => Err(NetError::malformed(
            Layer::RawIp,
            format!("version {v} is neither 4 nor 6"),
        )),
        None => Err(NetError::malformed(Layer::RawIp, "empty frame")),
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
mod tests {
    use super::*;

    /// The text of a link-layer error.
    fn text(r: Result<Network<'_>, NetError>) -> Result<Network<'_>, String> {
        r.map_err(|e| e.to_string())
    }

    const IP4: &[u8] = &[0x45, 1, 2, 3];
    const IP6: &[u8] = &[0x60, 1, 2, 3];

    fn eth(ethertype: u16, rest: &[u8]) -> Vec<u8> {
        let mut f = vec![0xaa; 12];
        f.extend(ethertype.to_be_bytes());
        f.extend(rest);
        f
    }

    fn tag(ethertype_inner: u16, rest: &[u8]) -> Vec<u8> {
        let mut t = vec![0x00, 0x64];
        t.extend(ethertype_inner.to_be_bytes());
        t.extend(rest);
        t
    }

    #[test]
    fn ethernet_plain_vlan_qinq_and_stacked() {
        assert_eq!(strip(1, &eth(0x0800, IP4)), Ok(Network::Ipv4(IP4)));
        assert_eq!(strip(1, &eth(0x86dd, IP6)), Ok(Network::Ipv6(IP6)));
        assert_eq!(
            strip(1, &eth(0x8100, &tag(0x0800, IP4))),
            Ok(Network::Ipv4(IP4))
        );
        let qinq = eth(0x88a8, &tag(0x8100, &tag(0x86dd, IP6)));
        assert_eq!(strip(1, &qinq), Ok(Network::Ipv6(IP6)));
        let old = eth(0x9100, &tag(0x9100, &tag(0x8100, &tag(0x0800, IP4))));
        assert_eq!(strip(1, &old), Ok(Network::Ipv4(IP4)));
        assert_eq!(strip(1, &eth(0x0806, &[0; 28])), Ok(Network::Other));
        assert_eq!(strip(1, &eth(0x88cc, &[0; 28])), Ok(Network::Other));
    }

    #[test]
    fn ethernet_damage_names_the_layer() {
        assert_eq!(
            text(strip(1, &[0; 10])),
            Err("ethernet: header truncated (10 of 14 bytes)".to_string())
        );
        assert_eq!(
            text(strip(1, &eth(0x8100, &[0, 1]))),
            Err("vlan: tag truncated (2 of 4 bytes)".to_string())
        );
        let mut deep = IP4.to_vec();
        for _ in 0..=MAX_VLAN_TAGS {
            deep = tag(0x8100, &deep);
        }
        assert_eq!(
            strip(1, &eth(0x8100, &deep)),
            Err(NetError::malformed(
                Layer::Vlan,
                format!("more than {MAX_VLAN_TAGS} stacked tags"),
            ))
        );
    }

    #[test]
    fn linux_cooked_v1_and_v2() {
        let mut sll1 = vec![0, 0, 0, 1, 0, 6, 1, 2, 3, 4, 5, 6, 0, 0];
        sll1.extend(0x0800u16.to_be_bytes());
        sll1.extend(IP4);
        assert_eq!(strip(113, &sll1), Ok(Network::Ipv4(IP4)));
        let mut sll1_vlan = sll1[..14].to_vec();
        sll1_vlan.extend(0x8100u16.to_be_bytes());
        sll1_vlan.extend(tag(0x86dd, IP6));
        assert_eq!(strip(113, &sll1_vlan), Ok(Network::Ipv6(IP6)));
        // loopback (ARPHRD 772, unknown to etherparse) under `-i any`; netlink carries no IP
        let mut lo = sll1.clone();
        lo[2..4].copy_from_slice(&772u16.to_be_bytes());
        assert_eq!(strip(113, &lo), Ok(Network::Ipv4(IP4)));
        let mut nl = sll1.clone();
        nl[2..4].copy_from_slice(&824u16.to_be_bytes());
        assert_eq!(strip(113, &nl), Ok(Network::Other));
        assert!(
            strip(113, &sll1[..15])
                .unwrap_err()
                .to_string()
                .starts_with("sll: header truncated")
        );

        let mut sll2 = 0x86ddu16.to_be_bytes().to_vec();
        sll2.extend([0; 18]);
        sll2.extend(IP6);
        assert_eq!(strip(276, &sll2), Ok(Network::Ipv6(IP6)));
        assert!(
            strip(276, &sll2[..19])
                .unwrap_err()
                .to_string()
                .starts_with("sll2: header truncated")
        );
    }

    #[test]
    fn bsd_null_either_byte_order_and_loop_big_endian() {
        let with = |af: [u8; 4], p: &[u8]| [&af[..], p].concat();
        assert_eq!(strip(0, &with([2, 0, 0, 0], IP4)), Ok(Network::Ipv4(IP4)));
        assert_eq!(strip(0, &with([0, 0, 0, 2], IP4)), Ok(Network::Ipv4(IP4)));
        for af in [24u32, 28, 30] {
            assert_eq!(
                strip(0, &with(af.to_le_bytes(), IP6)),
                Ok(Network::Ipv6(IP6))
            );
            assert_eq!(
                strip(0, &with(af.to_be_bytes(), IP6)),
                Ok(Network::Ipv6(IP6))
            );
            assert_eq!(
                strip(108, &with(af.to_be_bytes(), IP6)),
                Ok(Network::Ipv6(IP6))
            );
        }
        assert_eq!(strip(108, &with([0, 0, 0, 2], IP4)), Ok(Network::Ipv4(IP4)));
        // LOOP is always big-endian: a little-endian 2 is not IPv4 there
        assert_eq!(strip(108, &with([2, 0, 0, 0], IP4)), Ok(Network::Other));
        assert_eq!(strip(0, &with([7, 0, 0, 0], IP4)), Ok(Network::Other));
        assert_eq!(
            text(strip(0, &[2, 0])),
            Err("null: header truncated (2 of 4 bytes)".to_string())
        );
    }

    #[test]
    fn raw_ip_link_types() {
        for lt in [101, 12, 14] {
            assert_eq!(strip(lt, IP4), Ok(Network::Ipv4(IP4)));
            assert_eq!(strip(lt, IP6), Ok(Network::Ipv6(IP6)));
            assert_eq!(
                text(strip(lt, &[0x55])),
                Err("raw ip: version 5 is neither 4 nor 6".to_string())
            );
            assert_eq!(text(strip(lt, &[])), Err("raw ip: empty frame".to_string()));
        }
        assert_eq!(strip(228, IP4), Ok(Network::Ipv4(IP4)));
        assert_eq!(strip(229, IP6), Ok(Network::Ipv6(IP6)));
        assert_eq!(strip(147, IP4), Ok(Network::UnsupportedLinkType));
    }

    /// One NFLOG TLV: length (header included) and type in the given byte order, padded.
    fn tlv(le: bool, kind: u16, value: &[u8]) -> Vec<u8> {
        let len = u16::try_from(4 + value.len()).unwrap_or(u16::MAX);
        let mut v = Vec::new();
        if le {
            v.extend(len.to_le_bytes());
            v.extend(kind.to_le_bytes());
        } else {
            v.extend(len.to_be_bytes());
            v.extend(kind.to_be_bytes());
        }
        v.extend(value);
        while v.len() % 4 != 0 {
            v.push(0);
        }
        v
    }

    #[test]
    fn nflog_finds_the_payload_tlv_in_either_byte_order() {
        for le in [true, false] {
            // family, version, resource id 5; a prefix TLV (type 10) of odd length, then the packet.
            let mut frame = vec![2, 0, 0, 5];
            frame.extend(tlv(le, 10, b"cdlab"));
            frame.extend(tlv(le, 9, IP4));
            assert_eq!(strip(239, &frame), Ok(Network::Ipv4(IP4)), "le={le}");
            let mut v6 = vec![10, 0, 0, 5];
            v6.extend(tlv(le, 9, IP6));
            assert_eq!(strip(239, &v6), Ok(Network::Ipv6(IP6)));
        }
        // No payload TLV: nothing to decode; a TLV past the end: malformed.
        assert_eq!(strip(239, &[2, 0, 0, 5]), Ok(Network::Other));
        let mut cut = vec![2, 0, 0, 5];
        cut.extend([0x40, 0x00, 0x09, 0x00]);
        assert!(strip(239, &cut).is_err());
    }
}
