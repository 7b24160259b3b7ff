//! The one error a capture input can fail with: which input, and why, on one line.

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
    fn hex_prefix_limits_and_pads() {
        assert_eq!(hex_prefix(b"<html>", 4), "3c 68 74 6d");
        assert_eq!(hex_prefix(&[0x0a], 4), "0a");
        assert_eq!(hex_prefix(&[], 4), "");
    }
}
