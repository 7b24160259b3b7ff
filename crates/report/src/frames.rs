//! Frame numbers as the admin's own files number them. With several inputs every frame number
//! in the model is the chronological merge's (what `mergecap -w all.pcapng FILES` numbers); this
//! turns one into the file it came from and its number there, and builds the Wireshark filter
//! that works on each file opened alone. Every renderer (text, JSON, HTML, TUI) uses these, so
//! they all say the same thing. With one input nothing is translated.

use serde_json::{Value, json};

use super::text::wireshark_filter;
use crate::analysis::Analysis;

/// One frame located in its input file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileFrame {
    /// The merged frame number (as used everywhere in the model).
    pub merged: u64,
    /// Index of the input, in command-line order.
    pub input: usize,
    /// The file's name without its directories (what Wireshark's title bar shows).
    pub file: String,
    /// The frame's number in that file opened alone.
    pub own: u64,
}

/// Whether frame numbers need translating: several inputs were merged.
pub fn several(a: &Analysis) -> bool {
    a.inputs.len() > 1 && !a.origins.is_empty()
}

/// The name of input `input` without its directories.
pub fn file_name(a: &Analysis, input: usize) -> String {
    let path = a.inputs.get(input).map(|i| i.path.as_str()).unwrap_or("?");
    std::path::Path::new(path)
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.to_string())
}

/// Where merged frame `merged` came from; None with a single input (or frame 0).
pub fn locate(a: &Analysis, merged: u64) -> Option<FileFrame> {
    if !several(a) {
        return None;
    }
    let (input, own) = a.origins.locate(merged)?;
    Some(FileFrame {
        merged,
        input,
        file: file_name(a, input),
        own,
    })
}

/// `103 (trace2.pcapng #50)` with several inputs, else `103`.
pub fn frame_label(a: &Analysis, merged: u64) -> String {
    match locate(a, merged) {
        Some(f) => format!("{merged} ({} #{})", f.file, f.own),
        None => merged.to_string(),
    }
}

fn sorted(frames: &[u64]) -> Vec<u64> {
    let mut f: Vec<u64> = frames.iter().copied().filter(|f| *f > 0).collect();
    f.sort_unstable();
    f.dedup();
    f
}

/// Each frame of `frames` in its file, in merged order.
pub fn located(a: &Analysis, frames: &[u64]) -> Vec<FileFrame> {
    sorted(frames)
        .into_iter()
        .filter_map(|f| locate(a, f))
        .collect()
}

/// The frames of `frames` grouped by file, in input order: (file, its own numbers).
pub fn by_file(a: &Analysis, frames: &[u64]) -> Vec<(usize, String, Vec<u64>)> {
    let mut out: Vec<(usize, String, Vec<u64>)> = Vec::new();
    for f in located(a, frames) {
        match out.iter_mut().find(|(i, _, _)| *i == f.input) {
            Some((_, _, own)) => own.push(f.own),
            None => out.push((f.input, f.file, vec![f.own])),
        }
    }
    out.sort_by_key(|(i, _, _)| *i);
    for (_, _, own) in &mut out {
        own.sort_unstable();
    }
    out
}

/// `trace2.pcapng #50, #51; trace1.pcap #54`: where the frames are in the admin's files (empty
/// with one input).
pub fn in_files_text(a: &Analysis, frames: &[u64]) -> String {
    by_file(a, frames)
        .into_iter()
        .map(|(_, file, own)| {
            let nums: Vec<String> = own.iter().map(|n| format!("#{n}")).collect();
            format!("{file} {}", nums.join(", "))
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// For each file holding some of `frames`: (file, the Wireshark filter that selects them when
/// that file is opened alone). Empty with one input (the merged filter is the file's own).
pub fn file_filters(a: &Analysis, frames: &[u64]) -> Vec<(String, String)> {
    by_file(a, frames)
        .into_iter()
        .map(|(_, file, own)| (file, wireshark_filter(&own)))
        .collect()
}

/// The JSON fields that place `frames` in the input files: `file_frames` and
/// `wireshark_filters` (see docs/json.md); None with one input.
pub fn json_fields(a: &Analysis, frames: &[u64]) -> Option<(Value, Value)> {
    if !several(a) {
        return None;
    }
    let located: Vec<Value> = located(a, frames)
        .into_iter()
        .map(|f| json!({"frame": f.merged, "input": f.input, "file": f.file, "file_frame": f.own}))
        .collect();
    let filters: Vec<Value> = by_file(a, frames)
        .into_iter()
        .map(|(input, file, own)| {
            json!({"input": input, "file": file, "filter": wireshark_filter(&own)})
        })
        .collect();
    Some((Value::Array(located), Value::Array(filters)))
}
