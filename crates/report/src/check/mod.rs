//! `capdiag check`: analyses every capture that has an expectation file beside it, in parallel,
//! and compares the diagnosis with the pins; `--bless` writes today's results as the pins.

pub mod compare;
pub mod expect;
pub mod junit;
pub mod summary;

use std::path::{Path, PathBuf};

use rayon::prelude::*;

use crate::analysis::analyze_paths;
use crate::chain::ChainOptions;
pub use compare::Mismatch;
use expect::EXPECT_SUFFIX;
pub use summary::{Totals, totals};

/// File name endings taken for captures when walking a directory.
const CAPTURE_ENDINGS: &[&str] = &[
    ".pcap",
    ".pcapng",
    ".cap",
    ".pcap.gz",
    ".pcapng.gz",
    ".pcap.zst",
    ".pcapng.zst",
];

/// What checking one capture gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Passed,
    Failed(Vec<Mismatch>),
    /// No expectation file beside the capture.
    Skipped,
    /// The capture or its expectation file could not be read (exit code 2).
    Error(String),
    /// `--bless` wrote the expectation file.
    Blessed,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckResult {
    pub capture: PathBuf,
    pub outcome: Outcome,
}

/// The expectation file that belongs to a capture.
pub fn expectation_path(capture: &Path) -> PathBuf {
    let mut s = capture.as_os_str().to_os_string();
    s.push(EXPECT_SUFFIX);
    PathBuf::from(s)
}

fn is_capture_name(p: &Path) -> bool {
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    CAPTURE_ENDINGS.iter().any(|e| name.ends_with(e))
}

/// The captures named by the arguments: files as given (an expectation file stands for its
/// capture), directories walked recursively, in sorted order. Finding none is an error: nothing
/// checked is not a pass.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, &mut out).map_err(|e| format!("{}: {e}", p.display()))?;
        } else if let Some(capture) = p.to_str().and_then(|s| s.strip_suffix(EXPECT_SUFFIX)) {
            out.push(PathBuf::from(capture));
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(format!("{}: no such file or directory", p.display()));
        }
    }
    out.sort();
    out.dedup();
    if out.is_empty() {
        let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
        return Err(format!(
            "{}: no capture found (files ending in {}, or with an {EXPECT_SUFFIX} beside them)",
            names.join(", "),
            CAPTURE_ENDINGS.join(" ")
        ));
    }
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out)?;
        } else if is_capture_name(&path) || expectation_path(&path).exists() {
            out.push(path);
        }
    }
    Ok(())
}

/// Checks (or blesses) one capture.
pub fn check_one(capture: &Path, bless: bool) -> CheckResult {
    check_one_with(capture, bless, &ChainOptions::default())
}

/// [`check_one`] with analysis options (`capdiag check --tls-keylog`).
pub fn check_one_with(capture: &Path, bless: bool, opts: &ChainOptions) -> CheckResult {
    let exp_path = expectation_path(capture);
    let outcome = (|| {
        let existing = match std::fs::read_to_string(&exp_path) {
            Ok(text) => Some((expect::parse(&text).map_err(|e| format!("{}: {e}", exp_path.display()))?, text)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(format!("{}: {e}", exp_path.display())),
        };
        if existing.is_none() && !bless {
            return Ok(Outcome::Skipped);
        }
        let (analysis, errors) = analyze_paths(&[capture.to_path_buf()], opts);
        if let Some(e) = errors.first() {
            return Err(e.to_string());
        }
        let analysis = analysis.ok_or_else(|| format!("{}: not analysed", capture.display()))?;
        if let Some(e) = analysis.unusable_inputs().first() {
            return Err(e.to_string());
        }
        if bless {
            let comments: Vec<String> = match &existing {
                Some((_, text)) => text.lines().take_while(|l| l.starts_with('#')).map(str::to_string).collect(),
                None => vec!["# What capdiag must conclude for this capture. Only fields present are compared.".into()],
            };
            let text = expect::write(&compare::bless(&analysis), &comments)?;
            std::fs::write(&exp_path, text).map_err(|e| format!("{}: {e}", exp_path.display()))?;
            return Ok(Outcome::Blessed);
        }
        let exp = existing.map(|e| e.0).unwrap_or_default();
        let mismatches = compare::compare(&exp, &analysis);
        Ok(if mismatches.is_empty() { Outcome::Passed } else { Outcome::Failed(mismatches) })
    })()
    .unwrap_or_else(Outcome::Error);
    CheckResult {
        capture: capture.to_path_buf(),
        outcome,
    }
}

/// Checks every capture across the cores; results come back in the captures' order.
pub fn check_all(captures: &[PathBuf], bless: bool) -> Vec<CheckResult> {
    check_all_with(captures, bless, &ChainOptions::default())
}

/// [`check_all`] with analysis options (`capdiag check --tls-keylog`).
pub fn check_all_with(captures: &[PathBuf], bless: bool, opts: &ChainOptions) -> Vec<CheckResult> {
    captures
        .par_iter()
        .map(|c| check_one_with(c, bless, opts))
        .collect()
}
