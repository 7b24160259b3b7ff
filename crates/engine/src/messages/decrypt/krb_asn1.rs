//! The glue between the Kerberos ASN.1 types of the proto crate
//! ([`crate::proto::kerberos::asn1`]: `rasn-kerberos`'s types and capdiag's twins of the ones
//! holding names) and the keys: a structure decoded with rasn, or a [`DecryptError`] naming
//! what was read; an EncryptionKey as a capdiag-crypto [`Key`].

use super::DecryptError;
use crate::crypto::kerberos::Key;
use crate::proto::kerberos::asn1::{EncAsRepPart, EncKdcRepPart, EncTgsRepPart, EncryptionKey};

/// `bytes` (one BER element, anything after it ignored) as `T`, or
/// [`DecryptError::Malformed`] naming `what`.
pub(super) fn decode<T: rasn::Decode>(bytes: &[u8], what: &'static str) -> Result<T, DecryptError> {
    rasn::ber::decode(bytes).map_err(|_| DecryptError::Malformed(what))
}

/// An EncryptionKey as a key; `None` for a type or length capdiag-crypto does not take.
pub(super) fn key(key: &EncryptionKey) -> Option<Key> {
    Key::from_number(key.r#type, &key.value).ok()
}

/// The optional key `key` of a structure: absent is `None`, present but unusable is
/// [`DecryptError::Malformed`] naming `what`.
pub(super) fn optional_key(
    key: Option<&EncryptionKey>,
    what: &'static str,
) -> Result<Option<Key>, DecryptError> {
    key.map(|k| self::key(k).ok_or(DecryptError::Malformed(what)))
        .transpose()
}

/// A decrypted AS-REP or TGS-REP enc-part: EncASRepPart (APPLICATION 25) or EncTGSRepPart
/// (26), which Windows KDCs send in AS-REPs as well.
pub(super) fn enc_kdc_rep_part(plaintext: &[u8]) -> Option<EncKdcRepPart> {
    rasn::ber::decode::<EncAsRepPart>(plaintext)
        .map(|part| part.0)
        .or_else(|_| rasn::ber::decode::<EncTgsRepPart>(plaintext).map(|part| part.0))
        .ok()
}
