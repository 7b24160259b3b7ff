//! Classic libpcap files, read with pcap-parser's [`LegacyPcapReader`]: the 24-byte file header
//! (microsecond or nanosecond magic, either byte order, and the LE "modified" variant) checked
//! and remembered, then each packet record turned into a [`RawRecord`].

use pcap_parser::nom::IResult;
use pcap_parser::pcap::{
    LegacyPcapBlock, PcapHeader, parse_pcap_frame, parse_pcap_frame_be, parse_pcap_frame_modified,
};
use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{LegacyPcapReader, PcapBlockOwned, PcapError};

use super::reader::Source;
use super::record::{RawRecord, Stop, to_nanos};
use super::stream::MAX_RECORD_BYTES;

/// pcap-parser's record parser for one flavour of the format.
type ParseFn = fn(&[u8]) -> IResult<&[u8], LegacyPcapBlock<'_>, PcapError<&[u8]>>;

/// What the file header says about every record.
pub(crate) struct PcapFormat {
    nanosecond: bool,
    link_type: u32,
    /// Bytes of a record header: 16, or 24 in the modified format.
    header_len: usize,
    parse: ParseFn,
}

impl PcapFormat {
    /// Starts pcap-parser's reader on `source` (which holds the whole file header in its first
    /// read) and checks the header. Errors are reasons for a [`super::CaptureError`].
    pub(crate) fn open(
        source: Source,
        capacity: usize,
    ) -> Result<(Self, LegacyPcapReader<Source>), String> {
        let mut reader = LegacyPcapReader::new(capacity, source)
            .map_err(|e| format!("invalid pcap file header ({e:?})"))?;
        let (len, format) = match reader.next() {
            Ok((len, PcapBlockOwned::LegacyHeader(h))) => (len, Self::from_header(&h)?),
            _ => return Err("invalid pcap file header".to_string()),
        };
        reader.consume(len);
        Ok((format, reader))
    }

    fn from_header(header: &PcapHeader) -> Result<Self, String> {
        if header.version_major != 2 {
            return Err(format!(
                "unsupported pcap version {}.{}",
                header.version_major, header.version_minor
            ));
        }
        let (header_len, parse): (usize, ParseFn) = if header.is_modified_format() {
            (24, parse_pcap_frame_modified)
        } else if header.is_bigendian() {
            (16, parse_pcap_frame_be)
        } else {
            (16, parse_pcap_frame)
        };
        Ok(PcapFormat {
            nanosecond: header.is_nanosecond_precision(),
            // The upper 16 bits of the field carry FCS information, not the link type.
            link_type: u32::try_from(header.network.0 & 0xFFFF).unwrap_or(0),
            header_len,
            parse,
        })
    }

    /// The format name for [`super::InputInfo::format`].
    pub(crate) fn name(&self) -> &'static str {
        if self.nanosecond { "pcap-ns" } else { "pcap" }
    }

    /// The link type of every packet in the file.
    pub(crate) fn link_type(&self) -> u32 {
        self.link_type
    }

    /// The bytes the record starting `pending` needs in all, when the parser says it needs more.
    pub(crate) fn needed(&self, pending: &[u8]) -> Option<usize> {
        super::record::needed((self.parse)(pending), pending)
    }

    /// Refuses a record too large to buffer, before any memory is taken for it.
    pub(crate) fn check_size(&self, total: usize) -> Result<(), Stop> {
        let limit = MAX_RECORD_BYTES.saturating_sub(self.header_len);
        let caplen = total.saturating_sub(self.header_len);
        if caplen > limit {
            return Err(Stop::Corrupt(format!(
                "pcap record claims {caplen} captured bytes (limit {limit})"
            )));
        }
        Ok(())
    }

    /// One packet record.
    pub(crate) fn record(&self, block: &LegacyPcapBlock<'_>) -> RawRecord {
        let units = if self.nanosecond {
            1_000_000_000
        } else {
            1_000_000
        };
        RawRecord {
            ts: to_nanos(i128::from(block.ts_sec), u128::from(block.ts_usec), units),
            has_ts: true,
            link_type: self.link_type,
            orig_len: block.origlen,
            data: block.data.to_vec(),
            comment: None,
        }
    }
}
