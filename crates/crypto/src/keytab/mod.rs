//! MIT keytab files (the format of `ktutil`, Windows' `ktpass` and `samba-tool domain
//! exportkeytab`): a 2-byte version (05 02, or the older 05 01), then records of a signed
//! 32-bit size (negative sizes are holes left by deleted entries) holding the principal,
//! timestamp, 8-bit kvno, the key, and an optional 32-bit kvno.

mod cursor;

use std::fmt;

use thiserror::Error;

use crate::kerberos::{KerberosError, Key};
use cursor::{Cursor, Order};

/// Why a keytab could not be read. Carries offsets and field names, never key bytes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum KeytabError {
    /// The first two bytes are not 05 01 or 05 02.
    #[error("not a keytab: version bytes are {0:02x} {1:02x}, expected 05 02 (or 05 01)")]
    BadVersion(u8, u8),
    /// The file (or an entry) ends inside a field.
    #[error("keytab truncated at byte {offset}: {what} needs {needed} bytes, {available} left")]
    Truncated {
        /// Where the field starts.
        offset: usize,
        /// Which field.
        what: &'static str,
        /// Bytes it needs.
        needed: usize,
        /// Bytes there were.
        available: usize,
    },
    /// A realm or name component that is not UTF-8.
    #[error("keytab {what} at byte {offset} is not UTF-8")]
    NotUtf8 {
        /// Where the field starts.
        offset: usize,
        /// Which field.
        what: &'static str,
    },
    /// An entry with no principal name component.
    #[error("keytab entry at byte {0} has no principal name components")]
    NoComponents(usize),
}

/// A principal name as the keytab stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    /// The name components (`HTTP`, `web.example.com` for `HTTP/web.example.com`).
    pub components: Vec<String>,
    /// The realm (`EXAMPLE.COM`).
    pub realm: String,
    /// The RFC 4120 name type (1 principal, 2 service instance, 3 service host); absent in
    /// version 0x0501 files.
    pub name_type: Option<u32>,
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}@{}", self.components.join("/"), self.realm)
    }
}

/// One key of a keytab. `Debug` shows principal, kvno and encryption type, never the key.
#[derive(Clone)]
pub struct KeytabEntry {
    /// Whose key it is.
    pub principal: Principal,
    /// When it was written (seconds since 1970).
    pub timestamp: u32,
    /// The key version number: the 32-bit field when present and non-zero, else the 8-bit one.
    pub kvno: u32,
    /// The RFC 3961 encryption type number.
    pub etype: i32,
    key_bytes: zeroize::Zeroizing<Vec<u8>>,
}

impl KeytabEntry {
    /// The entry's key, for the encryption types [`crate::kerberos`] implements.
    pub fn key(&self) -> Result<Key, KerberosError> {
        Key::from_number(self.etype, &self.key_bytes)
    }
}

impl fmt::Debug for KeytabEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("KeytabEntry")
            .field("principal", &format_args!("{}", self.principal))
            .field("kvno", &self.kvno)
            .field("etype", &self.etype)
            .finish_non_exhaustive()
    }
}

/// Every entry of the keytab in `bytes`, in file order (holes skipped).
pub fn parse_keytab(bytes: &[u8]) -> Result<Vec<KeytabEntry>, KeytabError> {
    let (order, rest) = match bytes {
        [0x05, 0x02, rest @ ..] => (Order::Big, rest),
        [0x05, 0x01, rest @ ..] => (Order::Little, rest),
        [a, b, ..] => return Err(KeytabError::BadVersion(*a, *b)),
        _ => {
            return Err(KeytabError::Truncated {
                offset: 0,
                what: "version",
                needed: 2,
                available: bytes.len(),
            });
        }
    };
    let version_1 = matches!(order, Order::Little);
    let mut cursor = Cursor::new(rest, 2, order);
    let mut entries = Vec::new();
    while cursor.remaining() > 0 {
        let size = cursor.i32("entry size")?;
        if size == 0 {
            // MIT stops at a zero size: the rest of the file is unused.
            break;
        }
        let record_offset = cursor.offset();
        let record_len = usize::try_from(size.unsigned_abs()).unwrap_or(usize::MAX);
        let record = cursor.take(record_len, "entry")?;
        // A negative size is a hole where a deleted entry was.
        if size > 0 {
            entries.push(parse_entry(
                Cursor::new(record, record_offset, order),
                version_1,
            )?);
        }
    }
    Ok(entries)
}

fn parse_entry(mut cursor: Cursor<'_>, version_1: bool) -> Result<KeytabEntry, KeytabError> {
    let start = cursor.offset();
    let mut component_count = cursor.u16("component count")?;
    if version_1 {
        // Version 1 counted the realm as a component.
        component_count = component_count.saturating_sub(1);
    }
    if component_count == 0 {
        return Err(KeytabError::NoComponents(start));
    }
    let realm = cursor.text("realm")?;
    let components = (0..component_count)
        .map(|_| cursor.text("name component"))
        .collect::<Result<_, _>>()?;
    let name_type = if version_1 {
        None
    } else {
        Some(cursor.u32("name type")?)
    };
    let timestamp = cursor.u32("timestamp")?;
    let kvno_8 = cursor.u8("kvno")?;
    let etype = i32::from(cursor.u16("encryption type")?);
    let key_bytes = zeroize::Zeroizing::new(cursor.counted("key")?.to_vec());
    let kvno_32 = if cursor.remaining() >= 4 {
        cursor.u32("32-bit kvno")?
    } else {
        0
    };
    let kvno = if kvno_32 != 0 {
        kvno_32
    } else {
        u32::from(kvno_8)
    };
    Ok(KeytabEntry {
        principal: Principal {
            components,
            realm,
            name_type,
        },
        timestamp,
        kvno,
        etype,
        key_bytes,
    })
}

#[cfg(test)]
mod tests;
