//! Why a sealed connection could not be opened. Names principals and fields, never keys.

use crate::crypto::kerberos::KerberosError;
use crate::crypto::ntlm::NtlmError;

/// Why learning a connection's keys or unwrapping one of its buffers failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecryptError {
    /// The bind token holds no AP-REQ (or AP-REP) where GSS/SPNEGO puts it.
    #[error("no Kerberos {0} in the GSS token")]
    NoKerberosMessage(&'static str),
    /// A Kerberos structure around the keys is not what RFC 4120 says.
    #[error("malformed Kerberos {0}")]
    Malformed(&'static str),
    /// No keytab entry of the ticket's service decrypts it, and no password opened the KDC
    /// exchange that gave it.
    #[error(
        "nothing given opens the ticket for {service} (etype {etype}{}): none of the {keytab_entries} keytab entries decrypts it, and no password opened the KDC reply that issued it",
        kvno.map(|k| format!(", kvno {k}")).unwrap_or_default()
    )]
    NoServiceKey {
        /// How many keytab entries were tried.
        keytab_entries: usize,
        /// The ticket's service principal.
        service: String,
        /// The ticket's encryption type.
        etype: i32,
        /// The ticket's key version, when it says.
        kvno: Option<u32>,
    },
    /// A decryption with the learnt key failed.
    #[error("{what}: {source}")]
    Kerberos {
        /// What was being decrypted.
        what: &'static str,
        /// Why.
        source: KerberosError,
    },
    /// An NTLMSSP message is not what MS-NLMP 2.2.1 says.
    #[error("malformed NTLMSSP {0}")]
    MalformedNtlm(&'static str),
    /// The password file has no `DOMAIN\user` line for the user who bound.
    #[error("no password for {domain}\\{user} in the password file")]
    NoPassword {
        /// The AUTHENTICATE message's domain.
        domain: String,
        /// The AUTHENTICATE message's user.
        user: String,
    },
    /// An NTLM key computation or unseal failed.
    #[error(transparent)]
    Ntlm(#[from] NtlmError),
    /// A SASL buffer whose length prefix disagrees with its bytes.
    #[error("SASL buffer says {declared} bytes follow, but {actual} do")]
    SaslLength {
        /// The 4-byte big-endian length.
        declared: usize,
        /// The bytes after it.
        actual: usize,
    },
    /// A buffer that is no GSS wrap token this context knows.
    #[error("SASL buffer is not a wrap token of this context")]
    NotAWrapToken,
}
