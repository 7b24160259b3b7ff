//! Fuzz target: the whole pipeline fed arbitrary bytes as a capture, then both renderers.
#![no_main]

use libfuzzer_sys::fuzz_target;

use capdiag::analysis::analyze;
use capdiag::capture::{CaptureReader, MergedCapture};
use capdiag::chain::ChainOptions;
use capdiag::report::{json, text};

fuzz_target!(|data: &[u8]| {
    let Ok(reader) =
        CaptureReader::from_read("fuzz", Box::new(std::io::Cursor::new(data.to_vec())))
    else {
        return;
    };
    let analysis = analyze(MergedCapture::new(vec![reader]), &ChainOptions::default());
    let _ = text::render(&analysis, text::Style { color: false });
    let _ = serde_json::to_string(&json::document(&analysis));
});
