//! LDAP (RFC 4511) over TCP and CLDAP over UDP: BER framing, message decoding into [`model`],
//! RFC 4515 filter rendering, result-code names and Active Directory diagnostics.

pub mod ad_diagnostic;
pub mod compat;
pub mod decode;
pub mod error;
pub mod filter;
pub mod framing;
mod mech;
pub mod model;
pub mod result_code;

pub use ad_diagnostic::{
    AdDiagnostic, logon_data_meaning, parse_ad_diagnostic, win32_status_meaning,
};
pub use compat::MAX_FILTER_DEPTH;
pub use decode::{
    DecodeOptions, SimplePassword, decode_datagram, decode_message, decode_message_with,
};
pub use error::LdapError;
pub use framing::{MAX_LDAP_PDU, PduLen, pdu_length};
pub use model::*;
pub use result_code::ResultCode;
