//! The Kerberos ASN.1 (RFC 4120 section 5, RFC 6113 section 5.4) capdiag decodes, as rasn
//! types: the structures that hold no name are `rasn-kerberos`'s own (re-exported here); the
//! ones that hold a KerberosString or a sequence number are declared here as twins of the RFC
//! definitions, with the same field layout as `rasn-kerberos`, and decoded with
//! `rasn::ber::decode`.
//!
//! Why twins and not `rasn_kerberos::{Ticket, KdcRep, ...}`:
//! - rasn's `GeneralString` checks its permitted alphabet and rejects bytes 0x80–0x9F. Windows
//!   sends principal names, realms and salts in UTF-8, where "Ä" is C3 84, "Ö" C3 96, "Ü"
//!   C3 9C and "ß" C3 9F: `rasn-kerberos` refuses the whole KDC-REP, Ticket, EncTicketPart,
//!   Authenticator or ETYPE-INFO2 entry of such an account, and the decryption of a German
//!   user's bind would be lost without a word. [`KerberosString`] here keeps the raw bytes (a
//!   salt must come back byte for byte) and converts to text lossily.
//! - `rasn-kerberos` types seq-number as `u32`; old Heimdal and some Windows builds encode it as
//!   a negative INTEGER. [`SeqNumber`] reads any INTEGER that fits an i64 and converts it the
//!   way MIT krb5 does.
//! - The RFC 6113 FAST types are not in `rasn-kerberos`.
//!
//! UInt32 fields that are only carried (nonces) are read as any INTEGER, for the same reason
//! as seq-number; the RFC 6113 extension markers (`...`) are not modelled.

use rasn::prelude::*;

pub use rasn_kerberos::{
    ApOptions, ApRep, AuthorizationData, Checksum, EncryptedData, EncryptionKey, HostAddress,
    HostAddresses, KdcOptions, KerberosTime, LastReq, LastReqValue, Microseconds, PaData,
    TicketFlags, TransitedEncoding,
};

/// KerberosString ::= GeneralString (IA5String) (RFC 4120 section 5.2.1), read as the raw
/// bytes of the universal 27 element: no alphabet check, UTF-8 left to the reader.
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(universal, 27), delegate)]
pub struct KerberosString(pub OctetString);

impl KerberosString {
    /// The string's bytes as they were sent.
    pub fn bytes(&self) -> &[u8] {
        &self.0
    }

    /// The string as text, invalid UTF-8 replaced.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.0).into_owned()
    }
}

impl From<&[u8]> for KerberosString {
    fn from(bytes: &[u8]) -> Self {
        Self(OctetString::from_slice(bytes))
    }
}

/// Realm ::= KerberosString (RFC 4120 section 5.2.2).
pub type Realm = KerberosString;

/// PrincipalName ::= SEQUENCE { name-type \[0\] Int32, name-string \[1\] SEQUENCE OF
/// KerberosString } (RFC 4120 section 5.2.2).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
pub struct PrincipalName {
    #[rasn(tag(explicit(0)))]
    pub name_type: i32,
    #[rasn(tag(explicit(1)))]
    pub name_string: SequenceOf<KerberosString>,
}

impl PrincipalName {
    /// The name-string components as text.
    pub fn components(&self) -> Vec<String> {
        self.name_string.iter().map(KerberosString::text).collect()
    }

    /// The components joined with '/', as people write them ("ldap/dc1.contoso.test").
    pub fn joined(&self) -> String {
        self.components().join("/")
    }
}

/// A seq-number, `UInt32` in RFC 4120 section 5.5.1, read as any INTEGER that fits an i64.
#[derive(AsnType, Clone, Copy, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(delegate)]
pub struct SeqNumber(pub i64);

impl SeqNumber {
    /// The value MIT krb5 takes: anything from -2^31 to 2^32-1, a negative encoding taken
    /// modulo 2^32 (-1 is 0xFFFFFFFF); `None` outside that range.
    pub fn mit_value(self) -> Option<u32> {
        const TWO_32: i64 = 1 << 32;
        if !(-(1 << 31)..TWO_32).contains(&self.0) {
            return None;
        }
        u32::try_from(self.0.rem_euclid(TWO_32)).ok()
    }
}

/// Ticket ::= \[APPLICATION 1\] SEQUENCE { tkt-vno \[0\], realm \[1\], sname \[2\],
/// enc-part \[3\] } (RFC 4120 section 5.3).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(explicit(application, 1)))]
pub struct Ticket {
    #[rasn(tag(explicit(0)))]
    pub tkt_vno: Integer,
    #[rasn(tag(explicit(1)))]
    pub realm: Realm,
    #[rasn(tag(explicit(2)))]
    pub sname: PrincipalName,
    #[rasn(tag(explicit(3)))]
    pub enc_part: EncryptedData,
}

/// EncTicketPart ::= \[APPLICATION 3\] SEQUENCE (RFC 4120 section 5.3).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(explicit(application, 3)))]
pub struct EncTicketPart {
    #[rasn(tag(explicit(0)))]
    pub flags: TicketFlags,
    #[rasn(tag(explicit(1)))]
    pub key: EncryptionKey,
    #[rasn(tag(explicit(2)))]
    pub crealm: Realm,
    #[rasn(tag(explicit(3)))]
    pub cname: PrincipalName,
    #[rasn(tag(explicit(4)))]
    pub transited: TransitedEncoding,
    #[rasn(tag(explicit(5)))]
    pub auth_time: KerberosTime,
    #[rasn(tag(explicit(6)))]
    pub start_time: Option<KerberosTime>,
    #[rasn(tag(explicit(7)))]
    pub end_time: KerberosTime,
    #[rasn(tag(explicit(8)))]
    pub renew_till: Option<KerberosTime>,
    #[rasn(tag(explicit(9)))]
    pub caddr: Option<HostAddresses>,
    #[rasn(tag(explicit(10)))]
    pub authorization_data: Option<AuthorizationData>,
}

/// AS-REQ ::= \[APPLICATION 10\] KDC-REQ (RFC 4120 section 5.4.1).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(explicit(application, 10)), delegate)]
pub struct AsReq(pub KdcReq);

/// TGS-REQ ::= \[APPLICATION 12\] KDC-REQ (RFC 4120 section 5.4.1).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(explicit(application, 12)), delegate)]
pub struct TgsReq(pub KdcReq);

/// KDC-REQ ::= SEQUENCE { pvno \[1\], msg-type \[2\], padata \[3\] OPTIONAL, req-body \[4\] } (RFC
/// 4120 section 5.4.1).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
pub struct KdcReq {
    #[rasn(tag(explicit(1)))]
    pub pvno: Integer,
    #[rasn(tag(explicit(2)))]
    pub msg_type: Integer,
    #[rasn(tag(explicit(3)))]
    pub padata: Option<SequenceOf<PaData>>,
    #[rasn(tag(explicit(4)))]
    pub req_body: KdcReqBody,
}

/// KDC-REQ-BODY ::= SEQUENCE (RFC 4120 section 5.4.1); nonce (UInt32) read as any INTEGER.
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
pub struct KdcReqBody {
    #[rasn(tag(explicit(0)))]
    pub kdc_options: KdcOptions,
    #[rasn(tag(explicit(1)))]
    pub cname: Option<PrincipalName>,
    #[rasn(tag(explicit(2)))]
    pub realm: Realm,
    #[rasn(tag(explicit(3)))]
    pub sname: Option<PrincipalName>,
    #[rasn(tag(explicit(4)))]
    pub from: Option<KerberosTime>,
    #[rasn(tag(explicit(5)))]
    pub till: KerberosTime,
    #[rasn(tag(explicit(6)))]
    pub rtime: Option<KerberosTime>,
    #[rasn(tag(explicit(7)))]
    pub nonce: Integer,
    #[rasn(tag(explicit(8)))]
    pub etype: SequenceOf<i32>,
    #[rasn(tag(explicit(9)))]
    pub addresses: Option<HostAddresses>,
    #[rasn(tag(explicit(10)))]
    pub enc_authorization_data: Option<EncryptedData>,
    #[rasn(tag(explicit(11)))]
    pub additional_tickets: Option<SequenceOf<Ticket>>,
}

/// AS-REP ::= \[APPLICATION 11\] KDC-REP (RFC 4120 section 5.4.2).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(explicit(application, 11)), delegate)]
pub struct AsRep(pub KdcRep);

/// TGS-REP ::= \[APPLICATION 13\] KDC-REP (RFC 4120 section 5.4.2).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(explicit(application, 13)), delegate)]
pub struct TgsRep(pub KdcRep);

/// KDC-REP ::= SEQUENCE { pvno \[0\], msg-type \[1\], padata \[2\] OPTIONAL, crealm \[3\],
/// cname \[4\], ticket \[5\], enc-part \[6\] } (RFC 4120 section 5.4.2).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
pub struct KdcRep {
    #[rasn(tag(explicit(0)))]
    pub pvno: Integer,
    #[rasn(tag(explicit(1)))]
    pub msg_type: Integer,
    #[rasn(tag(explicit(2)))]
    pub padata: Option<SequenceOf<PaData>>,
    #[rasn(tag(explicit(3)))]
    pub crealm: Realm,
    #[rasn(tag(explicit(4)))]
    pub cname: PrincipalName,
    #[rasn(tag(explicit(5)))]
    pub ticket: Ticket,
    #[rasn(tag(explicit(6)))]
    pub enc_part: EncryptedData,
}

/// EncASRepPart ::= \[APPLICATION 25\] EncKDCRepPart (RFC 4120 section 5.4.2).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(explicit(application, 25)), delegate)]
pub struct EncAsRepPart(pub EncKdcRepPart);

/// EncTGSRepPart ::= \[APPLICATION 26\] EncKDCRepPart (RFC 4120 section 5.4.2). Windows KDCs
/// send this tag in AS-REPs too (MIT krb5 accepts either, and so does capdiag).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(explicit(application, 26)), delegate)]
pub struct EncTgsRepPart(pub EncKdcRepPart);

/// EncKDCRepPart ::= SEQUENCE (RFC 4120 section 5.4.2); nonce (UInt32) read as any INTEGER.
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
pub struct EncKdcRepPart {
    #[rasn(tag(explicit(0)))]
    pub key: EncryptionKey,
    #[rasn(tag(explicit(1)))]
    pub last_req: LastReq,
    #[rasn(tag(explicit(2)))]
    pub nonce: Integer,
    #[rasn(tag(explicit(3)))]
    pub key_expiration: Option<KerberosTime>,
    #[rasn(tag(explicit(4)))]
    pub flags: TicketFlags,
    #[rasn(tag(explicit(5)))]
    pub auth_time: KerberosTime,
    #[rasn(tag(explicit(6)))]
    pub start_time: Option<KerberosTime>,
    #[rasn(tag(explicit(7)))]
    pub end_time: KerberosTime,
    #[rasn(tag(explicit(8)))]
    pub renew_till: Option<KerberosTime>,
    #[rasn(tag(explicit(9)))]
    pub srealm: Realm,
    #[rasn(tag(explicit(10)))]
    pub sname: PrincipalName,
    #[rasn(tag(explicit(11)))]
    pub caddr: Option<HostAddresses>,
    #[rasn(tag(explicit(12)))]
    pub encrypted_pa_data: Option<SequenceOf<PaData>>,
}

/// AP-REQ ::= \[APPLICATION 14\] SEQUENCE { pvno \[0\], msg-type \[1\], ap-options \[2\],
/// ticket \[3\], authenticator \[4\] } (RFC 4120 section 5.5.1).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(explicit(application, 14)))]
pub struct ApReq {
    #[rasn(tag(explicit(0)))]
    pub pvno: Integer,
    #[rasn(tag(explicit(1)))]
    pub msg_type: Integer,
    #[rasn(tag(explicit(2)))]
    pub ap_options: ApOptions,
    #[rasn(tag(explicit(3)))]
    pub ticket: Ticket,
    #[rasn(tag(explicit(4)))]
    pub authenticator: EncryptedData,
}

/// Authenticator ::= \[APPLICATION 2\] SEQUENCE (RFC 4120 section 5.5.1).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(explicit(application, 2)))]
pub struct Authenticator {
    #[rasn(tag(explicit(0)))]
    pub authenticator_vno: Integer,
    #[rasn(tag(explicit(1)))]
    pub crealm: Realm,
    #[rasn(tag(explicit(2)))]
    pub cname: PrincipalName,
    #[rasn(tag(explicit(3)))]
    pub cksum: Option<Checksum>,
    #[rasn(tag(explicit(4)))]
    pub cusec: Microseconds,
    #[rasn(tag(explicit(5)))]
    pub ctime: KerberosTime,
    #[rasn(tag(explicit(6)))]
    pub subkey: Option<EncryptionKey>,
    #[rasn(tag(explicit(7)))]
    pub seq_number: Option<SeqNumber>,
    #[rasn(tag(explicit(8)))]
    pub authorization_data: Option<AuthorizationData>,
}

/// EncAPRepPart ::= \[APPLICATION 27\] SEQUENCE { ctime \[0\], cusec \[1\], subkey \[2\] OPTIONAL,
/// seq-number \[3\] OPTIONAL } (RFC 4120 section 5.5.2).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(explicit(application, 27)))]
pub struct EncApRepPart {
    #[rasn(tag(explicit(0)))]
    pub ctime: KerberosTime,
    #[rasn(tag(explicit(1)))]
    pub cusec: Microseconds,
    #[rasn(tag(explicit(2)))]
    pub subkey: Option<EncryptionKey>,
    #[rasn(tag(explicit(3)))]
    pub seq_number: Option<SeqNumber>,
}

/// KRB-ERROR ::= \[APPLICATION 30\] SEQUENCE (RFC 4120 section 5.9.1).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(tag(explicit(application, 30)))]
pub struct KrbError {
    #[rasn(tag(explicit(0)))]
    pub pvno: Integer,
    #[rasn(tag(explicit(1)))]
    pub msg_type: Integer,
    #[rasn(tag(explicit(2)))]
    pub ctime: Option<KerberosTime>,
    #[rasn(tag(explicit(3)))]
    pub cusec: Option<Microseconds>,
    #[rasn(tag(explicit(4)))]
    pub stime: KerberosTime,
    #[rasn(tag(explicit(5)))]
    pub susec: Microseconds,
    #[rasn(tag(explicit(6)))]
    pub error_code: i32,
    #[rasn(tag(explicit(7)))]
    pub crealm: Option<Realm>,
    #[rasn(tag(explicit(8)))]
    pub cname: Option<PrincipalName>,
    #[rasn(tag(explicit(9)))]
    pub realm: Realm,
    #[rasn(tag(explicit(10)))]
    pub sname: PrincipalName,
    #[rasn(tag(explicit(11)))]
    pub e_text: Option<KerberosString>,
    #[rasn(tag(explicit(12)))]
    pub e_data: Option<OctetString>,
}

/// ETYPE-INFO2-ENTRY ::= SEQUENCE { etype \[0\] Int32, salt \[1\] KerberosString OPTIONAL,
/// s2kparams \[2\] OCTET STRING OPTIONAL } (RFC 4120 section 5.2.7.5).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
pub struct EtypeInfo2Entry {
    #[rasn(tag(explicit(0)))]
    pub etype: i32,
    #[rasn(tag(explicit(1)))]
    pub salt: Option<KerberosString>,
    #[rasn(tag(explicit(2)))]
    pub s2kparams: Option<OctetString>,
}

/// ETYPE-INFO2 ::= SEQUENCE SIZE (1..MAX) OF ETYPE-INFO2-ENTRY (RFC 4120 section 5.2.7.5).
pub type EtypeInfo2 = SequenceOf<EtypeInfo2Entry>;

/// PA-FX-FAST-REPLY ::= CHOICE { armored-data \[0\] KrbFastArmoredRep, ... } (RFC 6113 section
/// 5.4.3).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
#[rasn(choice)]
pub enum PaFxFastReply {
    #[rasn(tag(explicit(0)))]
    ArmoredData(KrbFastArmoredRep),
}

/// KrbFastArmoredRep ::= SEQUENCE { enc-fast-rep \[0\] EncryptedData, ... } (RFC 6113 section
/// 5.4.3): a KrbFastResponse encrypted with the armor key, usage 52.
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
pub struct KrbFastArmoredRep {
    #[rasn(tag(explicit(0)))]
    pub enc_fast_rep: EncryptedData,
}

/// KrbFastResponse ::= SEQUENCE { padata \[0\], strengthen-key \[1\] OPTIONAL, finished \[2\]
/// OPTIONAL, nonce \[3\] UInt32, ... } (RFC 6113 section 5.4.3); nonce read as any INTEGER.
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
pub struct KrbFastResponse {
    #[rasn(tag(explicit(0)))]
    pub padata: SequenceOf<PaData>,
    #[rasn(tag(explicit(1)))]
    pub strengthen_key: Option<EncryptionKey>,
    #[rasn(tag(explicit(2)))]
    pub finished: Option<KrbFastFinished>,
    #[rasn(tag(explicit(3)))]
    pub nonce: Integer,
}

/// KrbFastFinished ::= SEQUENCE { timestamp \[0\], usec \[1\], crealm \[2\], cname \[3\],
/// ticket-checksum \[4\], ... } (RFC 6113 section 5.4.3).
#[derive(AsnType, Clone, Debug, Decode, Encode, PartialEq, Eq)]
pub struct KrbFastFinished {
    #[rasn(tag(explicit(0)))]
    pub timestamp: KerberosTime,
    #[rasn(tag(explicit(1)))]
    pub usec: Microseconds,
    #[rasn(tag(explicit(2)))]
    pub crealm: Realm,
    #[rasn(tag(explicit(3)))]
    pub cname: PrincipalName,
    #[rasn(tag(explicit(4)))]
    pub ticket_checksum: Checksum,
}

/// The padata-value of the first PA-DATA of type `pa_type` in `padata`.
pub fn padata_value(padata: Option<&[PaData]>, pa_type: i32) -> Option<&[u8]> {
    padata?
        .iter()
        .find(|pa| pa.r#type == pa_type)
        .map(|pa| pa.value.as_ref())
}

#[cfg(test)]
mod tests;
