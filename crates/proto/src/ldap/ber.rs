//! A minimal BER TLV reader and writer for the few places that read LDAP bytes before or
//! beside rasn: the compatibility pre-pass and the SASL token sniffing. Single-octet
//! identifiers only (LDAP never uses high tag numbers), definite lengths only (RFC 4511 §5.1).

use super::error::LdapError;

/// Identifier octet of a universal SEQUENCE.
pub const SEQUENCE: u8 = 0x30;
/// Identifier octet of a universal ENUMERATED.
pub const ENUMERATED: u8 = 0x0a;
/// Identifier octet of a universal OBJECT IDENTIFIER.
pub const OID: u8 = 0x06;

/// Most length octets accepted after a long-form `0x8n` length octet (Windows writes 4).
pub const MAX_LENGTH_OCTETS: usize = 4;

/// One BER element: its identifier octet, the whole element and its contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub raw: &'a [u8],
    pub body: &'a [u8],
}

/// Result of reading the identifier and length octets only.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Header {
    /// Not enough bytes yet to know the length.
    Incomplete,
    /// Identifier octet, header length and contents length.
    Known {
        tag: u8,
        header_len: usize,
        body_len: usize,
    },
}

/// Reads identifier and length octets. Errors on high tag numbers, indefinite length,
/// the reserved `0xFF` length octet and more than [`MAX_LENGTH_OCTETS`] length octets.
pub fn header(buf: &[u8]) -> Result<Header, LdapError> {
    let (Some(&tag), Some(&first)) = (buf.first(), buf.get(1)) else {
        return Ok(Header::Incomplete);
    };
    if tag & 0x1f == 0x1f {
        return Err(LdapError::Malformed(format!(
            "high tag number form (identifier 0x{tag:02x}) is not used by LDAP"
        )));
    }
    match first {
        0..=0x7f => Ok(Header::Known {
            tag,
            header_len: 2,
            body_len: usize::from(first),
        }),
        0x80 => Err(LdapError::Malformed(
            "indefinite length (forbidden by RFC 4511 §5.1)".into(),
        )),
        _ => {
            let count = usize::from(first & 0x7f);
            if count > MAX_LENGTH_OCTETS {
                return Err(LdapError::Malformed(format!(
                    "{count} length octets (at most {MAX_LENGTH_OCTETS} accepted)"
                )));
            }
            let Some(octets) = buf.get(2..2 + count) else {
                return Ok(Header::Incomplete);
            };
            let body_len = octets
                .iter()
                .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
            Ok(Header::Known {
                tag,
                header_len: 2 + count,
                body_len,
            })
        }
    }
}

/// Reads one complete element from the front of `buf`, returning it and the rest.
pub fn read(buf: &[u8]) -> Result<(Tlv<'_>, &[u8]), LdapError> {
    match header(buf)? {
        Header::Incomplete => Err(LdapError::Truncated("BER header")),
        Header::Known {
            tag,
            header_len,
            body_len,
        } => {
            let end = header_len
                .checked_add(body_len)
                .ok_or(LdapError::Truncated("BER length overflows"))?;
            let raw = buf.get(..end).ok_or(LdapError::Truncated("BER contents"))?;
            let body = raw
                .get(header_len..)
                .ok_or(LdapError::Truncated("BER contents"))?;
            let rest = buf.get(end..).unwrap_or_default();
            Ok((Tlv { tag, raw, body }, rest))
        }
    }
}

/// Reads one element and requires its identifier octet to be `tag`.
pub fn expect<'a>(
    buf: &'a [u8],
    tag: u8,
    what: &'static str,
) -> Result<(Tlv<'a>, &'a [u8]), LdapError> {
    let (tlv, rest) = read(buf)?;
    if tlv.tag != tag {
        return Err(LdapError::Malformed(format!(
            "{what}: expected identifier 0x{tag:02x}, found 0x{:02x}",
            tlv.tag
        )));
    }
    Ok((tlv, rest))
}

/// Iterates over the elements inside a constructed element's contents.
pub fn children(body: &[u8]) -> Children<'_> {
    Children { rest: body }
}

/// Iterator returned by [`children`]; yields an error once and then stops.
pub struct Children<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Children<'a> {
    type Item = Result<Tlv<'a>, LdapError>;
    fn next(&mut self) -> Option<Self::Item> {
        if self.rest.is_empty() {
            return None;
        }
        match read(self.rest) {
            Ok((tlv, rest)) => {
                self.rest = rest;
                Some(Ok(tlv))
            }
            Err(e) => {
                self.rest = &[];
                Some(Err(e))
            }
        }
    }
}

/// Decodes the contents of an INTEGER/ENUMERATED as a non-negative `u32`.
pub fn uint(body: &[u8]) -> Result<u32, LdapError> {
    if body.is_empty() {
        return Err(LdapError::Malformed("empty INTEGER".into()));
    }
    if body.first().is_some_and(|b| b & 0x80 != 0) {
        return Err(LdapError::Malformed("negative INTEGER".into()));
    }
    let significant: &[u8] = match body.iter().position(|&b| b != 0) {
        Some(i) => body.get(i..).unwrap_or_default(),
        None => &[],
    };
    if significant.len() > 4 {
        return Err(LdapError::Malformed("INTEGER larger than 32 bits".into()));
    }
    Ok(significant
        .iter()
        .fold(0u32, |acc, &b| (acc << 8) | u32::from(b)))
}

/// Appends one element with a minimal definite length.
pub fn write(out: &mut Vec<u8>, tag: u8, body: &[u8]) {
    out.push(tag);
    let len = body.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|&&b| b == 0).count();
        let octets = bytes.get(skip..).unwrap_or_default();
        out.push(0x80 | octets.len() as u8);
        out.extend_from_slice(octets);
    }
    out.extend_from_slice(body);
}

/// Encodes a non-negative integer's contents minimally (for ENUMERATED replacements).
pub fn uint_body(value: u32) -> Vec<u8> {
    let bytes = value.to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count().min(3);
    let mut body: Vec<u8> = bytes.get(skip..).unwrap_or_default().to_vec();
    if body.first().is_some_and(|b| b & 0x80 != 0) {
        body.insert(0, 0);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_short_and_windows_long_form() {
        let (t, rest) = read(&[0x04, 0x02, b'h', b'i', 0xff]).unwrap();
        assert_eq!((t.tag, t.body, rest), (0x04, &b"hi"[..], &[0xff][..]));
        let (t, rest) = read(&[0x04, 0x84, 0, 0, 0, 0x02, b'h', b'i']).unwrap();
        assert_eq!(
            (t.tag, t.body, t.raw.len(), rest.len()),
            (0x04, &b"hi"[..], 8, 0)
        );
    }

    #[test]
    fn rejects_indefinite_too_many_length_octets_and_truncation() {
        assert!(matches!(
            read(&[0x30, 0x80, 0, 0]),
            Err(LdapError::Malformed(_))
        ));
        assert!(matches!(
            read(&[0x30, 0x85, 0, 0, 0, 0, 1, 0]),
            Err(LdapError::Malformed(_))
        ));
        assert!(matches!(
            read(&[0x04, 0x05, 1]),
            Err(LdapError::Truncated(_))
        ));
        assert!(matches!(
            read(&[0x04, 0x82, 1]),
            Err(LdapError::Truncated(_))
        ));
        assert!(matches!(
            read(&[0x1f, 0x01, 0]),
            Err(LdapError::Malformed(_))
        ));
    }

    #[test]
    fn uint_accepts_padding_rejects_negative_and_wide() {
        assert_eq!(uint(&[0x00, 0x00, 0x76]).unwrap(), 118);
        assert_eq!(uint(&[0x00, 0xff, 0xff, 0xff, 0xff]).unwrap(), u32::MAX);
        assert!(uint(&[0xff]).is_err());
        assert!(uint(&[0x01, 0, 0, 0, 0]).is_err());
        assert!(uint(&[]).is_err());
    }

    #[test]
    fn writes_minimal_lengths() {
        let mut out = Vec::new();
        write(&mut out, 0x04, &[7; 3]);
        assert_eq!(out, [0x04, 0x03, 7, 7, 7]);
        let mut out = Vec::new();
        write(&mut out, 0x04, &[0; 200]);
        assert_eq!(&out[..3], &[0x04, 0x81, 200]);
        assert_eq!(out.len(), 203);
        let mut out = Vec::new();
        write(&mut out, 0x04, &[0; 300]);
        assert_eq!(&out[..4], &[0x04, 0x82, 0x01, 0x2c]);
        assert_eq!(uint_body(0), [0]);
        assert_eq!(uint_body(0x80), [0, 0x80]);
        assert_eq!(uint_body(118), [118]);
    }
}
