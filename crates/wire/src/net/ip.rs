//! IPv4 and IPv6 headers (IPv6 with its extension headers): addresses, the transport protocol,
//! the payload capped to the length the header declares, and fragment information.

use std::net::IpAddr;

use etherparse::err::{Layer as Layer6, ipv4, ipv6, ipv6_exts, tcp};
use etherparse::{
    IpNumber, Ipv4HeaderSlice, Ipv6ExtensionSlice, Ipv6ExtensionsSlice, Ipv6HeaderSlice,
};

use super::error::{Layer, NetError};

const IPV6_HEADER_LEN: usize = 40;

/// Where a fragment sits in its datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Fragment {
    /// IPv4 identification (16 bits) or IPv6 fragment identification (32 bits).
    pub id: u32,
    /// Offset of this fragment's payload in the reassembled payload, in bytes.
    pub offset: u32,
    /// More fragments follow.
    pub more: bool,
}

/// An IP packet with its header stripped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IpPacket<'a> {
    pub src: IpAddr,
    pub dst: IpAddr,
    /// The transport protocol (for a fragment: of the whole datagram).
    pub protocol: u8,
    /// Transport bytes (for a fragment: this fragment's share), capped to the declared length.
    pub payload: &'a [u8],
    pub fragment: Option<Fragment>,
}

/// Parses an IPv4 header.
pub(crate) fn ipv4(data: &[u8]) -> Result<IpPacket<'_>, NetError> {
    let bad = |reason: String| NetError::malformed(Layer::Ipv4, reason);
    let h = Ipv4HeaderSlice::from_slice(data).map_err(|e| match e {
        ipv4::HeaderSliceError::Len(e) => NetError::from_len(Layer::Ipv4, "header", &e),
        ipv4::HeaderSliceError::Content(ipv4::HeaderError::UnexpectedVersion {
            version_number,
        }) => bad(format!("version {version_number} in an IPv4 header")),
        ipv4::HeaderSliceError::Content(ipv4::HeaderError::HeaderLengthSmallerThanHeader {
            ihl,
        }) => bad(format!("header length {ihl} < 5")),
    })?;
    let header_len = h.slice().len();
    let total = usize::from(h.total_len());
    // A total length of 0 is what TCP segmentation offload leaves; use what was captured.
    let end = if total == 0 {
        data.len()
    } else if total < header_len {
        return Err(bad(format!(
            "total length {total} < header length {header_len}"
        )));
    } else {
        total.min(data.len())
    };
    let payload = data.get(header_len..end).unwrap_or_default();
    let fragment = h.is_fragmenting_payload().then(|| Fragment {
        id: u32::from(h.identification()),
        offset: u32::from(h.fragments_offset().byte_offset()),
        more: h.more_fragments(),
    });
    Ok(IpPacket {
        src: IpAddr::V4(h.source_addr()),
        dst: IpAddr::V4(h.destination_addr()),
        protocol: h.protocol().0,
        payload,
        fragment,
    })
}

/// Parses an IPv6 header and its extension headers up to the transport or a fragment.
pub(crate) fn ipv6(data: &[u8]) -> Result<IpPacket<'_>, NetError> {
    let h = Ipv6HeaderSlice::from_slice(data).map_err(|e| match e {
        ipv6::HeaderSliceError::Len(e) => NetError::from_len(Layer::Ipv6, "header", &e),
        ipv6::HeaderSliceError::Content(ipv6::HeaderError::UnexpectedVersion {
            version_number,
        }) => NetError::malformed(
            Layer::Ipv6,
            format!("version {version_number} in an IPv6 header"),
        ),
    })?;
    let declared = usize::from(h.payload_length());
    // Payload length 0 is a jumbogram (or offload); use what was captured.
    let end = if declared == 0 {
        data.len()
    } else {
        IPV6_HEADER_LEN.saturating_add(declared).min(data.len())
    };
    let payload = data.get(IPV6_HEADER_LEN..end).unwrap_or_default();
    let (protocol, offset, fragment) = extensions(h.next_header().0, payload)?;
    Ok(IpPacket {
        src: IpAddr::V6(h.source_addr()),
        dst: IpAddr::V6(h.destination_addr()),
        protocol,
        payload: payload.get(offset..).unwrap_or_default(),
        fragment,
    })
}

/// Walks IPv6 extension headers with etherparse's [`Ipv6ExtensionsSlice`], starting with `next`
/// at the start of `data`. Returns the protocol after them, the offset of its first byte, and the
/// fragment header if one says the payload is fragmented. etherparse walks on past such a
/// fragment header, but what follows it is the fragmentable part (in a later fragment, the middle
/// of the datagram rather than a header), so the walk is cut there and anything etherparse made
/// of the bytes after it, or found wrong with them, is left alone. The walk is bounded by the
/// packet: every extension header takes at least 8 bytes.
pub(crate) fn extensions(next: u8, data: &[u8]) -> Result<(u8, usize, Option<Fragment>), NetError> {
    let (exts, after, _, error) = Ipv6ExtensionsSlice::from_slice_lax(IpNumber(next), data);
    // etherparse's iterator reads each next header unchecked, trusting from_slice_lax to have
    // checked it; after an error the last next-header value names a header that is not there,
    // so it must not be asked for more than the bytes that were checked.
    let checked = exts.slice().len();
    let mut headers = exts.into_iter();
    let mut at = 0usize;
    while at < checked {
        let Some(ext) = headers.next() else { break };
        let (len, fragment) = match ext {
            Ipv6ExtensionSlice::Fragment(f) => (f.slice().len(), Some(f)),
            Ipv6ExtensionSlice::HopByHop(x)
            | Ipv6ExtensionSlice::Routing(x)
            | Ipv6ExtensionSlice::DestinationOptions(x) => (x.slice().len(), None),
            Ipv6ExtensionSlice::Authentication(a) => (a.slice().len(), None),
        };
        at = at.saturating_add(len);
        if let Some(f) = fragment.filter(|f| f.is_fragmenting_payload()) {
            let fragment = Fragment {
                id: f.identification(),
                offset: u32::from(f.fragment_offset().byte_offset()),
                more: f.more_fragments(),
            };
            return Ok((f.next_header().0, at, Some(fragment)));
        }
    }
    match error {
        None => Ok((after.0, at, None)),
        Some((ipv6_exts::HeaderSliceError::Len(e), layer)) => {
            let what = match layer {
                Layer6::Ipv6HopByHopHeader => "hop-by-hop options header",
                Layer6::Ipv6DestOptionsHeader => "destination options header",
                Layer6::Ipv6RouteHeader => "routing header",
                Layer6::Ipv6FragHeader => "fragment header",
                Layer6::IpAuthHeader => "authentication header",
                _ => "extension header",
            };
            Err(NetError::from_len(Layer::Ipv6, what, &e))
        }
        Some((ipv6_exts::HeaderSliceError::Content(e), _)) => Err(NetError::malformed(
            Layer::Ipv6,
            match e {
                ipv6_exts::HeaderError::HopByHopNotAtStart => {
                    "hop-by-hop options header not right after the IPv6 header"
                }
                ipv6_exts::HeaderError::IpAuth(_) => "authentication header with zero length",
            },
        )),
    }
}

/// True for the next-header values [`extensions`] steps over.
pub(crate) fn is_ipv6_extension(next: u8) -> bool {
    use etherparse::ip_number::{AUTH, IPV6_DEST_OPTIONS, IPV6_FRAG, IPV6_HOP_BY_HOP, IPV6_ROUTE};
    [
        IPV6_HOP_BY_HOP,
        IPV6_ROUTE,
        IPV6_FRAG,
        IPV6_DEST_OPTIONS,
        AUTH,
    ]
    .contains(&IpNumber(next))
}

/// Message for a TCP header problem (kept here beside the other etherparse error mapping).
pub(crate) fn tcp_error(e: tcp::HeaderSliceError) -> NetError {
    match e {
        tcp::HeaderSliceError::Len(e) => NetError::from_len(Layer::Tcp, "header", &e),
        tcp::HeaderSliceError::Content(tcp::HeaderError::DataOffsetTooSmall { data_offset }) => {
            NetError::malformed(Layer::Tcp, format!("data offset {data_offset} < 5"))
        }
    }
}

#[cfg(test)]
#[allow(
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    clippy::cast_possible_truncation
)]
pub(crate) mod tests {
    use super::*;

    /// The text of an IP-layer error.
    fn text<T>(r: Result<T, NetError>) -> Result<T, String> {
        r.map_err(|e| e.to_string())
    }
    use std::net::{Ipv4Addr, Ipv6Addr};

    /// An IPv4 header (no options) with the given fields and payload.
    pub(crate) fn v4(proto: u8, id: u16, frag_units: u16, more: bool, payload: &[u8]) -> Vec<u8> {
        let total = (20 + payload.len()) as u16;
        let flags = if more { 0x2000 } else { 0 } | frag_units;
        let mut p = vec![0x45, 0];
        p.extend(total.to_be_bytes());
        p.extend(id.to_be_bytes());
        p.extend(flags.to_be_bytes());
        p.extend([64, proto, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
        p.extend(payload);
        p
    }

    /// An IPv6 header with `next` and payload (which may start with extension headers).
    pub(crate) fn v6(next: u8, payload: &[u8]) -> Vec<u8> {
        let mut p = vec![0x60, 0, 0, 0];
        p.extend((payload.len() as u16).to_be_bytes());
        p.extend([next, 64]);
        p.extend(Ipv6Addr::LOCALHOST.octets());
        p.extend("2001:db8::2".parse::<Ipv6Addr>().unwrap().octets());
        p.extend(payload);
        p
    }

    /// An IPv6 fragment header.
    pub(crate) fn frag6(next: u8, id: u32, offset_units: u16, more: bool) -> Vec<u8> {
        let mut f = vec![next, 0];
        f.extend(((offset_units << 3) | u16::from(more)).to_be_bytes());
        f.extend(id.to_be_bytes());
        f
    }

    #[test]
    fn ipv4_caps_payload_to_total_length() {
        let mut p = v4(17, 7, 0, false, b"12345678");
        p.extend([0; 6]); // Ethernet padding
        let ip = ipv4(&p).unwrap();
        assert_eq!(ip.payload, b"12345678");
        assert_eq!(ip.protocol, 17);
        assert_eq!(ip.src, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)));
        assert_eq!(ip.dst, IpAddr::V4(Ipv4Addr::new(10, 0, 0, 2)));
        assert_eq!(ip.fragment, None);
    }

    #[test]
    fn ipv4_total_length_zero_means_offload() {
        let mut p = v4(6, 7, 0, false, b"abc");
        p[2] = 0;
        p[3] = 0;
        assert_eq!(ipv4(&p).unwrap().payload, b"abc");
    }

    #[test]
    fn ipv4_options_and_fragment_fields() {
        let mut p = v4(17, 0x1234, 3, true, b"xxxxxxxx");
        p[0] = 0x46;
        p.splice(20..20, [1, 1, 1, 0]);
        let total = p.len() as u16;
        p[2..4].copy_from_slice(&total.to_be_bytes());
        let ip = ipv4(&p).unwrap();
        assert_eq!(ip.payload, b"xxxxxxxx");
        assert_eq!(
            ip.fragment,
            Some(Fragment {
                id: 0x1234,
                offset: 24,
                more: true
            })
        );
    }

    #[test]
    fn ipv4_malformed_headers() {
        let mut p = v4(17, 1, 0, false, b"");
        p[0] = 0x43;
        assert_eq!(text(ipv4(&p)), Err("ipv4: header length 3 < 5".to_string()));
        assert_eq!(
            text(ipv4(&p[..12])),
            Err("ipv4: header truncated (12 of 20 bytes)".to_string())
        );
        let mut p = v4(17, 1, 0, false, b"");
        p[3] = 10;
        assert_eq!(
            text(ipv4(&p)),
            Err("ipv4: total length 10 < header length 20".to_string())
        );
        p[0] = 0x65;
        assert_eq!(
            text(ipv4(&p)),
            Err("ipv4: version 6 in an IPv4 header".to_string())
        );
    }

    #[test]
    fn ipv6_walks_extension_headers() {
        // hop-by-hop (8 bytes) -> routing (16 bytes) -> destination options (8) -> UDP
        let mut exts = vec![43, 0, 1, 4, 0, 0, 0, 0];
        exts.extend([60, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        exts.extend([17, 0, 1, 4, 0, 0, 0, 0]);
        exts.extend(b"udp!");
        let p = v6(0, &exts);
        let ip = ipv6(&p).unwrap();
        assert_eq!(ip.protocol, 17);
        assert_eq!(ip.payload, b"udp!");
        assert_eq!(ip.dst, "2001:db8::2".parse::<IpAddr>().unwrap());
    }

    #[test]
    fn ipv6_fragment_and_atomic_fragment() {
        let mut payload = frag6(17, 0xabcdef01, 2, true);
        payload.extend(b"12345678");
        let packet = v6(44, &payload);
        let ip = ipv6(&packet).unwrap();
        assert_eq!(
            ip.fragment,
            Some(Fragment {
                id: 0xabcdef01,
                offset: 16,
                more: true
            })
        );
        assert_eq!(ip.protocol, 17);
        assert_eq!(ip.payload, b"12345678");
        // offset 0 without M is not fragmented at all
        let mut atomic = frag6(6, 5, 0, false);
        atomic.extend(b"tcp");
        let packet = v6(44, &atomic);
        let ip = ipv6(&packet).unwrap();
        assert_eq!(
            (ip.protocol, ip.payload, ip.fragment),
            (6, &b"tcp"[..], None)
        );
    }

    #[test]
    fn ipv6_malformed() {
        assert_eq!(
            text(ipv6(&[0x60; 30])),
            Err("ipv6: header truncated (30 of 40 bytes)".to_string())
        );
        let mut p = v6(17, b"");
        p[0] = 0x40;
        assert_eq!(
            text(ipv6(&p)),
            Err("ipv6: version 4 in an IPv6 header".to_string())
        );
        let p = v6(0, &[17, 3, 0, 0]);
        assert_eq!(
            text(ipv6(&p)),
            Err("ipv6: hop-by-hop options header truncated (4 of 8 bytes)".to_string())
        );
        let p = v6(60, &[0, 0, 1, 4, 0, 0, 0, 0]);
        assert_eq!(
            text(ipv6(&p)),
            Err("ipv6: hop-by-hop options header not right after the IPv6 header".to_string())
        );
        let p = v6(44, &[17, 0, 0]);
        assert_eq!(
            text(ipv6(&p)),
            Err("ipv6: fragment header truncated (3 of 8 bytes)".to_string())
        );
        // A long chain is walked to its end (each header takes 8 bytes of the packet), and
        // one cut short is a truncated header, not a loop.
        let mut chain = Vec::new();
        for _ in 0..100 {
            chain.extend([60, 0, 1, 4, 0, 0, 0, 0]);
        }
        let last = chain.len() - 8;
        chain[last] = 17;
        chain.extend(b"udp!");
        let packet = v6(60, &chain);
        let ip = ipv6(&packet).unwrap();
        assert_eq!((ip.protocol, ip.payload), (17, &b"udp!"[..]));
        chain.truncate(last + 4);
        assert_eq!(
            text(ipv6(&v6(60, &chain))),
            Err("ipv6: destination options header truncated (4 of 8 bytes)".to_string())
        );
    }
}
