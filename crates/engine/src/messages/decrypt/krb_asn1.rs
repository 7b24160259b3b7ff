//! The RFC 4120 ASN.1 around the keys (EncryptedData, EncryptionKey, PrincipalName, Ticket,
//! PA-DATA), read with the proto crate's BER reader. Everything is optional: a structure that
//! does not parse is `None`, and the caller says what it was reading.

use crate::crypto::kerberos::Key;
use crate::proto::ber::{self, OCTET_STRING, SEQUENCE, Tlv};

/// EncryptedData: etype [0], kvno [1] OPTIONAL, cipher [2].
pub(super) struct EncryptedData<'a> {
    pub(super) etype: i32,
    pub(super) kvno: Option<u32>,
    pub(super) cipher: &'a [u8],
}

pub(super) fn encrypted_data(element: Tlv<'_>) -> Option<EncryptedData<'_>> {
    if element.tag != SEQUENCE {
        return None;
    }
    let etype = ber::int32(field(element.body, 0)?.body)?;
    let kvno = field(element.body, 1).and_then(|k| ber::uint(k.body).ok());
    let cipher = field(element.body, 2).filter(|c| c.tag == OCTET_STRING)?;
    Some(EncryptedData {
        etype,
        kvno,
        cipher: cipher.body,
    })
}

/// EncryptionKey: keytype [0], keyvalue [1]; `None` for a type or length capdiag-crypto
/// does not take.
pub(super) fn encryption_key(element: Tlv<'_>) -> Option<Key> {
    if element.tag != SEQUENCE {
        return None;
    }
    let keytype = ber::int32(field(element.body, 0)?.body)?;
    Key::from_number(keytype, field(element.body, 1)?.body).ok()
}

/// PrincipalName: the name-string [1] components.
pub(super) fn principal_name(element: Tlv<'_>) -> Vec<String> {
    field(element.body, 1)
        .map(|names| ber::children(names.body).flatten().map(text).collect())
        .unwrap_or_default()
}

/// The ciphertext of the Ticket in field `[n]` (its enc-part [3] cipher).
pub(super) fn ticket_cipher(fields: &[u8], n: u8) -> Option<&[u8]> {
    let ticket_fields = sequence_in(field(fields, n)?)?;
    encrypted_data(field(ticket_fields, 3)?).map(|data| data.cipher)
}

/// The padata-value of type `pa_type` in the SEQUENCE OF PA-DATA of field `[n]`.
pub(super) fn padata_value(fields: &[u8], n: u8, pa_type: u32) -> Option<&[u8]> {
    let padata = field(fields, n)?;
    ber::children(padata.body).flatten().find_map(|pa| {
        let pa_fields = (pa.tag == SEQUENCE).then_some(pa.body)?;
        let this_type = ber::uint(field(pa_fields, 1)?.body).ok()?;
        let value = field(pa_fields, 2)?;
        (this_type == pa_type && value.tag == OCTET_STRING).then_some(value.body)
    })
}

/// The contents of the SEQUENCE inside an APPLICATION-tagged element.
pub(super) fn sequence_in(element: Tlv<'_>) -> Option<&[u8]> {
    let (sequence, _) = ber::expect(element.body, SEQUENCE, "Kerberos structure").ok()?;
    Some(sequence.body)
}

/// The element inside context tag `[n]` of a SEQUENCE's contents.
pub(super) fn field(sequence: &[u8], n: u8) -> Option<Tlv<'_>> {
    let tagged = ber::children(sequence)
        .flatten()
        .find(|c| c.tag == ber::context(n))?;
    ber::read(tagged.body).ok().map(|(inner, _)| inner)
}

/// A KerberosString's bytes as text (invalid UTF-8 replaced).
pub(super) fn text(element: Tlv<'_>) -> String {
    String::from_utf8_lossy(element.body).into_owned()
}
