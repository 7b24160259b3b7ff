//! Lab samples that only say what they say once decrypted with their TLS key log: the EWS
//! GetItem answer with an empty binary extended property (samples/lab/make-ews-keylog-sample.sh)
//! is a finding of the completed chain, not its cause.

use std::path::PathBuf;
use std::sync::Arc;

use capdiag::analysis::{Analysis, analyze_paths};
use capdiag::chain::{ChainOptions, ChainStatus};
use capdiag::crypto::keylog::KeyLog;

fn samples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples")
}

fn analyse_with_key_log(capture: &str, keylog: &str) -> Analysis {
    let options = ChainOptions {
        tls_key_log: Some(Arc::new(
            KeyLog::read(&samples().join(keylog)).expect("the sample's key log reads"),
        )),
        ..Default::default()
    };
    let (analysis, errors) = analyze_paths(&[samples().join(capture)], &options);
    assert!(errors.is_empty(), "{errors:?}");
    analysis.expect("an analysis")
}

#[test]
fn ews_empty_binary_property_is_a_finding_of_the_decrypted_chain_not_its_cause() {
    let a = analyse_with_key_log(
        "https-keylog-ews-empty-binary.pcap",
        "https-keylog-ews-empty-binary.keylog",
    );
    let http = &a.exchanges.http;
    assert_eq!(http.len(), 2, "{http:?}");
    assert!(http.iter().all(|h| h.decrypted));
    let get_item = http
        .iter()
        .find(|h| h.target == "/EWS/Exchange.asmx")
        .expect("the decrypted GetItem POST");
    let (answer_frame, status, _) = get_item.response.clone().expect("its answer");
    assert_eq!(status, 200);

    assert_eq!(a.chains.len(), 1);
    let chain = &a.chains[0];
    assert_eq!(chain.status, ChainStatus::Complete);
    let finding = chain
        .findings
        .iter()
        .find(|f| f.code == "ews.empty_binary_property")
        .expect("the EWS finding");
    assert_eq!(finding.frames, vec![get_item.frame, answer_frame]);
    for part in [
        "AAMkADk0ZTFlNmE3LWVkNGQtNGM5Zi1hOTYzLTNmZWI0ZDc1YjcyMgBGAAAAAAC7",
        "\"Quarterly budget\"",
        "PropertyTag 0x1013",
        &format!("frame {answer_frame}"),
    ] {
        assert!(
            finding.summary.contains(part),
            "{part} in {}",
            finding.summary
        );
    }
    assert!(
        chain
            .cause
            .as_ref()
            .is_none_or(|c| c.code != "ews.empty_binary_property"),
        "{:?}",
        chain.cause
    );
}
