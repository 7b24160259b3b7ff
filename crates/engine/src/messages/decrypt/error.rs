//! Why a sealed connection could not be opened. Names principals and fields, never keys.

use super::tried::Tried;
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
    /// exchange that gave it: which entries and accounts were held against what.
    #[error("nothing given opens the ticket for {0}")]
    NoServiceKey(Box<Tried>),
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
    #[error(
        "the password file has no password for {domain}\\{user}{}; it has lines for {accounts}",
        frame.map(|f| format!(" (the AUTHENTICATE of frame {f})")).unwrap_or_default()
    )]
    NoPassword {
        /// The AUTHENTICATE message's domain.
        domain: String,
        /// The AUTHENTICATE message's user.
        user: String,
        /// The password file's accounts (names only, the first few, then how many more).
        accounts: String,
        /// The AUTHENTICATE's frame, once the bind's reader knows it.
        frame: Option<u64>,
    },
    /// The password file's line for the user who bound gives another NTProofStr than the
    /// AUTHENTICATE's.
    #[error(
        "the password file's password for {domain}\\{user} is wrong: it does not give the NTProofStr of the AUTHENTICATE{}",
        frame.map(|f| format!(" in frame {f}")).unwrap_or_default()
    )]
    WrongNtlmPassword {
        /// The AUTHENTICATE message's domain.
        domain: String,
        /// The AUTHENTICATE message's user.
        user: String,
        /// The AUTHENTICATE's frame, once the bind's reader knows it.
        frame: Option<u64>,
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

impl DecryptError {
    /// What warnings of this error are counted by when its text names frames (no numbers
    /// from the capture in it); `None` when the text itself is the kind.
    pub fn warning_kind(&self) -> Option<&'static str> {
        match self {
            Self::NoServiceKey(_) => Some("nothing given opens a ticket"),
            Self::NoPassword { .. } => Some("the password file has no password for the NTLM user"),
            Self::WrongNtlmPassword { .. } => Some("the password file's NTLM password is wrong"),
            _ => None,
        }
    }

    /// The error with the frame of the bind message that caused it, where it names one, and
    /// whether a password file was given.
    pub fn in_bind(mut self, at: u64, passwords_given: bool) -> Self {
        match &mut self {
            Self::NoServiceKey(tried) => {
                tried.ticket.frame = Some(at);
                tried.passwords_given = passwords_given;
            }
            Self::NoPassword { frame, .. } | Self::WrongNtlmPassword { frame, .. } => {
                *frame = Some(at);
            }
            _ => {}
        }
        self
    }
}
