//! One capture input read as a stream of numbered [`Frame`]s: picks the file format from the
//! magic bytes, numbers packet records as Wireshark does, and turns problems found after the
//! start into warnings instead of errors.

use std::io::Read;
use std::path::Path;

use super::buffer::{Fill, RecordBuffer};
use super::error::CaptureError;
use super::frame::Frame;
use super::input::{Compression, decompress, not_a_capture, open_path};
use super::pcap::PcapFormat;
use super::pcapng::PcapNgFormat;
use super::record::{Numbered, Step, Stop};

/// pcapng comments kept per input (a crafted capture could comment every packet).
pub const MAX_COMMENTS: usize = 1000;

/// What is known about one input: its name, format, how many packet records were read so far,
/// and what went wrong after the start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputInfo {
    /// The input as the user named it (`<stdin>` for standard input).
    pub path: String,
    /// `pcap`, `pcap-ns` or `pcapng`, with `+gzip` or `+zstd` when it was compressed.
    pub format: String,
    /// Records numbered so far (all of them once the reader is exhausted): every packet record,
    /// plus the pcapng custom / systemd journal blocks that Wireshark also numbers as frames.
    pub packets: u64,
    /// Problems after the start, e.g. `capture ends mid-packet after frame 41 (truncated file?)`.
    pub warnings: Vec<String>,
    /// pcapng comments kept as (frame number in this file, text); 0 stands for a section
    /// header's comment (pktmon and Wireshark write the capture's story there).
    pub comments: Vec<(u64, String)>,
}

enum Format {
    Pcap(PcapFormat),
    PcapNg(PcapNgFormat),
}

/// One input, read as a stream through a bounded buffer.
pub struct CaptureReader {
    info: InputInfo,
    buf: RecordBuffer,
    format: Format,
    done: bool,
}

impl std::fmt::Debug for CaptureReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureReader")
            .field("info", &self.info)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

impl CaptureReader {
    /// Opens a capture file; `-` means standard input.
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let (name, raw) = open_path(path)?;
        Self::from_read(&name, raw)
    }

    /// Reads a capture from any byte stream; `name` is used in messages.
    pub fn from_read(name: &str, r: Box<dyn Read + Send>) -> Result<Self, CaptureError> {
        let (stream, compression) = decompress(name, r)?;
        let mut buf = RecordBuffer::new(stream);
        let err = |reason: String| CaptureError::new(name, reason);
        let after = match compression {
            Compression::None => "",
            Compression::Gzip => " after gzip decompression",
            Compression::Zstd => " after zstd decompression",
        };
        match buf.fill(4) {
            Ok(Fill::Ready) => {}
            Ok(Fill::Eof) => return Err(err(format!("empty file{after}"))),
            Ok(Fill::Short) => return Err(err(not_a_capture(buf.data()))),
            Err(e) => return Err(err(format!("cannot read{after}: {e}"))),
        }
        let format = match buf.data().get(..4) {
            Some([0xd4, 0xc3, 0xb2, 0xa1])
            | Some([0xa1, 0xb2, 0xc3, 0xd4])
            | Some([0x4d, 0x3c, 0xb2, 0xa1])
            | Some([0xa1, 0xb2, 0x3c, 0x4d])
            | Some([0x34, 0xcd, 0xb2, 0xa1]) => {
                Format::Pcap(PcapFormat::open(&mut buf).map_err(err)?)
            }
            Some([0xa1, 0xb2, 0xcd, 0x34]) => {
                return Err(err(
                    "unsupported variant: big-endian modified (Kuznetsov) pcap".to_string(),
                ));
            }
            Some([0x0a, 0x0d, 0x0d, 0x0a]) => {
                Format::PcapNg(PcapNgFormat::open(&mut buf).map_err(err)?)
            }
            _ => {
                let _ = buf.fill(8);
                return Err(err(not_a_capture(buf.data())));
            }
        };
        let base = match &format {
            Format::Pcap(p) => p.name(),
            Format::PcapNg(p) => p.name(),
        };
        Ok(CaptureReader {
            info: InputInfo {
                path: name.to_string(),
                format: format!("{base}{}", compression.suffix()),
                packets: 0,
                warnings: Vec::new(),
                comments: Vec::new(),
            },
            buf,
            format,
            done: false,
        })
    }

    /// The next frame, numbered from 1 as Wireshark numbers it; `None` at the end or after a
    /// problem (see [`InputInfo::warnings`]). `Frame::input` is 0; [`super::MergedCapture`]
    /// sets it.
    pub fn next_frame(&mut self) -> Option<Frame> {
        self.next_timed().map(|(frame, _)| frame)
    }

    /// Like [`Self::next_frame`], also telling whether the record had a timestamp of its own
    /// (Simple Packet Blocks do not; the merge treats them as mergecap does).
    pub(crate) fn next_timed(&mut self) -> Option<(Frame, bool)> {
        while !self.done {
            let step: Step = match &mut self.format {
                Format::Pcap(p) => p.next(&mut self.buf),
                Format::PcapNg(p) => p.next(&mut self.buf),
            };
            match step {
                Ok(Some(Numbered::Packet(r))) => {
                    self.info.packets += 1;
                    if let Format::PcapNg(p) = &mut self.format
                        && let Some(c) = p.section_comment.take()
                    {
                        self.info.comments.push((0, c));
                    }
                    if let Some(c) = r.comment {
                        if self.info.comments.len() < MAX_COMMENTS {
                            self.info.comments.push((self.info.packets, c));
                        } else if self.info.comments.len() == MAX_COMMENTS {
                            self.info
                                .comments
                                .push((self.info.packets, "(more comments not kept)".into()));
                        }
                    }
                    let frame = Frame {
                        number: self.info.packets,
                        input: 0,
                        ts: r.ts,
                        link_type: r.link_type,
                        orig_len: r.orig_len,
                        data: r.data,
                    };
                    return Some((frame, r.has_ts));
                }
                Ok(Some(Numbered::Other)) => self.info.packets += 1,
                Ok(None) => self.done = true,
                Err(stop) => {
                    self.done = true;
                    let warning = self.describe_stop(stop);
                    self.info.warnings.push(warning);
                }
            }
        }
        None
    }

    fn describe_stop(&self, stop: Stop) -> String {
        let n = self.info.packets;
        let place = if n == 0 {
            "before the first frame".to_string()
        } else {
            format!("after frame {n}")
        };
        match stop {
            Stop::Truncated => format!("capture ends mid-packet {place} (truncated file?)"),
            Stop::Corrupt(why) => format!("corrupt data {place}: {why}; stopped reading"),
            Stop::Read(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                format!("compressed data ends early {place} (truncated file?)")
            }
            Stop::Read(e) => format!("read error {place}: {e}; stopped reading"),
        }
    }

    /// The one link type a classic pcap file declares in its header for all its packets;
    /// `None` for pcapng, whose interfaces (each with its own link type) come later.
    pub fn file_link_type(&self) -> Option<u32> {
        match &self.format {
            Format::Pcap(p) => Some(p.link_type()),
            Format::PcapNg(_) => None,
        }
    }

    /// Name, format, packets read so far and warnings.
    pub fn info(&self) -> &InputInfo {
        &self.info
    }

    /// Bytes currently allocated for the read buffer; stays bounded by the largest record
    /// (see [`super::MAX_RECORD_BYTES`]), never by the size of the input.
    pub fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }
}
