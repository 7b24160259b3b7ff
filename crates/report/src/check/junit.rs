//! JUnit XML for CI servers (GitLab, Jenkins, GitHub): one testcase per capture, the diff as
//! the failure text. Counts as in [`super::summary`]: `failures` the failed, `errors` the
//! unreadable, `skipped` those without an expectation file; a blessed capture is a passing case.

use super::{CheckResult, Outcome, totals};
use crate::format::escape;

/// The whole JUnit document.
pub fn render(results: &[CheckResult]) -> String {
    let t = totals(results);
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    out.push_str(&format!(
        "<testsuites name=\"capdiag check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
        results.len(), t.failed, t.errors, t.skipped
    ));
    out.push_str(&format!(
        "  <testsuite name=\"capdiag check\" tests=\"{}\" failures=\"{}\" errors=\"{}\" skipped=\"{}\">\n",
        results.len(), t.failed, t.errors, t.skipped
    ));
    for r in results {
        let name = escape(&r.capture.display().to_string());
        out.push_str(&format!(
            "    <testcase classname=\"capdiag.check\" name=\"{name}\""
        ));
        match &r.outcome {
            Outcome::Passed | Outcome::Blessed => out.push_str("/>\n"),
            Outcome::Skipped => out
                .push_str(">\n      <skipped message=\"no expectation file\"/>\n    </testcase>\n"),
            Outcome::Failed(m) => {
                let text: Vec<String> = m.iter().map(|m| m.to_string()).collect();
                out.push_str(&format!(
                    ">\n      <failure message=\"{} mismatch(es)\">{}</failure>\n    </testcase>\n",
                    m.len(),
                    escape(&text.join("\n"))
                ));
            }
            Outcome::Error(e) => {
                // The first line as the message (attributes lose line breaks), all of it as text.
                out.push_str(&format!(
                    ">\n      <error message=\"{}\">{}</error>\n    </testcase>\n",
                    escape(e.lines().next().unwrap_or_default()),
                    escape(e)
                ));
            }
        }
    }
    out.push_str("  </testsuite>\n</testsuites>\n");
    out
}
