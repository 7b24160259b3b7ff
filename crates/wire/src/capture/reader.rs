//! One capture input read as a stream of numbered [`Frame`]s: picks the file format from the
//! magic bytes, numbers packet records as Wireshark does, and turns problems found after the
//! start into warnings instead of errors.

use std::io::Read;
use std::path::Path;

use pcap_parser::traits::PcapReaderIterator;
use pcap_parser::{PcapBlockOwned, PcapError};

use super::error::{CaptureError, InputWarning, Place, hex_prefix};
use super::frame::Frame;
use super::input::{decompress, not_a_capture, open_path};
use super::pcap::PcapFormat;
use super::pcapng::PcapNgFormat;
use super::record::{Numbered, Step, Stop};
use super::secrets::{DecryptionSecrets, MAX_SECRETS_BYTES};
use super::stream::{
    ErrorSlot, LastError, MAX_RECORD_BYTES, Prefixed, READ_CHUNK_BYTES, fill_to, prefixed, shb_len,
    take_error,
};

/// The byte stream pcap-parser's readers read: the header read ahead, then the rest, with the
/// last I/O error kept.
pub(crate) type Source = ErrorSlot<Prefixed>;

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
    /// Problems after the start, e.g. `capture ends mid-packet after frame 41 (truncated file?)`,
    /// by kind.
    pub warnings: Vec<InputWarning>,
    /// pcapng comments kept as (frame number in this file, text); 0 stands for a section
    /// header's comment (pktmon and Wireshark write the capture's story there).
    pub comments: Vec<(u64, String)>,
    /// pcapng Decryption Secrets Blocks (TLS key logs and others) in file order, up to
    /// [`MAX_SECRETS_BYTES`]. Their `Debug` shows no secret.
    pub decryption_secrets: Vec<DecryptionSecrets>,
}

enum Format {
    Pcap(PcapFormat),
    PcapNg(PcapNgFormat),
}

/// Which format the first bytes announce.
#[derive(Clone, Copy)]
enum Magic {
    Pcap,
    PcapNg,
}

/// Why pcap-parser's reader did not hand out a block.
enum Short {
    /// It needs more bytes than the buffer holds: read more.
    More,
    /// The block is larger than the buffer.
    Bigger,
    /// The stream ended inside the block.
    Ended,
    /// The block does not parse (pcap-parser's reason).
    Refused(String),
}

/// One input, read as a stream by pcap-parser's reader through a bounded buffer.
pub struct CaptureReader {
    info: InputInfo,
    parser: Box<dyn PcapReaderIterator + Send>,
    format: Format,
    /// The read buffer's size: [`READ_CHUNK_BYTES`], or the largest record met so far.
    capacity: usize,
    last_error: LastError,
    done: bool,
    /// How many of `info.decryption_secrets` [`Self::take_new_secrets`] has handed out.
    secrets_handed_out: usize,
}

impl std::fmt::Debug for CaptureReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CaptureReader")
            .field("info", &self.info)
            .field("done", &self.done)
            .finish_non_exhaustive()
    }
}

/// Reads the file header ahead (see [`super::stream`]): which format, and its bytes.
fn read_header(stream: &mut dyn Read, after: &str) -> Result<(Magic, Vec<u8>), String> {
    let mut head = Vec::new();
    let mut fill = |head: &mut Vec<u8>, n: usize| {
        fill_to(stream, head, n).map_err(|e| format!("cannot read{after}: {e}"))
    };
    fill(&mut head, 4)?;
    let magic = match head.as_slice() {
        [] => return Err(format!("empty file{after}")),
        [0xd4, 0xc3, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0xc3, 0xd4]
        | [0x4d, 0x3c, 0xb2, 0xa1]
        | [0xa1, 0xb2, 0x3c, 0x4d]
        | [0x34, 0xcd, 0xb2, 0xa1] => Magic::Pcap,
        [0xa1, 0xb2, 0xcd, 0x34] => {
            return Err("unsupported variant: big-endian modified (Kuznetsov) pcap".to_string());
        }
        [0x0a, 0x0d, 0x0d, 0x0a] => Magic::PcapNg,
        _ => {
            fill(&mut head, 8)?;
            return Err(not_a_capture(&head));
        }
    };
    let cut = "file ends inside the first pcapng section header";
    match magic {
        Magic::Pcap => {
            fill(&mut head, 24)?;
            if head.len() < 24 {
                return Err("file ends inside the 24-byte pcap file header".to_string());
            }
        }
        Magic::PcapNg => {
            fill(&mut head, 12)?;
            if head.len() < 12 {
                return Err(cut.to_string());
            }
            let len = shb_len(&head).ok_or_else(|| {
                format!(
                    "invalid pcapng section header: unknown byte-order magic {}",
                    hex_prefix(head.get(8..).unwrap_or_default(), 4)
                )
            })?;
            if !(12..=MAX_RECORD_BYTES).contains(&len) {
                return Err(format!("invalid pcapng section header: length {len}"));
            }
            fill(&mut head, len)?;
            if head.len() < len {
                return Err(cut.to_string());
            }
        }
    }
    Ok((magic, head))
}

impl CaptureReader {
    /// Opens a capture file; `-` means standard input.
    pub fn open(path: &Path) -> Result<Self, CaptureError> {
        let (name, raw) = open_path(path)?;
        Self::from_read(&name, raw)
    }

    /// Reads a capture from any byte stream; `name` is used in messages.
    pub fn from_read(name: &str, r: Box<dyn Read + Send>) -> Result<Self, CaptureError> {
        let (mut stream, compression) = decompress(name, r)?;
        let err = |reason: String| CaptureError::new(name, reason);
        let (magic, head) = read_header(&mut stream, compression.after()).map_err(err)?;
        let capacity = READ_CHUNK_BYTES.max(head.len().saturating_add(1));
        let (source, last_error) = ErrorSlot::new(prefixed(head, stream));
        let (format, parser): (Format, Box<dyn PcapReaderIterator + Send>) = match magic {
            Magic::Pcap => {
                let (f, p) = PcapFormat::open(source, capacity).map_err(err)?;
                (Format::Pcap(f), Box::new(p))
            }
            Magic::PcapNg => {
                let (f, p) = PcapNgFormat::open(source, capacity).map_err(err)?;
                (Format::PcapNg(f), Box::new(p))
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
                decryption_secrets: Vec::new(),
            },
            parser,
            format,
            capacity,
            last_error,
            done: false,
            secrets_handed_out: 0,
        })
    }

    /// The next numbered record from pcap-parser's reader: reads, grows the buffer for a large
    /// record (up to [`MAX_RECORD_BYTES`]) and skips the blocks that are not records.
    fn step(&mut self) -> Step {
        loop {
            let short = match self.parser.next() {
                Ok((len, block)) => {
                    let got = match (block, &mut self.format) {
                        (PcapBlockOwned::Legacy(b), Format::Pcap(p)) => {
                            Some(Numbered::Packet(p.record(&b)))
                        }
                        (PcapBlockOwned::NG(b), Format::PcapNg(p)) => p.block(&b)?,
                        _ => None,
                    };
                    self.parser.consume(len);
                    if got.is_some() {
                        return Ok(got);
                    }
                    continue;
                }
                Err(PcapError::Eof) => return Ok(None),
                Err(PcapError::Incomplete(_)) => Short::More,
                Err(PcapError::BufferTooSmall) => Short::Bigger,
                Err(PcapError::UnexpectedEof) => Short::Ended,
                Err(PcapError::ReadError) => return Err(Stop::Read(take_error(&self.last_error))),
                Err(e) => Short::Refused(format!("{e:?}")),
            };
            self.recover(short)?;
        }
    }

    /// Does what the reader's answer asks for, or says why reading stops.
    fn recover(&mut self, short: Short) -> Result<(), Stop> {
        let needed = |format: &Format, pending: &[u8]| match format {
            Format::Pcap(p) => p.needed(pending),
            Format::PcapNg(p) => p.needed(pending),
        };
        let check = |format: &Format, total: usize| match format {
            Format::Pcap(p) => p.check_size(total),
            Format::PcapNg(p) => p.check_size(total),
        };
        if let (Short::More | Short::Bigger | Short::Ended, Format::PcapNg(p)) =
            (&short, &self.format)
            && p.whole_block(self.parser.data())
        {
            return self.recover(Short::Refused("a field runs past the block end".into()));
        }
        match short {
            Short::More => {
                let before = self.parser.data().len();
                if self.parser.refill().is_err() {
                    return Err(Stop::Read(take_error(&self.last_error)));
                }
                if self.parser.data().len() == before && !self.parser.reader_exhausted() {
                    return self.recover(Short::Bigger);
                }
                Ok(())
            }
            Short::Bigger => {
                let total = needed(&self.format, self.parser.data())
                    .unwrap_or_else(|| self.capacity.saturating_mul(2));
                check(&self.format, total)?;
                let size = total.saturating_add(1).max(self.capacity);
                if self.parser.grow(size) {
                    self.capacity = size;
                }
                Ok(())
            }
            Short::Ended => {
                if let Some(total) = needed(&self.format, self.parser.data()) {
                    check(&self.format, total)?;
                }
                Err(Stop::Truncated)
            }
            Short::Refused(why) => match &self.format {
                Format::Pcap(_) => Err(Stop::Corrupt(format!("pcap record: {why}"))),
                Format::PcapNg(p) => {
                    let skip = p.refused(self.parser.data(), &why)?;
                    self.parser.consume(skip);
                    Ok(())
                }
            },
        }
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
            let step = self.step();
            self.keep_secrets();
            match step {
                Ok(Some(Numbered::Packet(r))) => {
                    self.info.packets = self.info.packets.saturating_add(1);
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
                Ok(Some(Numbered::Other)) => {
                    self.info.packets = self.info.packets.saturating_add(1);
                }
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

    /// Moves the Decryption Secrets Blocks the pcapng parser met into [`InputInfo`], up to
    /// [`MAX_SECRETS_BYTES`] in all.
    fn keep_secrets(&mut self) {
        let Format::PcapNg(p) = &mut self.format else {
            return;
        };
        for s in p.secrets.drain(..) {
            let kept: usize = self
                .info
                .decryption_secrets
                .iter()
                .map(DecryptionSecrets::len)
                .sum();
            if kept.saturating_add(s.len()) <= MAX_SECRETS_BYTES {
                self.info.decryption_secrets.push(s);
            } else if let Some(InputWarning::SecretsDropped { count }) = self
                .info
                .warnings
                .iter_mut()
                .find(|w| matches!(w, InputWarning::SecretsDropped { .. }))
            {
                *count = count.saturating_add(1);
            } else {
                self.info
                    .warnings
                    .push(InputWarning::SecretsDropped { count: 1 });
            }
        }
    }

    /// The Decryption Secrets Blocks read since the last call (each is handed out once), so a
    /// streaming analysis can use a key log before the packets it decrypts.
    pub fn take_new_secrets(&mut self) -> Vec<DecryptionSecrets> {
        let new = self
            .info
            .decryption_secrets
            .get(self.secrets_handed_out..)
            .unwrap_or_default()
            .to_vec();
        self.secrets_handed_out = self.info.decryption_secrets.len();
        new
    }

    /// The warning for a stop after the frames read so far.
    fn describe_stop(&self, stop: Stop) -> InputWarning {
        let at = Place {
            after_frame: self.info.packets,
        };
        match stop {
            Stop::Truncated => InputWarning::Truncated { at },
            Stop::Corrupt(reason) => InputWarning::Corrupt { at, reason },
            Stop::Read(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
                InputWarning::CompressedEnd { at }
            }
            Stop::Read(e) => InputWarning::Read {
                at,
                reason: e.to_string(),
            },
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
        self.capacity
    }
}
