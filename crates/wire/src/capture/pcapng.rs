//! pcapng files, read with pcap-parser's [`PcapNGReader`]: sections (each Section Header Block
//! resets the interfaces and may switch byte order), interfaces with their link type, snap
//! length, `if_tsresol` and `if_tsoffset`, and the Enhanced, Simple and obsolete Packet blocks.
//! Custom and systemd journal blocks take a frame number (as in Wireshark) but carry no packet;
//! every other block (name resolution, statistics, Decryption Secrets...) is skipped.

use pcap_parser::pcapng::{
    Block, EPB_MAGIC, EnhancedPacketBlock, IDB_MAGIC, InterfaceDescriptionBlock, SHB_MAGIC,
    SPB_MAGIC, SectionHeaderBlock, SimplePacketBlock, parse_block_be, parse_block_le,
};
use pcap_parser::traits::{PcapNGPacketBlock, PcapReaderIterator};
use pcap_parser::{PcapBlockOwned, PcapNGReader};

use super::frame::Nanos;
use super::reader::Source;
use super::record::{Numbered, RawRecord, Stop, to_nanos};
use super::secrets::DecryptionSecrets;
use super::stream::MAX_RECORD_BYTES;

/// Block type of the obsolete Packet Block, which pcap-parser leaves as an unknown block.
const OBSOLETE_PB_TYPE: u32 = 0x0000_0002;
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
    /// Decryption Secrets Blocks read and not yet handed to [`super::InputInfo`].
    pub(crate) secrets: Vec<DecryptionSecrets>,
}

fn u16_at(b: &[u8], at: usize, be: bool) -> Option<u16> {
    let a = <[u8; 2]>::try_from(b.get(at..at.checked_add(2)?)?).ok()?;
    Some(if be {
        u16::from_be_bytes(a)
    } else {
        u16::from_le_bytes(a)
    })
}

fn u32_at(b: &[u8], at: usize, be: bool) -> Option<u32> {
    let a = <[u8; 4]>::try_from(b.get(at..at.checked_add(4)?)?).ok()?;
    Some(if be {
        u32::from_be_bytes(a)
    } else {
        u32::from_le_bytes(a)
    })
}

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

/// Units per second for an `if_tsresol` value: bit 7 clear = 10^n, set = 2^n.
fn units_per_sec(tsresol: u8) -> Option<u128> {
    let n = u32::from(tsresol & 0x7f);
    if tsresol & 0x80 == 0 {
        10u128.checked_pow(n)
    } else {
        2u128.checked_pow(n)
    }
}

impl PcapNgFormat {
    /// Starts pcap-parser's reader on `source` (which holds the whole first Section Header Block
    /// in its first read) and reads that block. Errors are reasons for a [`super::CaptureError`].
    pub(crate) fn open(
        source: Source,
        capacity: usize,
    ) -> Result<(Self, PcapNGReader<Source>), String> {
        let mut reader = PcapNGReader::new(capacity, source)
            .map_err(|e| format!("invalid pcapng section header ({e:?})"))?;
        let mut format = PcapNgFormat {
            big_endian: false,
            interfaces: Vec::new(),
            last_ts: 0,
            section_comment: None,
            secrets: Vec::new(),
        };
        let len = match reader.next() {
            Ok((len, PcapBlockOwned::NG(Block::SectionHeader(shb)))) => {
                format.section_header(&shb).map_err(|why| match why {
                    Stop::Corrupt(why) => why,
                    _ => "invalid pcapng section header".to_string(),
                })?;
                len
            }
            _ => return Err("invalid pcapng section header".to_string()),
        };
        reader.consume(len);
        Ok((format, reader))
    }

    pub(crate) fn name(&self) -> &'static str {
        "pcapng"
    }

    /// What one block parsed by pcap-parser gives: a numbered record, or `None` for a block
    /// Wireshark does not number.
    pub(crate) fn block(&mut self, block: &Block<'_>) -> Result<Option<Numbered>, Stop> {
        Ok(match block {
            Block::SectionHeader(shb) => {
                self.section_header(shb)?;
                None
            }
            Block::InterfaceDescription(idb) => {
                let iface = self.describe(idb)?;
                self.interfaces.push(iface);
                None
            }
            Block::EnhancedPacket(epb) => Some(Numbered::Packet(self.enhanced_packet(epb)?)),
            Block::SimplePacket(spb) => Some(Numbered::Packet(self.simple_packet(spb)?)),
            Block::Unknown(b) if b.block_type == OBSOLETE_PB_TYPE => {
                Some(Numbered::Packet(self.obsolete_packet(b.data)?))
            }
            Block::Custom(_) | Block::SystemdJournalExport(_) => Some(Numbered::Other),
            Block::DecryptionSecrets(dsb) => {
                // The block's data is padded to 32 bits; `secrets_len` is the real length.
                let len = usize::try_from(dsb.secrets_len).unwrap_or(usize::MAX);
                let data = dsb.data.get(..len).unwrap_or(dsb.data);
                self.secrets
                    .push(DecryptionSecrets::new(dsb.secrets_type.0, data.to_vec()));
                None
            }
            _ => None,
        })
    }

    /// The bytes the block starting `pending` needs in all, when the parser says it needs more.
    pub(crate) fn needed(&self, pending: &[u8]) -> Option<usize> {
        let parse = if self.big_endian {
            parse_block_be
        } else {
            parse_block_le
        };
        super::record::needed(parse(pending), pending)
    }

    /// Whether the block starting `pending` is all there: pcap-parser's streaming parsers say
    /// "incomplete" also for a field that runs past the end of its block, which is corruption
    /// (or a block to skip), not a reason to read on.
    pub(crate) fn whole_block(&self, pending: &[u8]) -> bool {
        u32_at(pending, 4, self.big_endian)
            .and_then(|len| usize::try_from(len).ok())
            .is_some_and(|len| len >= 12 && len <= pending.len())
    }

    /// Refuses a block too large to buffer, before any memory is taken for it.
    pub(crate) fn check_size(&self, total: usize) -> Result<(), Stop> {
        if total > MAX_RECORD_BYTES {
            return Err(Stop::Corrupt(format!(
                "block has length {total} (limit {MAX_RECORD_BYTES})"
            )));
        }
        Ok(())
    }

    /// After pcap-parser refused the block starting `pending`: the length to skip when it is a
    /// block capdiag has no use for (pcap-parser also checks the bodies of name resolution,
    /// statistics and other blocks, which Wireshark would skip), or why reading stops. pcap-parser
    /// only says which nom check failed, so the block header is read here for the message.
    pub(crate) fn refused(&self, pending: &[u8], why: &str) -> Result<usize, Stop> {
        let be = self.big_endian;
        if u32_at(pending, 0, false) == Some(SHB_MAGIC) {
            let magic = pending.get(8..12).unwrap_or_default();
            if !matches!(magic, [0x4d, 0x3c, 0x2b, 0x1a] | [0x1a, 0x2b, 0x3c, 0x4d]) {
                return Err(Stop::Corrupt(format!(
                    "section header with unknown byte-order magic {}",
                    super::error::hex_prefix(magic, 4)
                )));
            }
        }
        let (Some(btype), Some(blen)) = (u32_at(pending, 0, be), u32_at(pending, 4, be)) else {
            return Err(Stop::Truncated);
        };
        let len = usize::try_from(blen).unwrap_or(usize::MAX);
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
        let ours = [SHB_MAGIC, IDB_MAGIC, EPB_MAGIC, SPB_MAGIC, OBSOLETE_PB_TYPE];
        if ours.contains(&btype) || len > pending.len() {
            return Err(Stop::Corrupt(format!(
                "block of type 0x{btype:08x} (length {len}) does not parse: {why}"
            )));
        }
        Ok(len)
    }

    fn section_header(&mut self, shb: &SectionHeaderBlock<'_>) -> Result<(), Stop> {
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
            link_type: u32::try_from(idb.linktype.0 & 0xFFFF).unwrap_or(0),
            snaplen: idb.snaplen,
            units_per_sec,
            offset_secs,
        })
    }

    fn iface(&self, id: u32) -> Result<&Interface, Stop> {
        let at = usize::try_from(id).unwrap_or(usize::MAX);
        self.interfaces.get(at).ok_or_else(|| {
            Stop::Corrupt(format!(
                "packet block refers to interface {id}, but the section defines {}",
                self.interfaces.len()
            ))
        })
    }

    fn stamp(&mut self, iface: &Interface, high: u32, low: u32) -> Nanos {
        let units = (u128::from(high) << 32) | u128::from(low);
        let per = iface.units_per_sec.max(1);
        let whole = units.checked_div(per).unwrap_or(0);
        let whole = i128::try_from(whole).unwrap_or(i128::MAX);
        let secs = i128::from(iface.offset_secs).saturating_add(whole);
        let ts = to_nanos(secs, units.checked_rem(per).unwrap_or(0), per);
        self.last_ts = ts;
        ts
    }

    fn enhanced_packet(&mut self, epb: &EnhancedPacketBlock<'_>) -> Result<RawRecord, Stop> {
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

    fn simple_packet(&mut self, spb: &SimplePacketBlock<'_>) -> Result<RawRecord, Stop> {
        let iface = self.iface(0)?;
        let as_len = |n: u32| usize::try_from(n).unwrap_or(usize::MAX);
        let mut caplen = as_len(spb.origlen).min(spb.data.len());
        if iface.snaplen != 0 {
            caplen = caplen.min(as_len(iface.snaplen));
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

    /// Packet Block (type 2), which pcap-parser leaves as an unknown block: interface id (16
    /// bits), drops (16 bits), timestamp, lengths, data.
    fn obsolete_packet(&mut self, content: &[u8]) -> Result<RawRecord, Stop> {
        let be = self.big_endian;
        let fields = (
            u16_at(content, 0, be),
            u32_at(content, 4, be),
            u32_at(content, 8, be),
            u32_at(content, 12, be),
            u32_at(content, 16, be),
        );
        let (Some(if_id), Some(high), Some(low), Some(caplen), Some(origlen)) = fields else {
            return Err(Stop::Corrupt(format!(
                "packet block with {} bytes of content is too short",
                content.len()
            )));
        };
        let data = content
            .get(20..)
            .and_then(|d| d.get(..usize::try_from(caplen).ok()?))
            .ok_or_else(|| {
                Stop::Corrupt(format!(
                    "packet block claims {caplen} captured bytes in {} bytes of content",
                    content.len()
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
#[allow(clippy::indexing_slicing, clippy::arithmetic_side_effects)]
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
