//! A bounds-checked reader over keytab bytes: every read names what it was reading, so a
//! truncated file says where it ended.

use super::KeytabError;

/// Byte order of a keytab's integers: 0x0502 files are big-endian; 0x0501 files are in the
/// writer's native order, read here as little-endian (the x86 hosts that wrote them).
#[derive(Clone, Copy)]
pub(super) enum Order {
    Big,
    Little,
}

pub(super) struct Cursor<'a> {
    bytes: &'a [u8],
    /// Offset of `bytes` in the file, for error messages.
    offset: usize,
    order: Order,
}

impl<'a> Cursor<'a> {
    pub(super) fn new(bytes: &'a [u8], offset: usize, order: Order) -> Self {
        Self {
            bytes,
            offset,
            order,
        }
    }

    pub(super) fn offset(&self) -> usize {
        self.offset
    }

    pub(super) fn remaining(&self) -> usize {
        self.bytes.len()
    }

    pub(super) fn take(&mut self, len: usize, what: &'static str) -> Result<&'a [u8], KeytabError> {
        let (taken, rest) = self
            .bytes
            .split_at_checked(len)
            .ok_or(KeytabError::Truncated {
                offset: self.offset,
                what,
                needed: len,
                available: self.bytes.len(),
            })?;
        self.bytes = rest;
        self.offset = self.offset.saturating_add(len);
        Ok(taken)
    }

    fn array<const N: usize>(&mut self, what: &'static str) -> Result<[u8; N], KeytabError> {
        let bytes = self.take(N, what)?;
        Ok(bytes.try_into().unwrap_or([0; N]))
    }

    pub(super) fn u8(&mut self, what: &'static str) -> Result<u8, KeytabError> {
        let [byte] = self.array::<1>(what)?;
        Ok(byte)
    }

    pub(super) fn u16(&mut self, what: &'static str) -> Result<u16, KeytabError> {
        let bytes = self.array::<2>(what)?;
        Ok(match self.order {
            Order::Big => u16::from_be_bytes(bytes),
            Order::Little => u16::from_le_bytes(bytes),
        })
    }

    pub(super) fn u32(&mut self, what: &'static str) -> Result<u32, KeytabError> {
        let bytes = self.array::<4>(what)?;
        Ok(match self.order {
            Order::Big => u32::from_be_bytes(bytes),
            Order::Little => u32::from_le_bytes(bytes),
        })
    }

    pub(super) fn i32(&mut self, what: &'static str) -> Result<i32, KeytabError> {
        self.u32(what)
            .map(|value| i32::from_ne_bytes(value.to_ne_bytes()))
    }

    /// A 16-bit length followed by that many bytes.
    pub(super) fn counted(&mut self, what: &'static str) -> Result<&'a [u8], KeytabError> {
        let len = self.u16(what)?;
        self.take(usize::from(len), what)
    }

    /// A counted string that must be UTF-8 (realms and name components).
    pub(super) fn text(&mut self, what: &'static str) -> Result<String, KeytabError> {
        let offset = self.offset;
        let bytes = self.counted(what)?;
        String::from_utf8(bytes.to_vec()).map_err(|_| KeytabError::NotUtf8 { offset, what })
    }
}
