//! Classic libpcap files: the 24-byte file header (microsecond or nanosecond magic, either byte
//! order, and the LE "modified" variant) and the packet records that follow it.

use pcap_parser::pcap::{
    LegacyPcapBlock, parse_pcap_frame, parse_pcap_frame_be, parse_pcap_frame_modified,
    parse_pcap_header,
};

use super::buffer::{Fill, MAX_RECORD_BYTES, RecordBuffer};
use super::record::{Numbered, RawRecord, Step, Stop, to_nanos};

const FILE_HEADER_LEN: usize = 24;

/// Parser state for one classic pcap stream.
pub(crate) struct PcapFormat {
    big_endian: bool,
    nanosecond: bool,
    modified: bool,
    link_type: u32,
}

impl PcapFormat {
    /// Reads the file header. Errors are reasons for a [`super::CaptureError`].
    pub(crate) fn open(buf: &mut RecordBuffer) -> Result<Self, String> {
        match buf.fill(FILE_HEADER_LEN) {
            Ok(Fill::Ready) => {}
            Ok(_) => return Err("file ends inside the 24-byte pcap file header".to_string()),
            Err(e) => return Err(format!("cannot read: {e}")),
        }
        let header = match parse_pcap_header(buf.data()) {
            Ok((_, h)) => h,
            Err(e) => return Err(format!("invalid pcap file header ({e:?})")),
        };
        if header.version_major != 2 {
            return Err(format!(
                "unsupported pcap version {}.{}",
                header.version_major, header.version_minor
            ));
        }
        let format = PcapFormat {
            big_endian: header.is_bigendian(),
            nanosecond: header.is_nanosecond_precision(),
            modified: header.is_modified_format(),
            // The upper 16 bits of the field carry FCS information, not the link type.
            link_type: (header.network.0 as u32) & 0xFFFF,
        };
        buf.consume(FILE_HEADER_LEN);
        Ok(format)
    }

    /// The format name for [`super::InputInfo::format`].
    pub(crate) fn name(&self) -> &'static str {
        if self.nanosecond { "pcap-ns" } else { "pcap" }
    }

    /// The link type of every packet in the file.
    pub(crate) fn link_type(&self) -> u32 {
        self.link_type
    }

    fn record_header_len(&self) -> usize {
        if self.modified { 24 } else { 16 }
    }

    /// Reads the next packet record.
    pub(crate) fn next(&mut self, buf: &mut RecordBuffer) -> Step {
        let hlen = self.record_header_len();
        match buf.fill(hlen).map_err(Stop::Read)? {
            Fill::Ready => {}
            Fill::Eof => return Ok(None),
            Fill::Short => return Err(Stop::Truncated),
        }
        let caplen_bytes = buf
            .data()
            .get(8..12)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .ok_or(Stop::Truncated)?;
        let caplen = if self.big_endian {
            u32::from_be_bytes(caplen_bytes)
        } else {
            u32::from_le_bytes(caplen_bytes)
        } as usize;
        if caplen > MAX_RECORD_BYTES - hlen {
            return Err(Stop::Corrupt(format!(
                "pcap record claims {caplen} captured bytes (limit {})",
                MAX_RECORD_BYTES - hlen
            )));
        }
        let total = hlen + caplen;
        match buf.fill(total).map_err(Stop::Read)? {
            Fill::Ready => {}
            Fill::Eof | Fill::Short => return Err(Stop::Truncated),
        }
        let bytes = buf.data().get(..total).ok_or(Stop::Truncated)?;
        let parsed = if self.modified {
            parse_pcap_frame_modified(bytes)
        } else if self.big_endian {
            parse_pcap_frame_be(bytes)
        } else {
            parse_pcap_frame(bytes)
        };
        let record = match parsed {
            Ok((_, block)) => self.record(&block),
            Err(e) => return Err(Stop::Corrupt(format!("pcap record: {e:?}"))),
        };
        buf.consume(total);
        Ok(Some(Numbered::Packet(record)))
    }

    fn record(&self, block: &LegacyPcapBlock<'_>) -> RawRecord {
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
