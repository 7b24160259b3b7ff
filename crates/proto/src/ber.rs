//! The one BER TLV reader (and minimal writer) of the decoders: LDAP framing, the LDAP compat
//! pre-pass, the SASL token sniffing and Kerberos all read their elements here.
//!
//! What it accepts: single-octet identifiers (neither LDAP nor Kerberos uses high tag numbers,
//! so the `0x1f` form is refused with [`BerError::HighTagNumber`]); definite lengths in short
//! form or long form with 1 to [`MAX_LENGTH_OCTETS`] octets, minimal or not (Windows writes
//! `84 00 00 00 xx`). Indefinite length (`0x80`, forbidden by RFC 4511 §5.1 and by DER for
//! Kerberos), the reserved `0xff` and longer length fields are errors, and so is any element
//! that announces more bytes than the buffer holds. Nothing here panics or overflows.

use thiserror::Error;

/// Identifier octet of a universal INTEGER.
pub const INTEGER: u8 = 0x02;
/// Identifier octet of a universal OCTET STRING.
pub const OCTET_STRING: u8 = 0x04;
/// Identifier octet of a universal OBJECT IDENTIFIER.
pub const OID: u8 = 0x06;
/// Identifier octet of a universal ENUMERATED.
pub const ENUMERATED: u8 = 0x0a;
/// Identifier octet of a universal SEQUENCE.
pub const SEQUENCE: u8 = 0x30;
/// Class bits of an APPLICATION tag.
pub const CLASS_APPLICATION: u8 = 0x40;

/// Most length octets accepted after a long-form `0x8n` length octet (Windows writes 4).
pub const MAX_LENGTH_OCTETS: usize = 4;

/// Why the bytes are not a BER element this reader accepts.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BerError {
    /// The buffer ends before the identifier and length octets do.
    #[error("truncated BER header")]
    TruncatedHeader,
    /// The element announces more contents than the buffer holds.
    #[error("truncated BER: element 0x{tag:02x} announces {announced} bytes, {present} present")]
    TruncatedContents {
        tag: u8,
        announced: usize,
        present: usize,
    },
    /// The `0x1f` identifier form; neither LDAP nor Kerberos uses it.
    #[error("high tag number form (identifier 0x{0:02x}) is not accepted")]
    HighTagNumber(u8),
    /// The `0x80` length octet.
    #[error("indefinite length")]
    IndefiniteLength,
    /// A long-form length with more than [`MAX_LENGTH_OCTETS`] octets (or the reserved `0xff`).
    #[error("{0} length octets (at most {MAX_LENGTH_OCTETS} accepted)")]
    TooManyLengthOctets(u8),
    /// The element is not the one the caller needs.
    #[error("{what}: expected identifier 0x{expected:02x}, found 0x{found:02x}")]
    UnexpectedTag {
        what: &'static str,
        expected: u8,
        found: u8,
    },
    /// An INTEGER or ENUMERATED read as unsigned that is empty, negative or wider than 32 bits.
    #[error("{0}")]
    BadUnsigned(&'static str),
}

/// One BER element: its identifier octet, the whole element and its contents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tlv<'a> {
    pub tag: u8,
    pub raw: &'a [u8],
    pub body: &'a [u8],
}

impl Tlv<'_> {
    /// The class bits (universal 0x00, application 0x40, context 0x80, private 0xc0).
    pub fn class(&self) -> u8 {
        self.tag & 0xc0
    }
    /// Whether the constructed bit is set.
    pub fn constructed(&self) -> bool {
        self.tag & 0x20 != 0
    }
    /// The tag number (always below 31 here).
    pub fn number(&self) -> u8 {
        self.tag & 0x1f
    }
}

/// Identifier octet of a constructed context-specific tag `[n]` (n < 31).
pub const fn context(n: u8) -> u8 {
    0xa0 | (n & 0x1f)
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

/// Reads the identifier and length octets at the front of `buf`.
pub fn header(buf: &[u8]) -> Result<Header, BerError> {
    let (Some(&tag), Some(&first)) = (buf.first(), buf.get(1)) else {
        return Ok(Header::Incomplete);
    };
    if tag & 0x1f == 0x1f {
        return Err(BerError::HighTagNumber(tag));
    }
    match first {
        0..=0x7f => Ok(Header::Known {
            tag,
            header_len: 2,
            body_len: usize::from(first),
        }),
        0x80 => Err(BerError::IndefiniteLength),
        0x81..=0x84 => {
            let count = usize::from(first & 0x7f);
            let Some(octets) = buf.get(2..).and_then(|rest| rest.get(..count)) else {
                return Ok(Header::Incomplete);
            };
            let mut be = [0u8; MAX_LENGTH_OCTETS];
            let at = MAX_LENGTH_OCTETS.saturating_sub(count);
            if let Some(slot) = be.get_mut(at..) {
                slot.copy_from_slice(octets);
            }
            let body_len = usize::try_from(u32::from_be_bytes(be))
                .map_err(|_| BerError::TooManyLengthOctets(first & 0x7f))?;
            Ok(Header::Known {
                tag,
                header_len: count.saturating_add(2),
                body_len,
            })
        }
        _ => Err(BerError::TooManyLengthOctets(first & 0x7f)),
    }
}

/// Reads one complete element from the front of `buf`, returning it and the rest.
pub fn read(buf: &[u8]) -> Result<(Tlv<'_>, &[u8]), BerError> {
    let Header::Known {
        tag,
        header_len,
        body_len,
    } = header(buf)?
    else {
        return Err(BerError::TruncatedHeader);
    };
    let (head, after) = buf.split_at_checked(header_len).unwrap_or((buf, &[]));
    let truncated = || BerError::TruncatedContents {
        tag,
        announced: body_len,
        present: after.len(),
    };
    let (body, rest) = after.split_at_checked(body_len).ok_or_else(truncated)?;
    let raw = buf
        .get(..head.len().saturating_add(body.len()))
        .ok_or_else(truncated)?;
    Ok((Tlv { tag, raw, body }, rest))
}

/// Reads one element and requires its identifier octet to be `tag`.
pub fn expect<'a>(
    buf: &'a [u8],
    tag: u8,
    what: &'static str,
) -> Result<(Tlv<'a>, &'a [u8]), BerError> {
    let (tlv, rest) = read(buf)?;
    if tlv.tag != tag {
        return Err(BerError::UnexpectedTag {
            what,
            expected: tag,
            found: tlv.tag,
        });
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
    type Item = Result<Tlv<'a>, BerError>;
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
pub fn uint(body: &[u8]) -> Result<u32, BerError> {
    match body.first() {
        None => return Err(BerError::BadUnsigned("empty INTEGER")),
        Some(b) if b & 0x80 != 0 => return Err(BerError::BadUnsigned("negative INTEGER")),
        Some(_) => {}
    }
    let skip = body.iter().take_while(|&&b| b == 0).count();
    let significant = body.get(skip..).unwrap_or_default();
    let mut be = [0u8; 4];
    let at = 4usize
        .checked_sub(significant.len())
        .ok_or(BerError::BadUnsigned("INTEGER larger than 32 bits"))?;
    if let Some(slot) = be.get_mut(at..) {
        slot.copy_from_slice(significant);
    }
    Ok(u32::from_be_bytes(be))
}

/// Decodes the contents of an INTEGER as an `i32` (two's complement; leading sign octets are
/// accepted when they agree with the sign of what remains, so `00 ff ff ff ff` is refused).
pub fn int32(body: &[u8]) -> Option<i32> {
    let negative = body.first()? & 0x80 != 0;
    let fill = if negative { 0xff } else { 0x00 };
    let (head, tail) = body.split_at(body.len().saturating_sub(4));
    if head.iter().any(|&b| b != fill) {
        return None;
    }
    if !head.is_empty() && tail.first().is_some_and(|b| (b & 0x80 != 0) != negative) {
        return None;
    }
    let mut be = [fill; 4];
    be.get_mut(4usize.saturating_sub(tail.len())..)?
        .copy_from_slice(tail);
    Some(i32::from_be_bytes(be))
}

/// Appends one element with a minimal definite length.
pub fn write(out: &mut Vec<u8>, tag: u8, body: &[u8]) {
    out.push(tag);
    let bytes = body.len().to_be_bytes();
    let skip = bytes.iter().take_while(|&&b| b == 0).count();
    let octets = bytes.get(skip..).unwrap_or_default();
    match u8::try_from(body.len()) {
        Ok(short) if short < 0x80 => out.push(short),
        _ => {
            // At most size_of::<usize>() octets, so the count fits the low 7 bits.
            let count = u8::try_from(octets.len()).unwrap_or(0x7f);
            out.push(0x80 | count);
            out.extend_from_slice(octets);
        }
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
    fn reads_short_form_and_every_long_form_including_windows_four_octets() {
        let (t, rest) = read(&[0x04, 0x02, b'h', b'i', 0xff]).unwrap();
        assert_eq!((t.tag, t.body, rest), (0x04, &b"hi"[..], &[0xff][..]));
        for long in [
            &[0x04, 0x81, 0x02][..],
            &[0x04, 0x82, 0, 0x02],
            &[0x04, 0x83, 0, 0, 0x02],
            &[0x04, 0x84, 0, 0, 0, 0x02],
        ] {
            let pdu = [long, b"hi"].concat();
            let (t, rest) = read(&pdu).unwrap();
            assert_eq!(
                (t.tag, t.body, t.raw, rest),
                (0x04, &b"hi"[..], &pdu[..], &[][..])
            );
        }
        let mut big = vec![0x04, 0x82, 0x01, 0x2c];
        big.resize(4 + 300, 7);
        assert_eq!(read(&big).unwrap().0.body.len(), 300);
    }

    #[test]
    fn header_waits_for_length_octets() {
        assert_eq!(header(&[]), Ok(Header::Incomplete));
        assert_eq!(header(&[0x30]), Ok(Header::Incomplete));
        assert_eq!(header(&[0x30, 0x84, 0, 0]), Ok(Header::Incomplete));
        assert_eq!(
            header(&[0x30, 0x84, 0xff, 0xff, 0xff, 0xff]),
            Ok(Header::Known {
                tag: 0x30,
                header_len: 6,
                body_len: 0xffff_ffff
            })
        );
    }

    #[test]
    fn refuses_high_tags_indefinite_and_long_length_fields() {
        assert_eq!(read(&[0x1f, 0x01, 0]), Err(BerError::HighTagNumber(0x1f)));
        assert_eq!(read(&[0x7f, 0x01, 0]), Err(BerError::HighTagNumber(0x7f)));
        assert_eq!(read(&[0x30, 0x80, 0, 0]), Err(BerError::IndefiniteLength));
        assert_eq!(
            read(&[0x30, 0x85, 0, 0, 0, 0, 1, 0]),
            Err(BerError::TooManyLengthOctets(5))
        );
        assert_eq!(
            read(&[0x30, 0xff]),
            Err(BerError::TooManyLengthOctets(0x7f))
        );
    }

    #[test]
    fn truncation_is_an_error() {
        assert_eq!(read(&[]), Err(BerError::TruncatedHeader));
        assert_eq!(read(&[0x30]), Err(BerError::TruncatedHeader));
        assert_eq!(read(&[0x04, 0x82, 1]), Err(BerError::TruncatedHeader));
        assert_eq!(
            read(&[0x04, 0x05, 1]),
            Err(BerError::TruncatedContents {
                tag: 0x04,
                announced: 5,
                present: 1
            })
        );
        assert!(matches!(
            read(&[0x04, 0x84, 0xff, 0xff, 0xff, 0xff, 1]),
            Err(BerError::TruncatedContents { .. })
        ));
        let mut kids = children(&[0x04, 0x00, 0x04, 0x03, 1]);
        assert!(matches!(kids.next(), Some(Ok(_))));
        assert!(matches!(kids.next(), Some(Err(_))));
        assert!(kids.next().is_none());
    }

    #[test]
    fn expect_names_the_element() {
        let e = expect(&[0x04, 0x00], SEQUENCE, "LDAPMessage").unwrap_err();
        assert_eq!(
            e.to_string(),
            "LDAPMessage: expected identifier 0x30, found 0x04"
        );
    }

    #[test]
    fn uint_accepts_padding_rejects_negative_and_wide() {
        assert_eq!(uint(&[0x00, 0x00, 0x76]).unwrap(), 118);
        assert_eq!(uint(&[0x00, 0xff, 0xff, 0xff, 0xff]).unwrap(), u32::MAX);
        assert_eq!(uint(&[0x00]).unwrap(), 0);
        assert!(uint(&[0xff]).is_err());
        assert!(uint(&[0x01, 0, 0, 0, 0]).is_err());
        assert!(uint(&[]).is_err());
    }

    #[test]
    fn int32_reads_signed_and_padded_values() {
        assert_eq!(int32(&[0x18]), Some(24));
        assert_eq!(int32(&[0x00, 0x80]), Some(128));
        assert_eq!(int32(&[0xff]), Some(-1));
        assert_eq!(int32(&[0x7c, 0x9e, 0x53, 0xbc]), Some(0x7c9e53bc));
        assert_eq!(int32(&[0x00, 0xff, 0xff, 0xff, 0xff]), None);
        assert_eq!(int32(&[]), None);
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
        assert_eq!(read(&out).unwrap().0.body.len(), 300);
        assert_eq!(uint_body(0), [0]);
        assert_eq!(uint_body(0x80), [0, 0x80]);
        assert_eq!(uint_body(118), [118]);
    }
}
