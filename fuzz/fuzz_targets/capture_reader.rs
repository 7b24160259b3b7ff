//! Fuzz target: the capture readers (pcap, pcapng, gzip, zstd) over arbitrary bytes.
#![no_main]

use libfuzzer_sys::fuzz_target;

use capdiag::capture::CaptureReader;

fuzz_target!(|data: &[u8]| {
    let Ok(mut reader) =
        CaptureReader::from_read("fuzz", Box::new(std::io::Cursor::new(data.to_vec())))
    else {
        return;
    };
    // Every frame costs input bytes, so the loop ends; the bound is a second guard.
    for _ in 0..100_000 {
        if reader.next_frame().is_none() {
            break;
        }
    }
    let _ = reader.info();
});
