//! The binary `Netlogon` attribute value of a CLDAP ping reply (MS-ADTS 6.3.1): the
//! NETLOGON_SAM_LOGON_RESPONSE_EX structure a DC sends for V5EX/V5EP pings (opcodes 23, 24, 25),
//! and as far as the spec allows the older NETLOGON_SAM_LOGON_RESPONSE and _NT40 forms
//! (opcodes 19, 20, 21). Also the renderers for the raw values a ping request carries in its
//! filter: domain GUID, domain SID and NtVer.
//!
//! Names in the EX form use RFC 1035 label compression with pointers counted from the start of
//! the value (MS-ADTS 6.3.7). Pointer chasing is bounded: a pointer must point before itself
//! and a name may follow at most [`MAX_POINTER_HOPS`] pointers, so a crafted value cannot loop.

use std::net::Ipv4Addr;

/// Most compression pointers followed while reading one name.
pub const MAX_POINTER_HOPS: usize = 32;
/// Longest name text accepted (RFC 1035 limits a name to 255 octets).
const MAX_NAME_LEN: usize = 255;

/// A decoded Netlogon value. Fields a form does not carry are empty (`""` / `None`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NetlogonReply {
    /// 23 LOGON_SAM_LOGON_RESPONSE_EX, 24 PAUSE, 25 USER_UNKNOWN, 19/20/21 the older forms.
    pub opcode: u16,
    pub opcode_name: &'static str,
    /// DS_FLAG bits (MS-ADTS 6.3.1.2).
    pub flags: u32,
    pub flag_names: Vec<&'static str>,
    /// 8-4-4-4-12 text of the domain GUID; `None` when absent or all zero.
    pub domain_guid: Option<String>,
    pub forest: String,
    pub domain: String,
    pub dc_host: String,
    pub netbios_domain: String,
    pub netbios_host: String,
    pub user: String,
    pub dc_site: String,
    /// Empty when the client's address matched no subnet of any site.
    pub client_site: String,
    /// From the DcSockAddr block (V5EP), or the DcIpAddress of the opcode-19 form.
    pub dc_address: Option<Ipv4Addr>,
    pub next_closest_site: Option<String>,
    pub nt_version: u32,
    pub nt_version_names: Vec<&'static str>,
}

/// Why a Netlogon value could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NetlogonError {
    #[error("netlogon: value shorter than its opcode")]
    NoOpcode,
    #[error("netlogon: opcode {0} is not a logon response (19-21, 23-25)")]
    NotALogonResponse(u16),
    #[error("netlogon: {len}-byte value is too short for {form}")]
    TooShort { len: usize, form: &'static str },
    /// A fixed field that is not there ("NtVersion", "Flags", "DomainGuid").
    #[error("netlogon: no {0}")]
    Missing(&'static str),
    /// A field that does not fit where it has to (its name, or a description).
    #[error("netlogon: {0}")]
    Field(&'static str),
    /// A compressed name that does not read.
    #[error("netlogon: {field} ({reason})")]
    Name {
        field: &'static str,
        reason: NameError,
    },
    #[error("netlogon: {0} unexplained bytes before NtVersion")]
    Unexplained(usize),
    #[error("netlogon: DcSockAddr of size {0} is not an AF_INET address")]
    NotInet(u8),
}

/// Why a compressed name (MS-ADTS 6.3.7) could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NameError {
    #[error("name runs past the end of the value")]
    PastEnd,
    #[error("compression pointer cut short")]
    PointerCut,
    #[error("more than {MAX_POINTER_HOPS} compression pointers")]
    TooManyPointers,
    #[error("compression pointer at {at} points forward to {target}")]
    Forward { at: usize, target: usize },
    #[error("label runs past the end of the value")]
    LabelPastEnd,
    #[error("name longer than {MAX_NAME_LEN} characters")]
    TooLong,
    #[error("reserved label type 0x{0:02x}")]
    ReservedLabel(u8),
}

/// Decodes the value of the `Netlogon` attribute.
pub fn decode_netlogon(value: &[u8]) -> Result<NetlogonReply, NetlogonError> {
    let opcode = u16_le(value, 0).ok_or(NetlogonError::NoOpcode)?;
    match opcode {
        23..=25 => decode_ex(value, opcode),
        19..=21 => decode_v5_or_nt40(value, opcode),
        other => Err(NetlogonError::NotALogonResponse(other)),
    }
}

/// Reads the names `fields` in turn from `pos`, each ending before `end`.
fn read_names<const N: usize>(
    value: &[u8],
    mut pos: usize,
    end: usize,
    fields: [&'static str; N],
) -> Result<([String; N], usize), NetlogonError> {
    let mut names: [String; N] = std::array::from_fn(|_| String::new());
    for (slot, field) in names.iter_mut().zip(fields) {
        let (name, next) =
            read_name(value, pos, end).map_err(|reason| NetlogonError::Name { field, reason })?;
        *slot = name;
        pos = next;
    }
    Ok((names, pos))
}

/// The MS-ADTS 6.3.1 name of an operation code.
pub fn opcode_name(opcode: u16) -> &'static str {
    match opcode {
        7 => "LOGON_PRIMARY_QUERY",
        12 => "LOGON_PRIMARY_RESPONSE",
        18 => "LOGON_SAM_LOGON_REQUEST",
        19 => "LOGON_SAM_LOGON_RESPONSE",
        20 => "LOGON_SAM_PAUSE_RESPONSE",
        21 => "LOGON_SAM_USER_UNKNOWN",
        23 => "LOGON_SAM_LOGON_RESPONSE_EX",
        24 => "LOGON_SAM_PAUSE_RESPONSE_EX",
        25 => "LOGON_SAM_USER_UNKNOWN_EX",
        _ => "UNKNOWN_OPCODE",
    }
}

const DS_FLAGS: [(u32, &str); 20] = [
    (0x0000_0001, "DS_PDC_FLAG"),
    (0x0000_0004, "DS_GC_FLAG"),
    (0x0000_0008, "DS_LDAP_FLAG"),
    (0x0000_0010, "DS_DS_FLAG"),
    (0x0000_0020, "DS_KDC_FLAG"),
    (0x0000_0040, "DS_TIMESERV_FLAG"),
    (0x0000_0080, "DS_CLOSEST_FLAG"),
    (0x0000_0100, "DS_WRITABLE_FLAG"),
    (0x0000_0200, "DS_GOOD_TIMESERV_FLAG"),
    (0x0000_0400, "DS_NDNC_FLAG"),
    (0x0000_0800, "DS_SELECT_SECRET_DOMAIN_6_FLAG"),
    (0x0000_1000, "DS_FULL_SECRET_DOMAIN_6_FLAG"),
    (0x0000_2000, "DS_WS_FLAG"),
    (0x0000_4000, "DS_DS_8_FLAG"),
    (0x0000_8000, "DS_DS_9_FLAG"),
    (0x0001_0000, "DS_DS_10_FLAG"),
    (0x0002_0000, "DS_KEY_LIST_FLAG"),
    (0x2000_0000, "DS_DNS_CONTROLLER_FLAG"),
    (0x4000_0000, "DS_DNS_DOMAIN_FLAG"),
    (0x8000_0000, "DS_DNS_FOREST_FLAG"),
];

/// Names of the set DS_FLAG bits, lowest first; unknown bits are left out.
pub fn flag_names(flags: u32) -> Vec<&'static str> {
    names_of(&DS_FLAGS, flags)
}

/// The names of the bits of `value` set in a (bit, name) table, in table order.
fn names_of(table: &[(u32, &'static str)], value: u32) -> Vec<&'static str> {
    table
        .iter()
        .filter(|(bit, _)| value & bit != 0)
        .map(|(_, name)| *name)
        .collect()
}

const NT_VERSIONS: [(u32, &str); 10] = [
    (0x0000_0001, "V1"),
    (0x0000_0002, "V5"),
    (0x0000_0004, "V5EX"),
    (0x0000_0008, "V5EP"),
    (0x0000_0010, "VCS"),
    (0x0100_0000, "VNT4"),
    (0x1000_0000, "VPDC"),
    (0x2000_0000, "VIP"),
    (0x4000_0000, "VL"),
    (0x8000_0000, "VGC"),
];

/// Names of the set NETLOGON_NT_VERSION bits, lowest first.
pub fn ntver_names(v: u32) -> Vec<&'static str> {
    names_of(&NT_VERSIONS, v)
}

const V5EP: u32 = 0x8;

/// A GUID in the MS-DTYP 2.3.4 layout (Data1 u32 LE, Data2 u16 LE, Data3 u16 LE, Data4 8
/// bytes) as lower-case 8-4-4-4-12 text. `None` unless exactly 16 bytes.
pub fn guid_text(raw16: &[u8]) -> Option<String> {
    let b: &[u8; 16] = raw16.try_into().ok()?;
    let [
        a0,
        a1,
        a2,
        a3,
        b0,
        b1,
        c0,
        c1,
        d0,
        d1,
        e0,
        e1,
        e2,
        e3,
        e4,
        e5,
    ] = *b;
    Some(format!(
        "{:08x}-{:04x}-{:04x}-{d0:02x}{d1:02x}-{e0:02x}{e1:02x}{e2:02x}{e3:02x}{e4:02x}{e5:02x}",
        u32::from_le_bytes([a0, a1, a2, a3]),
        u16::from_le_bytes([b0, b1]),
        u16::from_le_bytes([c0, c1]),
    ))
}

/// A binary SID (MS-DTYP 2.4.2: revision, sub-authority count, 6-byte big-endian authority,
/// little-endian 32-bit sub-authorities) as "S-1-5-21-...". Authorities of 2^32 and more are
/// written in hex as MS-DTYP 2.4.2.1 says. `None` unless the length matches the count.
pub fn sid_text(raw: &[u8]) -> Option<String> {
    let (&revision, rest) = raw.split_first()?;
    let (&count, rest) = rest.split_first()?;
    let (authority, subs) = rest.split_first_chunk::<6>()?;
    if revision != 1 || count > 15 || subs.len() != usize::from(count) * 4 {
        return None;
    }
    let [a0, a1, a2, a3, a4, a5] = *authority;
    let authority = u64::from_be_bytes([0, 0, a0, a1, a2, a3, a4, a5]);
    let mut text = if authority < (1 << 32) {
        format!("S-{revision}-{authority}")
    } else {
        format!("S-{revision}-0x{authority:012X}")
    };
    for chunk in subs.chunks_exact(4) {
        let sub = u32::from_le_bytes(chunk.try_into().ok()?);
        text.push_str(&format!("-{sub}"));
    }
    Some(text)
}

/// NETLOGON_SAM_LOGON_RESPONSE_EX (MS-ADTS 6.3.1.9). Read as Wireshark does: NtVersion and the
/// two tokens from the end, the names from the front, and then whatever lies between the last
/// name and NtVersion decides whether the sockaddr block and NextClosestSiteName are present.
fn decode_ex(value: &[u8], opcode: u16) -> Result<NetlogonReply, NetlogonError> {
    let len = value.len();
    // 2 opcode + 2 sbz + 4 flags + 16 guid + 8 one-byte names + 8 trailer.
    let Some(trailer) = len.checked_sub(8).filter(|_| len >= 40) else {
        return Err(NetlogonError::TooShort {
            len,
            form: "LOGON_SAM_LOGON_RESPONSE_EX",
        });
    };
    let nt_version = u32_le(value, trailer).ok_or(NetlogonError::Missing("NtVersion"))?;
    let flags = u32_le(value, 4).ok_or(NetlogonError::Missing("Flags"))?;
    let guid = value
        .get(8..24)
        .ok_or(NetlogonError::Missing("DomainGuid"))?;

    let (n, mut pos) = read_names(value, 24, trailer, EX_NAME_FIELDS)?;
    // In EX_NAME_FIELDS' order; one line, as the struct below lists the same names again.
    #[rustfmt::skip]
    let [forest, domain, dc_host, netbios_domain, netbios_host, user, dc_site, client_site] = n;

    let mut dc_address = None;
    if looks_like_sockaddr(value, pos, trailer) || (nt_version & V5EP != 0 && pos < trailer) {
        dc_address = sockaddr_in(value, pos, trailer)?;
        pos = pos.saturating_add(17);
    }
    let mut next_closest_site = None;
    if pos < trailer {
        let ([name], next) = read_names(value, pos, trailer, ["NextClosestSiteName"])?;
        next_closest_site = Some(name);
        pos = next;
    }
    if pos != trailer {
        return Err(NetlogonError::Unexplained(trailer.saturating_sub(pos)));
    }
    Ok(NetlogonReply {
        opcode,
        opcode_name: opcode_name(opcode),
        flags,
        flag_names: flag_names(flags),
        domain_guid: nonzero_guid(guid),
        forest,
        domain,
        dc_host,
        netbios_domain,
        netbios_host,
        user,
        dc_site,
        client_site,
        dc_address,
        next_closest_site,
        nt_version,
        nt_version_names: ntver_names(nt_version),
    })
}

const EX_NAME_FIELDS: [&str; 8] = [
    "DnsForestName",
    "DnsDomainName",
    "DnsHostName",
    "NetbiosDomainName",
    "NetbiosComputerName",
    "UserName",
    "DcSiteName",
    "ClientSiteName",
];

/// DcSockAddrSize 16, then a SOCKADDR_IN with family AF_INET (2, little-endian), port 0, the
/// address and 8 zero bytes.
fn looks_like_sockaddr(value: &[u8], pos: usize, end: usize) -> bool {
    match value.get(pos..pos.saturating_add(17)) {
        Some([16, 2, 0, 0, 0, _, _, _, _, zero @ ..]) if pos.saturating_add(17) <= end => {
            zero.iter().all(|&b| b == 0)
        }
        _ => false,
    }
}

/// The IPv4 address of the DcSockAddr block at `pos` (its size byte first). The address is in
/// network (big-endian) order; a DC without IPv4 puts 127.0.0.1 there.
fn sockaddr_in(value: &[u8], pos: usize, end: usize) -> Result<Option<Ipv4Addr>, NetlogonError> {
    let truncated = NetlogonError::Field("DcSockAddr block truncated");
    let block = value
        .get(pos..pos.saturating_add(17))
        .filter(|_| pos.saturating_add(17) <= end)
        .ok_or(truncated.clone())?;
    match *block {
        [16, 2, 0, _, _, a, b, c, d, ..] => Ok(Some(Ipv4Addr::new(a, b, c, d))),
        [size, ..] => Err(NetlogonError::NotInet(size)),
        [] => Err(truncated),
    }
}

fn nonzero_guid(raw: &[u8]) -> Option<String> {
    if raw.iter().all(|&b| b == 0) {
        None
    } else {
        guid_text(raw)
    }
}

/// Reads a compressed name starting at `start`; the name's own bytes must end before `end`
/// (pointer targets may be anywhere earlier in the value). Returns the text and the offset just
/// after the name's bytes at `start`.
///
/// A pointer is `11xxxxxx yyyyyyyy`. RFC 1035 reads a 14-bit offset; MS-ADTS 6.3.7 uses only
/// `yyyyyyyy`. Both agree whenever the value is shorter than 256 bytes; when the 14-bit offset
/// falls outside the value the one-byte form is used.
fn read_name(value: &[u8], start: usize, end: usize) -> Result<(String, usize), NameError> {
    let mut labels: Vec<String> = Vec::new();
    let mut text_len = 0usize;
    let mut pos = start;
    let mut hops = 0usize;
    // Where the name's bytes at `start` end: set at the first pointer or the final zero.
    let mut after: Option<usize> = None;
    loop {
        let limit = if after.is_none() { end } else { value.len() };
        let &b = value
            .get(pos)
            .filter(|_| pos < limit)
            .ok_or(NameError::PastEnd)?;
        // `pos` indexes `value`, so these do not saturate.
        let (next, label_start) = (pos.saturating_add(1), pos.saturating_add(1));
        match b {
            0 => {
                let next = after.unwrap_or(next);
                return Ok((labels.join("."), next));
            }
            0xc0..=0xff => {
                let &low = value
                    .get(next)
                    .filter(|_| next < limit)
                    .ok_or(NameError::PointerCut)?;
                hops = hops.saturating_add(1);
                if hops > MAX_POINTER_HOPS {
                    return Err(NameError::TooManyPointers);
                }
                let wide = usize::from(u16::from_be_bytes([b & 0x3f, low]));
                let target = if wide < value.len() {
                    wide
                } else {
                    usize::from(low)
                };
                if target >= pos {
                    return Err(NameError::Forward { at: pos, target });
                }
                after.get_or_insert(next.saturating_add(1));
                pos = target;
            }
            1..=0x3f => {
                let n = usize::from(b);
                let label_end = label_start.saturating_add(n);
                let label = value
                    .get(label_start..label_end)
                    .filter(|_| label_end <= limit)
                    .ok_or(NameError::LabelPastEnd)?;
                text_len = text_len
                    .saturating_add(n)
                    .saturating_add(usize::from(!labels.is_empty()));
                if text_len > MAX_NAME_LEN {
                    return Err(NameError::TooLong);
                }
                labels.push(String::from_utf8_lossy(label).into_owned());
                pos = label_end;
            }
            _ => return Err(NameError::ReservedLabel(b)),
        }
    }
}

/// NETLOGON_SAM_LOGON_RESPONSE (MS-ADTS 6.3.1.8) and NETLOGON_SAM_LOGON_RESPONSE_NT40
/// (6.3.1.7): Opcode, then null-terminated UTF-16LE UnicodeLogonServer ("\\DC1"),
/// UnicodeUserName, UnicodeDomainName. NT40 ends there with NtVersion and the tokens; the V5 form
/// goes on with DomainGuid, NullGuid, compressed DnsForestName / DnsDomainName / DnsHostName,
/// DcIpAddress (4 bytes, network order), Flags, NtVersion, LmNtToken, Lm20Token.
fn decode_v5_or_nt40(value: &[u8], opcode: u16) -> Result<NetlogonReply, NetlogonError> {
    let len = value.len();
    let Some(trailer) = len.checked_sub(8).filter(|_| len >= 2 + 6 + 8) else {
        return Err(NetlogonError::TooShort {
            len,
            form: "LOGON_SAM_LOGON_RESPONSE",
        });
    };
    let nt_version = u32_le(value, trailer).ok_or(NetlogonError::Missing("NtVersion"))?;
    let field = NetlogonError::Field;
    let (server, pos) = utf16z(value, 2, trailer).ok_or(field("UnicodeLogonServer"))?;
    let (user, pos) = utf16z(value, pos, trailer).ok_or(field("UnicodeUserName"))?;
    let (nb_domain, pos) = utf16z(value, pos, trailer).ok_or(field("UnicodeDomainName"))?;
    let mut reply = NetlogonReply {
        opcode,
        opcode_name: opcode_name(opcode),
        flags: 0,
        flag_names: Vec::new(),
        domain_guid: None,
        forest: String::new(),
        domain: String::new(),
        dc_host: String::new(),
        netbios_domain: nb_domain,
        netbios_host: server.trim_start_matches('\\').to_string(),
        user,
        dc_site: String::new(),
        client_site: String::new(),
        dc_address: None,
        next_closest_site: None,
        nt_version,
        nt_version_names: ntver_names(nt_version),
    };
    if pos == trailer {
        return Ok(reply); // NT40 form
    }
    let guids_end = pos.saturating_add(32);
    let guid = value
        .get(pos..pos.saturating_add(16))
        .filter(|_| guids_end <= trailer)
        .ok_or(field("DomainGuid/NullGuid truncated"))?;
    reply.domain_guid = nonzero_guid(guid);
    let ([forest, domain, dc_host], pos) = read_names(
        value,
        guids_end,
        trailer,
        ["DnsForestName", "DnsDomainName", "DnsHostName"],
    )?;
    (reply.forest, reply.domain, reply.dc_host) = (forest, domain, dc_host);
    // DcIpAddress and Flags, then the 8-byte trailer (NtVersion, LmNtToken, Lm20Token).
    match value.get(pos..).filter(|rest| rest.len() == 8 + 8) {
        Some(&[a, b, c, d, f0, f1, f2, f3, ..]) => {
            reply.dc_address = Some(Ipv4Addr::new(a, b, c, d));
            reply.flags = u32::from_le_bytes([f0, f1, f2, f3]);
            reply.flag_names = flag_names(reply.flags);
            Ok(reply)
        }
        _ => Err(field("DcIpAddress/Flags do not end where NtVersion starts")),
    }
}

/// A null-terminated UTF-16LE string at `pos` ending before `end`; returns it and the offset
/// after its terminator.
fn utf16z(value: &[u8], pos: usize, end: usize) -> Option<(String, usize)> {
    let region = value.get(pos..end)?;
    let mut units = Vec::new();
    for (i, pair) in region.chunks_exact(2).enumerate() {
        let unit = u16::from_le_bytes([*pair.first()?, *pair.get(1)?]);
        if unit == 0 {
            let after = i.checked_add(1)?.checked_mul(2)?.checked_add(pos)?;
            return Some((String::from_utf16_lossy(&units), after));
        }
        units.push(unit);
    }
    None
}

fn u16_le(value: &[u8], at: usize) -> Option<u16> {
    let b = value.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(b.try_into().ok()?))
}

fn u32_le(value: &[u8], at: usize) -> Option<u32> {
    let b = value.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(b.try_into().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn read_name_plain_and_pointer() {
        // "ab" "c" 0 at 0; pointer to 0 at 5
        let v = [2, b'a', b'b', 1, b'c', 0, 1, b'x', 0xc0, 0x00];
        assert_eq!(read_name(&v, 0, v.len()).unwrap(), ("ab.c".into(), 6));
        assert_eq!(read_name(&v, 6, v.len()).unwrap(), ("x.ab.c".into(), 10));
    }

    #[test]
    fn read_name_rejects_self_and_forward_pointers() {
        let v = [0xc0, 0x00];
        assert!(read_name(&v, 0, 2).is_err());
        let v = [0xc0, 0x02, 0x00];
        assert!(read_name(&v, 0, 3).is_err());
        let v = [0x40, 0x00];
        assert!(read_name(&v, 0, 2).is_err());
    }
}
