//! `analyze --format json` streams the `capdiag/1` document (report::json::write): for every
//! sample, and for several samples merged (where chains get `file_frames`), the bytes written
//! are exactly the pretty-printed in-memory document, secrets member included.

mod robust_support;

use capdiag::analysis::analyze_paths;
use capdiag::chain::ChainOptions;
use capdiag::report::json;

fn streamed_equals_document(paths: &[std::path::PathBuf], secrets: Option<serde_json::Value>) {
    let (analysis, errors) = analyze_paths(paths, &ChainOptions::default());
    assert!(errors.is_empty(), "{paths:?}: {errors:?}");
    let analysis = analysis.expect("analysis");
    let mut doc = json::document(&analysis);
    if let (Some(s), Some(map)) = (&secrets, doc.as_object_mut()) {
        map.insert("secrets".into(), s.clone());
    }
    let whole = serde_json::to_string_pretty(&doc).expect("renders") + "\n";
    let mut streamed = Vec::new();
    json::write(&analysis, secrets, &mut streamed).expect("writes");
    assert_eq!(
        String::from_utf8(streamed).expect("utf-8"),
        whole,
        "{paths:?}"
    );
}

#[test]
fn every_sample_streams_its_whole_document() {
    let samples = robust_support::samples();
    assert!(samples.len() > 50, "{}", samples.len());
    for s in &samples {
        streamed_equals_document(std::slice::from_ref(s), None);
    }
}

#[test]
fn merged_inputs_and_secrets_stream_the_same_document() {
    let paths = [
        robust_support::sample("complete.pcap"),
        robust_support::sample("ldap-refused.pcap"),
    ];
    streamed_equals_document(&paths, Some(serde_json::json!([{"user": "x"}])));
}
