//! Capture sources: pcap / pcapng files (optionally gzip- or zstd-compressed), standard input,
//! the chronological merge of several inputs, and dropping pktmon's duplicate copies. Produces
//! [`Frame`]s; knows nothing of protocols.

pub mod ahead;
mod dedup;
mod error;
pub mod frame;
mod input;
mod merge;
mod origins;
mod pcap;
mod pcapng;
mod reader;
mod record;
mod secrets;
mod stream;
mod zstd_stream;

pub use dedup::{DUPLICATE_WINDOW_NS, DuplicateFilter};
pub use error::{CaptureError, InputWarning, Place};
pub use frame::{Frame, Nanos};
pub use input::STDIN_NAME;
pub use merge::MergedCapture;
pub use origins::FrameOrigins;
pub use reader::{CaptureReader, InputInfo};
pub use secrets::{DecryptionSecrets, MAX_SECRETS_BYTES};
pub use stream::{MAX_RECORD_BYTES, READ_CHUNK_BYTES};
