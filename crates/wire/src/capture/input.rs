//! Turning what the user named (a path, or `-` for standard input) into a plain byte stream:
//! opening with the OS reason on failure, and undoing gzip or zstd compression found by magic.

use std::fs::File;
use std::io::{Cursor, Read};
use std::path::Path;

use flate2::read::MultiGzDecoder;

use super::error::{CaptureError, hex_prefix};
use super::stream::fill_to;
use super::zstd_stream::ZstdReader;

/// The name used for standard input in messages and [`super::InputInfo::path`].
pub const STDIN_NAME: &str = "<stdin>";

/// A compression layer recognised by its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    None,
    Gzip,
    Zstd,
}

impl Compression {
    /// The suffix added to the capture format name, e.g. `pcapng+gzip`.
    pub(crate) fn suffix(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => "+gzip",
            Compression::Zstd => "+zstd",
        }
    }

    /// Said after "empty file" or "cannot read" when the stream was decompressed.
    pub(crate) fn after(self) -> &'static str {
        match self {
            Compression::None => "",
            Compression::Gzip => " after gzip decompression",
            Compression::Zstd => " after zstd decompression",
        }
    }
}

/// Opens a path (`-` = standard input) and returns its display name and raw byte stream.
pub(crate) fn open_path(path: &Path) -> Result<(String, Box<dyn Read + Send>), CaptureError> {
    if path.as_os_str() == "-" {
        return Ok((STDIN_NAME.to_string(), Box::new(std::io::stdin())));
    }
    let name = path.display().to_string();
    let meta = std::fs::metadata(path)
        .map_err(|e| CaptureError::new(&name, format!("cannot open: {e}")))?;
    if meta.is_dir() {
        return Err(CaptureError::new(
            &name,
            "is a directory, not a capture file",
        ));
    }
    let file =
        File::open(path).map_err(|e| CaptureError::new(&name, format!("cannot open: {e}")))?;
    Ok((name, Box::new(file)))
}

/// Looks at the first bytes of `raw` and, when they announce gzip or zstd, wraps the stream in a
/// streaming decompressor. Other compressors are named in the error rather than called garbage.
pub(crate) fn decompress(
    name: &str,
    mut raw: Box<dyn Read + Send>,
) -> Result<(Box<dyn Read + Send>, Compression), CaptureError> {
    let mut prefix = Vec::new();
    fill_to(&mut raw, &mut prefix, 6)
        .map_err(|e| CaptureError::new(name, format!("cannot read: {e}")))?;
    if prefix.is_empty() {
        return Err(CaptureError::new(name, "empty file"));
    }
    let compression = match prefix.as_slice() {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        [b'B', b'Z', b'h', ..] => return Err(unsupported_compression(name, "bzip2")),
        [0xfd, b'7', b'z', b'X', b'Z', 0x00] => return Err(unsupported_compression(name, "xz")),
        [0x04, 0x22, 0x4d, 0x18, ..] => return Err(unsupported_compression(name, "lz4")),
        [b'P', b'K', 0x03, 0x04, ..] => return Err(unsupported_compression(name, "zip")),
        _ => Compression::None,
    };
    let whole: Box<dyn Read + Send> = Box::new(Cursor::new(prefix).chain(raw));
    let stream: Box<dyn Read + Send> = match compression {
        Compression::None => whole,
        Compression::Gzip => Box::new(MultiGzDecoder::new(whole)),
        Compression::Zstd => Box::new(ZstdReader::new(whole)),
    };
    Ok((stream, compression))
}

fn unsupported_compression(name: &str, what: &str) -> CaptureError {
    CaptureError::new(
        name,
        format!("compressed with {what}, which is not supported (decompress it first)"),
    )
}

/// The reason given for bytes that start no known capture format.
pub(crate) fn not_a_capture(first: &[u8]) -> String {
    if first.starts_with(b"snoop\0") {
        return "unsupported capture format: snoop".to_string();
    }
    if first.starts_with(b"GMBU") || first.starts_with(b"RTSS") {
        return "unsupported capture format: Microsoft Network Monitor".to_string();
    }
    format!("not a capture file (starts with {})", hex_prefix(first, 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn boxed(b: &[u8]) -> Box<dyn Read + Send> {
        Box::new(Cursor::new(b.to_vec()))
    }

    #[test]
    fn plain_stream_passes_through_whole() {
        let (mut s, c) = decompress("x", boxed(b"\x0a\x0d\x0d\x0arest of it")).unwrap();
        let mut out = Vec::new();
        s.read_to_end(&mut out).unwrap();
        assert_eq!(c, Compression::None);
        assert_eq!(out, b"\x0a\x0d\x0d\x0arest of it");
    }

    #[test]
    fn empty_and_foreign_compressors_are_errors() {
        let e = decompress("e.pcap", boxed(b"")).err().unwrap();
        assert_eq!(e.to_string(), "e.pcap: empty file");
        let e = decompress("b.pcap", boxed(b"BZh91AY")).err().unwrap();
        assert!(e.reason.contains("bzip2"), "{e}");
    }

    #[test]
    fn directory_and_missing_file() {
        let dir = std::env::temp_dir();
        let e = open_path(&dir).err().unwrap();
        assert!(e.reason.contains("is a directory"), "{e}");
        let e = open_path(Path::new("/nonexistent/capdiag/x.pcap"))
            .err()
            .unwrap();
        assert_eq!(e.path, "/nonexistent/capdiag/x.pcap");
        assert!(e.reason.contains("No such file"), "{e}");
    }
}
