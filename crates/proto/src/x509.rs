//! X.509 certificates as a TLS server sent them (TLS 1.2 and earlier, in clear): the facts an
//! admin needs to see why a client refused one (subject CN, SAN DNS names, issuer, validity,
//! self-signed), and host-name matching per RFC 6125 (one left-most wildcard label).

use x509_parser::extensions::GeneralName;
use x509_parser::prelude::{FromDer, X509Certificate};

/// What a certificate says about itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertFacts {
    /// The subject's common names (usually one).
    pub subject_cn: Vec<String>,
    /// The subject alternative names of type DNS.
    pub san_dns: Vec<String>,
    /// The subject and issuer as RFC 4514-style text (`CN=mail.contoso.test, O=Contoso`).
    pub subject: String,
    pub issuer: String,
    /// Validity, in seconds since the Unix epoch.
    pub not_before: i64,
    pub not_after: i64,
}

impl CertFacts {
    /// Issuer and subject are the same name: the certificate signed itself.
    pub fn self_signed(&self) -> bool {
        self.subject == self.issuer
    }

    /// The names a client matches a host against: the SAN DNS names when there are any
    /// (RFC 6125 §6.4.4: then the CN is not used), else the subject CN.
    pub fn names(&self) -> &[String] {
        if self.san_dns.is_empty() {
            &self.subject_cn
        } else {
            &self.san_dns
        }
    }

    /// Whether any of the certificate's names matches `host`.
    pub fn matches_host(&self, host: &str) -> bool {
        self.names().iter().any(|n| name_matches(n, host))
    }

    /// Whether `at` (seconds since the epoch) lies inside the validity period.
    pub fn valid_at(&self, at: i64) -> bool {
        self.not_before <= at && at <= self.not_after
    }
}

/// Why a certificate could not be decoded: x509-parser's reason, as text (its error type
/// borrows nothing but is neither `Clone` nor `Eq`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum X509Error {
    #[error("not decoded: {0}")]
    NotDecoded(String),
}

/// Decodes one DER certificate; never panics.
pub fn decode_certificate(der: &[u8]) -> Result<CertFacts, X509Error> {
    let (_, cert) =
        X509Certificate::from_der(der).map_err(|e| X509Error::NotDecoded(e.to_string()))?;
    let subject_cn = cert
        .subject()
        .iter_common_name()
        .filter_map(|a| a.as_str().ok().map(str::to_string))
        .collect();
    let san_dns = match cert.subject_alternative_name() {
        Ok(Some(san)) => san
            .value
            .general_names
            .iter()
            .filter_map(|g| match g {
                GeneralName::DNSName(n) => Some(n.to_string()),
                _ => None,
            })
            .collect(),
        _ => vec![],
    };
    Ok(CertFacts {
        subject_cn,
        san_dns,
        subject: cert.subject().to_string(),
        issuer: cert.issuer().to_string(),
        not_before: cert.validity().not_before.timestamp(),
        not_after: cert.validity().not_after.timestamp(),
    })
}

/// RFC 6125 §6.4.3 matching: case-insensitive, a trailing dot ignored; a `*` is allowed only as
/// the whole left-most label and stands for exactly one non-empty label (`*.contoso.test`
/// matches `mail.contoso.test`, not `contoso.test` nor `a.b.contoso.test`).
pub fn name_matches(pattern: &str, host: &str) -> bool {
    let pattern = pattern.trim_end_matches('.').to_ascii_lowercase();
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if pattern.is_empty() || host.is_empty() {
        return false;
    }
    match pattern.split_once('.') {
        Some(("*", rest)) => match host.split_once('.') {
            // The wildcard stands for one label and must leave at least two labels after it.
            Some((label, host_rest)) => {
                !label.is_empty() && rest.contains('.') && host_rest == rest
            }
            None => false,
        },
        _ => !pattern.contains('*') && pattern == host,
    }
}

/// Seconds since the epoch as `YYYY-MM-DD HH:MM:SS UTC` (years outside 1..=9999, which X.509
/// times cannot hold, as the plain number of seconds).
pub fn utc_text(secs: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(secs) {
        Ok(t) if (1..=9999).contains(&t.year()) => format!(
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC",
            t.year(),
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        ),
        _ => format!("{secs} s after 1970-01-01 UTC"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_stand_for_one_left_most_label() {
        assert!(name_matches("*.contoso.test", "mail.contoso.test"));
        assert!(name_matches("*.Contoso.TEST.", "MAIL.contoso.test"));
        assert!(!name_matches("*.contoso.test", "contoso.test"));
        assert!(!name_matches("*.contoso.test", "a.mail.contoso.test"));
        assert!(
            !name_matches("*.test", "contoso.test"),
            "no wildcard on a TLD"
        );
        assert!(!name_matches("mail.*.test", "mail.contoso.test"));
        assert!(!name_matches("m*.contoso.test", "mail.contoso.test"));
        assert!(name_matches("mail.contoso.test", "mail.contoso.test"));
        assert!(!name_matches(
            "mail.contoso.test",
            "autodiscover.contoso.test"
        ));
    }

    #[test]
    fn dates_print_as_utc() {
        assert_eq!(utc_text(0), "1970-01-01 00:00:00 UTC");
        // 2000-02-29 12:34:56 UTC, a leap day.
        assert_eq!(utc_text(951_827_696), "2000-02-29 12:34:56 UTC");
        assert_eq!(utc_text(-1), "1969-12-31 23:59:59 UTC");
        assert_eq!(utc_text(253_402_300_799), "9999-12-31 23:59:59 UTC");
        assert_eq!(
            utc_text(i64::MAX),
            format!("{} s after 1970-01-01 UTC", i64::MAX)
        );
    }

    // Made once with openssl (see tests/data/x509/README.md); the expected values are openssl's
    // `x509 -noout -subject -issuer -dates -ext subjectAltName` output.
    const SELF_SIGNED: &[u8] =
        include_bytes!("../../../tests/data/x509/mail-contoso-self-signed.der");
    const EXPIRED_NO_SAN: &[u8] =
        include_bytes!("../../../tests/data/x509/exch01-local-expired.der");

    #[test]
    fn self_signed_certificate_facts() {
        let c = decode_certificate(SELF_SIGNED).expect("test certificate decodes");
        assert_eq!(c.subject_cn, ["mail.contoso.test"]);
        assert_eq!(c.san_dns, ["mail.contoso.test", "*.ex.contoso.test"]);
        assert_eq!(c.subject, "O=Contoso Lab, CN=mail.contoso.test");
        assert_eq!(c.issuer, c.subject);
        assert!(c.self_signed());
        assert_eq!(utc_text(c.not_before), "2026-01-01 00:00:00 UTC");
        assert_eq!(utc_text(c.not_after), "2027-01-01 00:00:00 UTC");
        assert!(c.matches_host("mail.contoso.test"));
        assert!(
            c.matches_host("autodiscover.ex.contoso.test"),
            "SAN wildcard"
        );
        assert!(!c.matches_host("autodiscover.contoso.test"));
        assert!(!c.matches_host("10.99.0.5"), "IP SANs are not DNS names");
        assert!(c.valid_at(1_767_225_600) && c.valid_at(1_798_761_600));
        assert!(!c.valid_at(1_767_225_599) && !c.valid_at(1_798_761_601));
    }

    #[test]
    fn cn_only_certificate_matches_on_its_cn() {
        let c = decode_certificate(EXPIRED_NO_SAN).expect("test certificate decodes");
        assert!(c.san_dns.is_empty());
        assert_eq!(c.subject, "CN=exch01.contoso.local");
        assert_eq!(c.issuer, "CN=Contoso Lab Root CA");
        assert!(!c.self_signed());
        assert_eq!(utc_text(c.not_after), "2020-06-01 00:00:00 UTC");
        assert!(c.matches_host("EXCH01.contoso.local"));
        assert!(!c.matches_host("mail.contoso.test"));
    }

    #[test]
    fn garbage_is_an_error_not_a_panic() {
        assert!(decode_certificate(&[0x30, 0x03, 0x02, 0x01]).is_err());
        let e = decode_certificate(&[]).unwrap_err();
        assert!(matches!(e, X509Error::NotDecoded(_)));
        assert!(e.to_string().starts_with("not decoded: "), "{e}");
    }
}
