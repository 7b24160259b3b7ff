//! The server certificate of a TLS session as the chain judges it: its facts for the stage
//! detail, and the findings (name mismatch, expired or not yet valid, self-signed, issuer not
//! sent) that tell the admin why a client refused it.

use super::causes::cause;
use super::model::{Cause, Severity};
use crate::messages::TlsSession;
use crate::proto::x509::{CertFacts, decode_certificate, utc_text};

/// What the certificate shows: detail lines and findings, strongest first.
#[derive(Debug, Default)]
pub struct CertJudgement {
    pub detail: Vec<(&'static str, String)>,
    /// Name mismatch and validity first (they can explain a failed handshake), then information.
    pub findings: Vec<Cause>,
}

/// The TLS 1.3 protocol version number: the certificate travels encrypted.
const TLS13: u16 = 0x0304;

/// Judges the certificate `s` carried for `host` (the SNI the client sent wins over the host;
/// with neither, the names are not checked). `handshake_ok`: a name mismatch or expiry is a
/// failure only when the handshake failed.
pub fn judge(s: &TlsSession, host: Option<&str>, handshake_ok: bool) -> CertJudgement {
    let mut out = CertJudgement::default();
    let tls13 = s.server_hello.as_ref().is_some_and(|(_, v)| *v == TLS13);
    let Some((frame, chain)) = &s.certificate else {
        if tls13 {
            out.detail.push((
                "certificate",
                "encrypted (TLS 1.3): names, issuer and validity cannot be read from the capture \
                 (a TLS key log with the handshake secrets would show them)"
                    .into(),
            ));
        }
        return out;
    };
    if s.certificate_decrypted {
        out.detail.push((
            "certificate read from",
            "the TLS 1.3 handshake records, decrypted with the TLS key log".into(),
        ));
    }
    let Some(leaf) = chain.first() else {
        out.detail.push(("certificate", "empty chain sent".into()));
        return out;
    };
    let facts = match decode_certificate(leaf) {
        Ok(f) => f,
        Err(e) => {
            out.detail.push(("certificate", e.to_string()));
            return out;
        }
    };
    let asked = s
        .client_hello
        .as_ref()
        .and_then(|c| c.1.clone())
        .or_else(|| host.map(str::to_string));
    let frames = vec![*frame];
    let on_failure = if handshake_ok {
        Severity::Warning
    } else {
        Severity::Failure
    };
    out.detail
        .push(("certificate subject", facts.subject.clone()));
    out.detail
        .push(("certificate names", names_text(&facts).to_string()));
    out.detail
        .push(("certificate issuer", facts.issuer.clone()));
    out.detail.push((
        "certificate valid",
        format!(
            "{} to {}",
            utc_text(facts.not_before),
            utc_text(facts.not_after)
        ),
    ));
    out.detail
        .push(("certificate chain", format!("{} sent", chain.len())));
    match &asked {
        Some(a) if !facts.matches_host(a) => {
            let summary = format!(
                "The certificate for {a} names only {}: no name matches the host the client asked for.",
                names_text(&facts)
            );
            let mut c = cause("tls.name_mismatch", summary, frames.clone());
            c.severity = on_failure;
            out.findings.push(c);
        }
        Some(_) => {}
        None => out.detail.push((
            "certificate name check",
            "not done: no SNI, the name the client used is unknown".into(),
        )),
    }
    let asked = asked.as_deref().unwrap_or("the server");
    push_trust_findings(&mut out, chain, &facts, asked, s, on_failure, frames);
    out
}

/// Validity at capture time, self-signed, issuer not sent.
fn push_trust_findings(
    out: &mut CertJudgement,
    chain: &[Vec<u8>],
    facts: &CertFacts,
    asked: &str,
    s: &TlsSession,
    on_failure: Severity,
    frames: Vec<u64>,
) {
    if let Some(ts) = s.certificate_ts {
        let at = ts.div_euclid(1_000_000_000);
        let when = if at > facts.not_after {
            Some(format!("expired on {}", utc_text(facts.not_after)))
        } else if at < facts.not_before {
            Some(format!(
                "is not valid before {}",
                utc_text(facts.not_before)
            ))
        } else {
            None
        };
        if let Some(when) = when {
            let summary = format!(
                "The certificate of {asked} {when} (capture time {}).",
                utc_text(at)
            );
            let mut c = cause("tls.expired", summary, frames.clone());
            c.severity = on_failure;
            out.findings.push(c);
        }
    }
    if facts.self_signed() {
        let summary = format!(
            "The certificate of {asked} is self-signed (issuer = subject {}): only a client that trusts this very certificate accepts it.",
            facts.subject
        );
        out.findings
            .push(cause("tls.self_signed", summary, frames.clone()));
    } else if !issuer_sent(chain, facts) {
        let summary = format!(
            "The server did not send the issuer {} of the certificate of {asked}: the client must already trust it or fetch it.",
            facts.issuer
        );
        out.findings
            .push(cause("tls.issuer_not_sent", summary, frames));
    }
}

fn names_text(f: &CertFacts) -> String {
    match f.names() {
        [] => "(no DNS name)".into(),
        names => names.join(", "),
    }
}

/// Whether one of the other certificates sent is the leaf's issuer.
fn issuer_sent(chain: &[Vec<u8>], leaf: &CertFacts) -> bool {
    chain
        .iter()
        .skip(1)
        .filter_map(|der| decode_certificate(der).ok())
        .any(|c| c.subject == leaf.issuer)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SELF_SIGNED: &[u8] =
        include_bytes!("../../../../tests/data/x509/mail-contoso-self-signed.der");
    const EXPIRED_NO_SAN: &[u8] =
        include_bytes!("../../../../tests/data/x509/exch01-local-expired.der");
    /// 2026-06-01 00:00:00 UTC in nanoseconds: inside the self-signed certificate's validity.
    const JUNE_2026: i64 = 1_780_272_000 * 1_000_000_000;

    fn session(sni: Option<&str>, version: u16, der: &[u8], ts: i64) -> TlsSession {
        TlsSession {
            client_hello: Some((10, sni.map(str::to_string), vec![])),
            server_hello: Some((12, version)),
            certificate: Some((12, vec![der.to_vec()])),
            certificate_ts: Some(ts),
            ..TlsSession::default()
        }
    }

    fn codes(j: &CertJudgement) -> Vec<(&str, Severity)> {
        j.findings
            .iter()
            .map(|c| (c.code.as_str(), c.severity))
            .collect()
    }

    #[test]
    fn matching_self_signed_certificate_is_information_only() {
        let s = session(Some("mail.contoso.test"), 0x0303, SELF_SIGNED, JUNE_2026);
        let j = judge(&s, Some("mail.contoso.test"), false);
        assert_eq!(codes(&j), [("tls.self_signed", Severity::Info)]);
        assert!(j.detail.contains(&(
            "certificate names",
            "mail.contoso.test, *.ex.contoso.test".to_string()
        )));
        assert!(j.detail.contains(&(
            "certificate valid",
            "2026-01-01 00:00:00 UTC to 2027-01-01 00:00:00 UTC".to_string()
        )));
    }

    #[test]
    fn sni_decides_the_name_and_a_wildcard_covers_one_label() {
        let s = session(
            Some("autodiscover.ex.contoso.test"),
            0x0303,
            SELF_SIGNED,
            JUNE_2026,
        );
        assert_eq!(
            codes(&judge(&s, Some("whatever"), false)),
            [("tls.self_signed", Severity::Info)]
        );
        let s = session(
            Some("autodiscover.contoso.test"),
            0x0303,
            SELF_SIGNED,
            JUNE_2026,
        );
        let j = judge(&s, Some("mail.contoso.test"), false);
        assert_eq!(j.findings[0].code, "tls.name_mismatch");
        assert_eq!(j.findings[0].severity, Severity::Failure);
        assert!(j.findings[0].summary.contains("autodiscover.contoso.test"));
        assert_eq!(j.findings[0].frames, [12]);
    }

    #[test]
    fn without_sni_the_candidate_host_is_matched_and_success_makes_it_a_warning() {
        let s = session(None, 0x0303, EXPIRED_NO_SAN, JUNE_2026);
        let j = judge(&s, Some("mail.contoso.test"), true);
        assert_eq!(
            codes(&j),
            [
                ("tls.name_mismatch", Severity::Warning),
                ("tls.expired", Severity::Warning),
                ("tls.issuer_not_sent", Severity::Info),
            ]
        );
        assert!(
            j.findings[1]
                .summary
                .contains("expired on 2020-06-01 00:00:00 UTC")
        );
        assert!(
            j.findings[1]
                .summary
                .contains("capture time 2026-06-01 00:00:00 UTC")
        );
    }

    #[test]
    fn not_yet_valid_counts_as_expired() {
        // 2025-12-31 23:59:59 UTC: one second before notBefore.
        let s = session(None, 0x0303, SELF_SIGNED, 1_767_225_599 * 1_000_000_000);
        let j = judge(&s, Some("mail.contoso.test"), false);
        assert_eq!(j.findings[0].code, "tls.expired");
        assert!(
            j.findings[0]
                .summary
                .contains("not valid before 2026-01-01")
        );
    }

    #[test]
    fn tls13_says_the_certificate_is_encrypted() {
        let mut s = session(None, 0x0304, SELF_SIGNED, JUNE_2026);
        s.certificate = None;
        let j = judge(&s, Some("mail.contoso.test"), false);
        assert!(j.findings.is_empty());
        assert!(j.detail[0].1.starts_with("encrypted (TLS 1.3)"));
    }

    #[test]
    fn a_tls13_certificate_from_decrypted_records_is_judged_like_a_clear_one() {
        let mut s = session(Some("www.contoso.test"), 0x0304, SELF_SIGNED, JUNE_2026);
        s.certificate_decrypted = true;
        let j = judge(&s, Some("www.contoso.test"), false);
        assert_eq!(
            codes(&j),
            [
                ("tls.name_mismatch", Severity::Failure),
                ("tls.self_signed", Severity::Info)
            ]
        );
        assert_eq!(j.detail[0].0, "certificate read from");
        assert!(j.detail[0].1.contains("decrypted with the TLS key log"));
        assert!(j.detail.contains(&(
            "certificate subject",
            "O=Contoso Lab, CN=mail.contoso.test".to_string()
        )));
    }

    #[test]
    fn without_sni_or_host_the_names_are_not_checked() {
        let s = session(None, 0x0303, SELF_SIGNED, JUNE_2026);
        let j = judge(&s, None, true);
        assert_eq!(codes(&j), [("tls.self_signed", Severity::Info)]);
        assert!(j.detail.iter().any(|(k, _)| *k == "certificate name check"));
    }

    #[test]
    fn undecodable_certificate_is_said_not_fatal() {
        let s = session(None, 0x0303, &[0x30, 0x01, 0x00], JUNE_2026);
        let j = judge(&s, Some("mail.contoso.test"), false);
        assert!(j.findings.is_empty());
        assert!(j.detail[0].1.starts_with("not decoded"));
    }
}
