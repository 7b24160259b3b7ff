//! The acceptance check of the report: for every sample, the diagram shows the break where the
//! verdict says it is. Read from the rendered SVG (not the model): the arrows drawn as the break
//! carry exactly the frames of the broken stage's cause, belong to that stage, and every other
//! failed stage's frames are drawn red too. Chains that did not break have no break arrow.

mod report_support;

use std::collections::BTreeSet;

use capdiag::chain::{ChainStatus, StageStatus};
use capdiag::report::{mermaid, sequence::sequence, svg};
use report_support::{analyse, samples};

struct Drawn {
    mark: String,
    frames: BTreeSet<u64>,
    stage: String,
}

fn drawn_messages(svg_text: &str) -> Vec<Drawn> {
    let doc = roxmltree::Document::parse(svg_text).expect("the SVG is well-formed XML");
    doc.descendants()
        .filter(|n| n.has_tag_name("g"))
        .filter_map(|n| {
            let class = n.attribute("class")?;
            let mark = class.strip_prefix("msg ")?.to_string();
            let frames = n
                .attribute("data-frames")?
                .split_whitespace()
                .map(|f| f.parse::<u64>().expect("frame numbers"))
                .collect();
            let stage = n.attribute("data-stage").unwrap_or_default().to_string();
            Some(Drawn {
                mark,
                frames,
                stage,
            })
        })
        .collect()
}

#[test]
fn every_sample_draws_its_break_where_the_verdict_says() {
    let mut broken_seen = 0;
    for (name, path) in samples() {
        let a = analyse(&path);
        // A capture of directory traffic alone has no chain to draw; anything else must have one,
        // unless its expectation pins that it has none (the HTTPS captures that need their TLS
        // key log to show the Autodiscover request).
        let pinned_empty = capdiag::check::expect::parse(
            &std::fs::read_to_string(capdiag::check::expectation_path(&path)).unwrap_or_default(),
        )
        .is_ok_and(|e| e.chains == Some(0) && e.directory_sessions == Some(0));
        assert!(
            !a.chains.is_empty() || !a.directory_sessions.is_empty() || pinned_empty,
            "{name}: neither a chain nor a directory session"
        );
        for chain in &a.chains {
            let drawing = svg::render(&sequence(&a, chain));
            let drawn = drawn_messages(&drawing);
            assert!(!drawn.is_empty(), "{name}: no arrows drawn");
            let breaks: Vec<&Drawn> = drawn.iter().filter(|d| d.mark == "break").collect();
            match (chain.status, &chain.cause, chain.broken_at) {
                (ChainStatus::Broken, Some(cause), Some(stage)) => {
                    broken_seen += 1;
                    let want: BTreeSet<u64> = cause.frames.iter().copied().collect();
                    let got: BTreeSet<u64> = breaks
                        .iter()
                        .flat_map(|d| d.frames.iter().copied())
                        .collect();
                    assert_eq!(
                        got, want,
                        "{name}: the red break arrows carry frames {got:?}, the verdict's cause {} has {want:?}",
                        cause.code
                    );
                    for b in &breaks {
                        assert_eq!(
                            b.stage,
                            stage.id(),
                            "{name}: a break arrow (frames {:?}) is drawn in stage {} but the chain broke at {}",
                            b.frames,
                            b.stage,
                            stage.id()
                        );
                    }
                    // The note naming the cause is drawn, marked as the break.
                    assert!(
                        drawing.contains(&format!(
                            r#"<g class="note break" data-code="{}">"#,
                            cause.code
                        )),
                        "{name}: no break note for {}",
                        cause.code
                    );
                    // Mermaid shows the same break: its arrows sit on the dark red band.
                    let mm = mermaid::diagram(&sequence(&a, chain));
                    let band = mm
                        .split("rect rgb(255, 205, 210)\n")
                        .skip(1)
                        .map(|b| b.split("    end\n").next().unwrap_or_default())
                        .collect::<String>();
                    for f in &want {
                        assert!(
                            band.contains(&format!("[{f}]"))
                                || band.contains(&format!("[{f},"))
                                || band.contains(&format!(" {f},"))
                                || band.contains(&format!(" {f}]")),
                            "{name}: frame {f} of the cause is not on Mermaid's break band:\n{band}"
                        );
                    }
                }
                _ => assert!(
                    breaks.is_empty(),
                    "{name}: chain is {:?} but arrows are drawn as the break",
                    chain.status
                ),
            }
            // Every failed stage (fallbacks included) is drawn red: break or failed.
            let red: BTreeSet<u64> = drawn
                .iter()
                .filter(|d| d.mark == "break" || d.mark == "failed")
                .flat_map(|d| d.frames.iter().copied())
                .collect();
            for s in chain
                .stages
                .iter()
                .chain(chain.attempts.iter().flat_map(|a| a.stages.iter()))
                .filter(|s| s.status == StageStatus::Failed)
            {
                for f in &s.frames {
                    assert!(
                        red.contains(f),
                        "{name}: frame {f} of failed stage {} is not drawn red",
                        s.kind.id()
                    );
                }
            }
            // And nothing is red that no failed stage accounts for.
            let failed: BTreeSet<u64> = chain
                .stages
                .iter()
                .chain(chain.attempts.iter().flat_map(|a| a.stages.iter()))
                .filter(|s| s.status == StageStatus::Failed)
                .flat_map(|s| s.frames.iter().copied())
                .collect();
            for d in drawn
                .iter()
                .filter(|d| d.mark == "failed" || d.mark == "break")
            {
                assert!(
                    d.frames.iter().any(|f| failed.contains(f)),
                    "{name}: arrow with frames {:?} is red without a failed stage",
                    d.frames
                );
            }
        }
    }
    assert!(
        broken_seen >= 7,
        "expected most samples to be broken chains"
    );
}
