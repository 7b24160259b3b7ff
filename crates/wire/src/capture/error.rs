//! What can go wrong with a capture input: [`CaptureError`] when it cannot be read at all (which
//! input, and why, on one line), [`InputWarning`] when reading stopped after the start or
//! something was left out (the variant is the kind of problem; the text is what reports show).

use thiserror::Error;

/// An input that cannot be read as a capture at all (the CLI maps this to exit code 2).
///
/// Problems found after some frames were read are not errors: they become warnings in
/// [`crate::capture::InputInfo::warnings`].
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{path}: {reason}")]
pub struct CaptureError {
    /// The input as the user named it (`<stdin>` for standard input).
    pub path: String,
    /// What is wrong, e.g. `not a capture file (starts with 3c 68 74 6d)`.
    pub reason: String,
}

impl CaptureError {
    pub fn new(path: &str, reason: impl Into<String>) -> Self {
        CaptureError {
            path: path.to_string(),
            reason: reason.into(),
        }
    }
}

/// Where in an input reading stopped: after how many numbered frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    pub after_frame: u64,
}

impl std::fmt::Display for Place {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.after_frame {
            0 => write!(f, "before the first frame"),
            n => write!(f, "after frame {n}"),
        }
    }
}

/// A problem with one input that is not an error: the frames read before it are kept.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InputWarning {
    /// The stream ended inside a record.
    #[error("capture ends mid-packet {at} (truncated file?)")]
    Truncated { at: Place },
    /// A record could not be parsed; reading stopped there.
    #[error("corrupt data {at}: {reason}; stopped reading")]
    Corrupt { at: Place, reason: String },
    /// The gzip or zstd stream ended early.
    #[error("compressed data ends early {at} (truncated file?)")]
    CompressedEnd { at: Place },
    /// The file, pipe or decompressor failed.
    #[error("read error {at}: {reason}; stopped reading")]
    Read { at: Place, reason: String },
    /// pktmon's duplicate copies dropped (see [`crate::capture::DuplicateFilter`]).
    #[error("{count} duplicate packets from pktmon removed (same bytes within 10 ms)")]
    DuplicatesRemoved { count: u64 },
    /// Live capture: libpcap stopped handing out packets.
    #[error("capture stopped: {reason}")]
    LiveStopped { reason: String },
    /// Live capture: the thread reading the interface died.
    #[error("the capture thread stopped unexpectedly")]
    LiveThreadLost,
    /// Live capture: the copy written with `--write` is incomplete.
    #[error("writing the capture file: {reason}")]
    SaveFailed { reason: String },
    /// Live capture: packets the kernel or the interface dropped.
    #[error("{count} packets dropped by the kernel or the interface (the reader fell behind)")]
    KernelDrops { count: u64 },
    /// Decryption Secrets Blocks beyond [`crate::capture::MAX_SECRETS_BYTES`] not kept.
    #[error("{count} decryption secrets block(s) beyond the first 16 MiB of secrets not kept")]
    SecretsDropped { count: u64 },
}

/// Formats up to the first `max` bytes as lowercase hex pairs separated by spaces.
pub(crate) fn hex_prefix(bytes: &[u8], max: usize) -> String {
    bytes
        .iter()
        .take(max)
        .map(|b| format!("{b:02x}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn display_is_path_colon_reason() {
        let e = CaptureError::new("trace.pcap", "not a capture file (starts with 3c 68 74 6d)");
        assert_eq!(
            e.to_string(),
            "trace.pcap: not a capture file (starts with 3c 68 74 6d)"
        );
    }

    #[test]
    fn warnings_say_where() {
        let w = InputWarning::Truncated {
            at: Place { after_frame: 41 },
        };
        assert_eq!(
            w.to_string(),
            "capture ends mid-packet after frame 41 (truncated file?)"
        );
        let w = InputWarning::Corrupt {
            at: Place { after_frame: 0 },
            reason: "x".into(),
        };
        assert_eq!(
            w.to_string(),
            "corrupt data before the first frame: x; stopped reading"
        );
    }

    #[test]
    fn hex_prefix_limits_and_pads() {
        assert_eq!(hex_prefix(b"<html>", 4), "3c 68 74 6d");
        assert_eq!(hex_prefix(&[0x0a], 4), "0a");
        assert_eq!(hex_prefix(&[], 4), "");
    }
}
