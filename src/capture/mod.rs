//! Capture sources: pcap / pcapng files (optionally gzip- or zstd-compressed), standard input,
//! and the chronological merge of several inputs. Produces [`Frame`]s; knows nothing of protocols.

pub mod frame;

pub use frame::{Frame, Nanos};
