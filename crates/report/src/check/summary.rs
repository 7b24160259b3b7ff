//! The totals of a `capdiag check` run and its two printed forms, text and the
//! `capdiag-check/1` JSON document. One definition of the counts serves both and the JUnit
//! report (docs/check.md): **passed** every pinned field matched; **failed** a pinned field
//! differs (exit 1); **errors** the capture or its expectation file could not be read (exit 2);
//! **skipped** no expectation file, nothing compared; **blessed** `--bless` wrote the file.

use super::{CheckResult, Outcome};

/// Counts over every capture looked at; each capture is in exactly one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Totals {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
    pub errors: usize,
    pub blessed: usize,
}

pub fn totals(results: &[CheckResult]) -> Totals {
    let mut t = Totals::default();
    for r in results {
        match r.outcome {
            Outcome::Passed => t.passed += 1,
            Outcome::Failed(_) => t.failed += 1,
            Outcome::Skipped => t.skipped += 1,
            Outcome::Error(_) => t.errors += 1,
            Outcome::Blessed => t.blessed += 1,
        }
    }
    t
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

impl Totals {
    /// `N passed, M failed`, then `, E errors`, `, K skipped` and `, B blessed` when not zero.
    pub fn line(&self) -> String {
        let mut s = format!("{} passed, {} failed", self.passed, self.failed);
        if self.errors > 0 {
            s.push_str(&format!(", {}", plural(self.errors, "error", "errors")));
        }
        if self.skipped > 0 {
            s.push_str(&format!(", {} skipped", self.skipped));
        }
        if self.blessed > 0 {
            s.push_str(&format!(
                ", {} blessed ({} written)",
                self.blessed,
                plural(self.blessed, "expectation file", "expectation files")
            ));
        }
        s
    }

    /// True when no capture was compared or blessed: nothing checked is not a pass.
    pub fn nothing_checked(&self) -> bool {
        self.passed + self.failed + self.errors + self.blessed == 0
    }

    /// 2 an unreadable capture or expectation file, or nothing checked; else 1 any failed;
    /// else 0.
    pub fn exit_code(&self) -> u8 {
        if self.errors > 0 || self.nothing_checked() {
            2
        } else if self.failed > 0 {
            1
        } else {
            0
        }
    }
}

/// The outcome's name in the JSON document.
fn outcome_id(o: &Outcome) -> &'static str {
    match o {
        Outcome::Passed => "passed",
        Outcome::Failed(_) => "failed",
        Outcome::Skipped => "skipped",
        Outcome::Error(_) => "error",
        Outcome::Blessed => "blessed",
    }
}

/// The `capdiag-check/1` document (docs/check.md).
pub fn json_document(results: &[CheckResult]) -> serde_json::Value {
    serde_json::json!({
        "schema": "capdiag-check/1",
        "results": results.iter().map(|r| serde_json::json!({
            "capture": r.capture.display().to_string(),
            "outcome": outcome_id(&r.outcome),
            "mismatches": match &r.outcome { Outcome::Failed(m) => m.clone(), _ => vec![] },
            "error": match &r.outcome { Outcome::Error(e) => Some(e.clone()), _ => None },
        })).collect::<Vec<_>>(),
        "totals": totals(results),
    })
}

/// One line per capture (an error or mismatch list continues, indented, on the lines below),
/// then the totals line.
pub fn text(results: &[CheckResult]) -> String {
    const INDENT: &str = "        ";
    let mut out = String::new();
    for r in results {
        let path = r.capture.display();
        match &r.outcome {
            Outcome::Passed => out.push_str(&format!("ok      {path}\n")),
            Outcome::Blessed => out.push_str(&format!("blessed {path}\n")),
            Outcome::Skipped => out.push_str(&format!("skipped {path} (no expectation file)\n")),
            Outcome::Error(e) => {
                let mut lines = e.lines();
                out.push_str(&format!("ERROR   {}\n", lines.next().unwrap_or_default()));
                for l in lines {
                    if !l.is_empty() {
                        out.push_str(INDENT);
                    }
                    out.push_str(l);
                    out.push('\n');
                }
            }
            Outcome::Failed(m) => {
                out.push_str(&format!("FAIL    {path}\n"));
                for m in m {
                    out.push_str(&format!("{INDENT}{m}\n"));
                }
            }
        }
    }
    out.push_str(&totals(results).line());
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn result(outcome: Outcome) -> CheckResult {
        CheckResult {
            capture: PathBuf::from("c.pcap"),
            outcome,
        }
    }

    #[test]
    fn an_error_is_an_error_in_the_line_the_json_and_the_exit_code() {
        let r = vec![
            result(Outcome::Passed),
            result(Outcome::Error("c.pcap.expect.toml: bad".into())),
            result(Outcome::Skipped),
        ];
        let t = totals(&r);
        assert_eq!(t.line(), "1 passed, 0 failed, 1 error, 1 skipped");
        assert_eq!(json_document(&r)["totals"]["errors"], 1);
        assert_eq!(json_document(&r)["totals"]["failed"], 0);
        assert_eq!(t.exit_code(), 2);
    }

    #[test]
    fn nothing_checked_is_not_a_pass() {
        assert_eq!(totals(&[]).exit_code(), 2);
        assert_eq!(totals(&[result(Outcome::Skipped)]).exit_code(), 2);
        assert_eq!(totals(&[result(Outcome::Blessed)]).exit_code(), 0);
    }

    #[test]
    fn a_multi_line_error_keeps_its_lines_indented() {
        let out = text(&[result(Outcome::Error(
            "x: TOML parse error\n  |\n2 | y\n".into(),
        ))]);
        assert!(
            out.starts_with("ERROR   x: TOML parse error\n          |\n        2 | y\n"),
            "{out}"
        );
    }
}
