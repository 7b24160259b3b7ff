//! pcapng files: sections (each Section Header Block resets the interfaces and may switch byte
//! order), interfaces with their link type, snap length, `if_tsresol` and `if_tsoffset`, and the
//! Enhanced, Simple and obsolete Packet blocks. Custom and systemd journal blocks take a frame
//! number (as in Wireshark) but carry no packet; every other block is skipped.

use pcap_parser::pcapng::{
    EPB_MAGIC, IDB_MAGIC, InterfaceDescriptionBlock, SHB_MAGIC, SPB_MAGIC,
    parse_enhancedpacketblock_be, parse_enhancedpacketblock_le, parse_interfacedescriptionblock_be,
    parse_interfacedescriptionblock_le, parse_sectionheaderblock, parse_simplepacketblock_be,
    parse_simplepacketblock_le,
};
use pcap_parser::traits::PcapNGPacketBlock;

use super::buffer::{Fill, MAX_RECORD_BYTES, RecordBuffer};
use super::frame::Nanos;
use super::record::{Numbered, RawRecord, Step, Stop, to_nanos};

/// Block type of the obsolete Packet Block, which pcap-parser leaves as an unknown block.
const OBSOLETE_PB_TYPE: u32 = 0x0000_0002;
/// Blocks Wireshark numbers as frames although they hold no packet: custom blocks (copyable and
/// not) and systemd journal export blocks.
const CB_COPY_TYPE: u32 = 0x0000_0BAD;
const CB_NOCOPY_TYPE: u32 = 0x4000_0BAD;
const SJE_TYPE: u32 = 0x0000_0009;
/// Option codes in an Interface Description Block.
const OPT_IF_TSRESOL: u16 = 9;
const OPT_IF_TSOFFSET: u16 = 14;

/// What a section's Interface Description Block says about its packets.
#[derive(Debug, Clone)]
struct Interface {
    link_type: u32,
    snaplen: u32,
    /// Timestamp units per second (10^n or 2^n from `if_tsresol`; default 10^6).
    units_per_sec: u128,
    /// `if_tsoffset`: seconds added to every timestamp.
    offset_secs: i64,
}

/// Parser state for one pcapng stream.
pub(crate) struct PcapNgFormat {
    big_endian: bool,
    interfaces: Vec<Interface>,
    /// Timestamp of the last packet that had one, reused for Simple Packet Blocks.
    last_ts: Nanos,
    /// The comment of the current section header, until the reader takes it.
    pub(crate) section_comment: Option<String>,
}

fn u16_at(b: &[u8], at: usize, be: bool) -> Option<u16> {
    let a = <[u8; 2]>::try_from(b.get(at..at + 2)?).ok()?;
    Some(if be {
        u16::from_be_bytes(a)
    } else {
        u16::from_le_bytes(a)
    })
}

fn u32_at(b: &[u8], at: usize, be: bool) -> Option<u32> {
    let a = <[u8; 4]>::try_from(b.get(at..at + 4)?).ok()?;
    Some(if be {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    })
}

/// Units per second for an `if_tsresol` value: bit 7 clear = 10^n, set = 2^n.
/// The text of an `opt_comment` (code 1) among a block's options.
fn comment_of(options: &[pcap_parser::pcapng::PcapNGOption<'_>]) -> Option<String> {
    options
        .iter()
        .find(|o| o.code == pcap_parser::pcapng::OptionCode::Comment)
        .and_then(|o| o.as_bytes().ok())
        .map(|b| {
            String::from_utf8_lossy(b)
                .trim_end_matches('\0')
                .to_string()
        })
        .filter(|c| !c.is_empty())
}

fn units_per_sec(tsresol: u8) -> Option<u128> {
    let n = u32::from(tsresol & 0x7f);
    if tsresol & 0x80 == 0 {
        10u128.checked_pow(n)
    } else {
        2u128.checked_pow(n)
    }
}

impl PcapNgFormat {
    /// Reads the first Section Header Block. Errors are reasons for a [`super::CaptureError`].
    pub(crate) fn open(buf: &mut RecordBuffer) -> Result<Self, String> {
        let mut format = PcapNgFormat {
            big_endian: false,
            interfaces: Vec::new(),
            last_ts: 0,
            section_comment: None,
        };
        let len = match format.frame_block(buf) {
            Ok(Some((_, len))) => len,
            Ok(None) | Err(Stop::Truncated) => {
                return Err("file ends inside the first pcapng section header".to_string());
            }
            Err(Stop::Corrupt(why)) => return Err(format!("invalid pcapng section header: {why}")),
            Err(Stop::Read(e)) => return Err(format!("cannot read: {e}")),
        };
        format
            .section_header(buf.data().get(..len).unwrap_or_default())
            .map_err(|why| match why {
                Stop::Corrupt(why) => why,
                _ => "invalid pcapng section header".to_string(),
            })?;
        buf.consume(len);
        Ok(format)
    }

    pub(crate) fn name(&self) -> &'static str {
        "pcapng"
    }

    /// Makes one whole block available in `buf` and returns its type and total length, or
    /// `None` at a clean end of stream.
    fn frame_block(&mut self, buf: &mut RecordBuffer) -> Result<Option<(u32, usize)>, Stop> {
        match buf.fill(8).map_err(Stop::Read)? {
            Fill::Ready => {}
            Fill::Eof => return Ok(None),
            Fill::Short => return Err(Stop::Truncated),
        }
        if u32_at(buf.data(), 0, false) == Some(SHB_MAGIC) {
            if buf.fill(12).map_err(Stop::Read)? != Fill::Ready {
                return Err(Stop::Truncated);
            }
            self.big_endian = match buf.data().get(8..12) {
                Some([0x4d, 0x3c, 0x2b, 0x1a]) => false,
                Some([0x1a, 0x2b, 0x3c, 0x4d]) => true,
                other => {
                    return Err(Stop::Corrupt(format!(
                        "section header with unknown byte-order magic {}",
                        super::error::hex_prefix(other.unwrap_or_default(), 4)
                    )));
                }
            };
        }
        let data = buf.data();
        let (Some(btype), Some(blen)) = (
            u32_at(data, 0, self.big_endian),
            u32_at(data, 4, self.big_endian),
        ) else {
            return Err(Stop::Truncated);
        };
        let len = blen as usize;
        if len < 12 {
            return Err(Stop::Corrupt(format!(
                "block of type 0x{btype:08x} has length {len} < 12"
            )));
        }
        if !len.is_multiple_of(4) {
            return Err(Stop::Corrupt(format!(
                "block of type 0x{btype:08x} has length {len}, not a multiple of 4"
            )));
        }
        if len > MAX_RECORD_BYTES {
            return Err(Stop::Corrupt(format!(
                "block of type 0x{btype:08x} has length {len} (limit {MAX_RECORD_BYTES})"
            )));
        }
        match buf.fill(len).map_err(Stop::Read)? {
            Fill::Ready => Ok(Some((btype, len))),
            Fill::Eof | Fill::Short => Err(Stop::Truncated),
        }
    }

    /// Reads blocks until the next packet record.
    pub(crate) fn next(&mut self, buf: &mut RecordBuffer) -> Step {
        loop {
            let Some((btype, len)) = self.frame_block(buf)? else {
                return Ok(None);
            };
            let block = buf.data().get(..len).unwrap_or_default();
            let record = match btype {
                SHB_MAGIC => {
                    self.section_header(block)?;
                    None
                }
                IDB_MAGIC => {
                    self.interface(block)?;
                    None
                }
                EPB_MAGIC => Some(Numbered::Packet(self.enhanced_packet(block)?)),
                SPB_MAGIC => Some(Numbered::Packet(self.simple_packet(block)?)),
                OBSOLETE_PB_TYPE => Some(Numbered::Packet(self.obsolete_packet(block)?)),
                CB_COPY_TYPE | CB_NOCOPY_TYPE | SJE_TYPE => Some(Numbered::Other),
                _ => None,
            };
            buf.consume(len);
            if let Some(r) = record {
                return Ok(Some(r));
            }
        }
    }

    fn section_header(&mut self, block: &[u8]) -> Result<(), Stop> {
        let shb = parse_sectionheaderblock(block)
            .map_err(|e| Stop::Corrupt(format!("section header block: {e:?}")))?
            .1;
        if shb.major_version != 1 {
            return Err(Stop::Corrupt(format!(
                "unsupported pcapng version {}.{}",
                shb.major_version, shb.minor_version
            )));
        }
        self.big_endian = shb.big_endian();
        self.interfaces.clear();
        self.section_comment = comment_of(&shb.options);
        Ok(())
    }

    fn interface(&mut self, block: &[u8]) -> Result<(), Stop> {
        let parsed = if self.big_endian {
            parse_interfacedescriptionblock_be(block)
        } else {
            parse_interfacedescriptionblock_le(block)
        };
        let idb = parsed
            .map_err(|e| Stop::Corrupt(format!("interface description block: {e:?}")))?
            .1;
        let iface = self.describe(&idb)?;
        self.interfaces.push(iface);
        Ok(())
    }

    /// Reads the options pcap-parser gets wrong for big-endian files or 2^n resolutions.
    fn describe(&self, idb: &InterfaceDescriptionBlock<'_>) -> Result<Interface, Stop> {
        let mut tsresol = 6u8;
        let mut offset_secs = 0i64;
        for opt in &idb.options {
            match opt.code.0 {
                OPT_IF_TSRESOL => {
                    if let Some(&r) = opt.value.first() {
                        tsresol = r;
                    }
                }
                OPT_IF_TSOFFSET => {
                    if let Some(b) = opt.value.get(..8).and_then(|b| <[u8; 8]>::try_from(b).ok()) {
                        offset_secs = if self.big_endian {
                            i64::from_be_bytes(b)
                        } else {
                            i64::from_le_bytes(b)
                        };
                    }
                }
                _ => {}
            }
        }
        let units_per_sec = units_per_sec(tsresol).ok_or_else(|| {
            Stop::Corrupt(format!(
                "interface {} has unsupported if_tsresol 0x{tsresol:02x}",
                self.interfaces.len()
            ))
        })?;
        Ok(Interface {
            link_type: u32::from(idb.linktype.0 as u16),
            snaplen: idb.snaplen,
            units_per_sec,
            offset_secs,
        })
    }

    fn iface(&self, id: u32) -> Result<&Interface, Stop> {
        self.interfaces.get(id as usize).ok_or_else(|| {
            Stop::Corrupt(format!(
                "packet block refers to interface {id}, but the section defines {}",
                self.interfaces.len()
            ))
        })
    }

    fn stamp(&mut self, iface: &Interface, high: u32, low: u32) -> Nanos {
        let units = (u128::from(high) << 32) | u128::from(low);
        let per = iface.units_per_sec.max(1);
        let secs = i128::from(iface.offset_secs) + (units / per) as i128;
        let ts = to_nanos(secs, units % per, per);
        self.last_ts = ts;
        ts
    }

    fn enhanced_packet(&mut self, block: &[u8]) -> Result<RawRecord, Stop> {
        let parsed = if self.big_endian {
            parse_enhancedpacketblock_be(block)
        } else {
            parse_enhancedpacketblock_le(block)
        };
        let epb = parsed
            .map_err(|e| Stop::Corrupt(format!("enhanced packet block: {e:?}")))?
            .1;
        let iface = self.iface(epb.if_id)?.clone();
        Ok(RawRecord {
            ts: self.stamp(&iface, epb.ts_high, epb.ts_low),
            has_ts: true,
            link_type: iface.link_type,
            orig_len: epb.origlen,
            data: epb.packet_data().to_vec(),
            comment: comment_of(&epb.options),
        })
    }

    fn simple_packet(&mut self, block: &[u8]) -> Result<RawRecord, Stop> {
        let parsed = if self.big_endian {
            parse_simplepacketblock_be(block)
        } else {
            parse_simplepacketblock_le(block)
        };
        let spb = parsed
            .map_err(|e| Stop::Corrupt(format!("simple packet block: {e:?}")))?
            .1;
        let iface = self.iface(0)?;
        let mut caplen = (spb.origlen as usize).min(spb.data.len());
        if iface.snaplen != 0 {
            caplen = caplen.min(iface.snaplen as usize);
        }
        Ok(RawRecord {
            ts: self.last_ts,
            has_ts: false,
            link_type: iface.link_type,
            orig_len: spb.origlen,
            data: spb.data.get(..caplen).unwrap_or_default().to_vec(),
            comment: None,
        })
    }

    /// Packet Block (type 2): interface id (16 bits), drops (16 bits), timestamp, lengths, data.
    fn obsolete_packet(&mut self, block: &[u8]) -> Result<RawRecord, Stop> {
        let be = self.big_endian;
        let content = block
            .get(8..block.len().saturating_sub(4))
            .unwrap_or_default();
        let fields = (
            u16_at(content, 0, be),
            u32_at(content, 4, be),
            u32_at(content, 8, be),
            u32_at(content, 12, be),
            u32_at(content, 16, be),
        );
        let (Some(if_id), Some(high), Some(low), Some(caplen), Some(origlen)) = fields else {
            return Err(Stop::Corrupt(format!(
                "packet block of {} bytes is too short",
                block.len()
            )));
        };
        let data = content
            .get(20..)
            .and_then(|d| d.get(..caplen as usize))
            .ok_or_else(|| {
                Stop::Corrupt(format!(
                    "packet block claims {caplen} captured bytes in a {}-byte block",
                    block.len()
                ))
            })?;
        let iface = self.iface(u32::from(if_id))?.clone();
        Ok(RawRecord {
            ts: self.stamp(&iface, high, low),
            has_ts: true,
            link_type: iface.link_type,
            orig_len: origlen,
            data: data.to_vec(),
            comment: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsresol_both_forms() {
        assert_eq!(units_per_sec(6), Some(1_000_000));
        assert_eq!(units_per_sec(9), Some(1_000_000_000));
        assert_eq!(units_per_sec(0x80 | 10), Some(1024));
        assert_eq!(units_per_sec(0x80 | 127), Some(1u128 << 127));
        assert_eq!(units_per_sec(0x7f), None);
    }
}
