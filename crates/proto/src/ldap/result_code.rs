//! Names of LDAP resultCodes: RFC 4511 §4.1.9 / Appendix A, plus the later registrations
//! (RFC 3909 cancel, RFC 4528 assertion, RFC 4370 proxy auth, RFC 4533 sync).

/// The ASN.1 name of an LDAP resultCode, or `"unknown"`.
pub fn result_name(code: u32) -> &'static str {
    match code {
        0 => "success",
        1 => "operationsError",
        2 => "protocolError",
        3 => "timeLimitExceeded",
        4 => "sizeLimitExceeded",
        5 => "compareFalse",
        6 => "compareTrue",
        7 => "authMethodNotSupported",
        8 => "strongerAuthRequired",
        // LDAPv2 only; AD still sends it to v2 clients in place of a referral.
        9 => "partialResults",
        10 => "referral",
        11 => "adminLimitExceeded",
        12 => "unavailableCriticalExtension",
        13 => "confidentialityRequired",
        14 => "saslBindInProgress",
        16 => "noSuchAttribute",
        17 => "undefinedAttributeType",
        18 => "inappropriateMatching",
        19 => "constraintViolation",
        20 => "attributeOrValueExists",
        21 => "invalidAttributeSyntax",
        32 => "noSuchObject",
        33 => "aliasProblem",
        34 => "invalidDNSyntax",
        36 => "aliasDereferencingProblem",
        48 => "inappropriateAuthentication",
        49 => "invalidCredentials",
        50 => "insufficientAccessRights",
        51 => "busy",
        52 => "unavailable",
        53 => "unwillingToPerform",
        54 => "loopDetect",
        64 => "namingViolation",
        65 => "objectClassViolation",
        66 => "notAllowedOnNonLeaf",
        67 => "notAllowedOnRDN",
        68 => "entryAlreadyExists",
        69 => "objectClassModsProhibited",
        71 => "affectsMultipleDSAs",
        80 => "other",
        118 => "canceled",
        119 => "noSuchOperation",
        120 => "tooLate",
        121 => "cannotCancel",
        122 => "assertionFailed",
        123 => "authorizationDenied",
        4096 => "e-syncRefreshRequired",
        _ => "unknown",
    }
}

#[cfg(test)]
// Tests build fixtures by hand and index what they built.
#[allow(
    clippy::indexing_slicing,
    clippy::cast_possible_truncation,
    clippy::arithmetic_side_effects
)]
mod tests {
    use super::result_name;

    #[test]
    fn rfc_4511_names() {
        assert_eq!(result_name(0), "success");
        assert_eq!(result_name(1), "operationsError");
        assert_eq!(result_name(8), "strongerAuthRequired");
        assert_eq!(result_name(10), "referral");
        assert_eq!(result_name(14), "saslBindInProgress");
        assert_eq!(result_name(32), "noSuchObject");
        assert_eq!(result_name(49), "invalidCredentials");
        assert_eq!(result_name(53), "unwillingToPerform");
        assert_eq!(result_name(80), "other");
    }

    #[test]
    fn later_registrations_and_gaps() {
        assert_eq!(result_name(118), "canceled");
        assert_eq!(result_name(4096), "e-syncRefreshRequired");
        assert_eq!(result_name(15), "unknown");
        assert_eq!(result_name(35), "unknown");
        assert_eq!(result_name(u32::MAX), "unknown");
    }
}
