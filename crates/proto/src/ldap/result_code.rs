//! LDAP resultCodes (RFC 4511 §4.1.9 / Appendix A, plus the later registrations: RFC 3909 cancel,
//! RFC 4528 assertion, RFC 4370 proxy auth, RFC 4533 sync) as the [`ResultCode`] enum that the
//! decoder puts in [`LdapResult`](super::LdapResult) and the renderers print by name.

use crate::code_point::code_point;

code_point! {
    /// An LDAP resultCode; `Display` is its ASN.1 name, `"unknown"` outside the registry.
    pub enum ResultCode(u32) {
        Success = 0 => "success",
        OperationsError = 1 => "operationsError",
        ProtocolError = 2 => "protocolError",
        TimeLimitExceeded = 3 => "timeLimitExceeded",
        SizeLimitExceeded = 4 => "sizeLimitExceeded",
        CompareFalse = 5 => "compareFalse",
        CompareTrue = 6 => "compareTrue",
        AuthMethodNotSupported = 7 => "authMethodNotSupported",
        StrongerAuthRequired = 8 => "strongerAuthRequired",
        /// LDAPv2 only; AD still sends it to v2 clients in place of a referral.
        PartialResults = 9 => "partialResults",
        Referral = 10 => "referral",
        AdminLimitExceeded = 11 => "adminLimitExceeded",
        UnavailableCriticalExtension = 12 => "unavailableCriticalExtension",
        ConfidentialityRequired = 13 => "confidentialityRequired",
        SaslBindInProgress = 14 => "saslBindInProgress",
        NoSuchAttribute = 16 => "noSuchAttribute",
        UndefinedAttributeType = 17 => "undefinedAttributeType",
        InappropriateMatching = 18 => "inappropriateMatching",
        ConstraintViolation = 19 => "constraintViolation",
        AttributeOrValueExists = 20 => "attributeOrValueExists",
        InvalidAttributeSyntax = 21 => "invalidAttributeSyntax",
        NoSuchObject = 32 => "noSuchObject",
        AliasProblem = 33 => "aliasProblem",
        InvalidDNSyntax = 34 => "invalidDNSyntax",
        AliasDereferencingProblem = 36 => "aliasDereferencingProblem",
        InappropriateAuthentication = 48 => "inappropriateAuthentication",
        InvalidCredentials = 49 => "invalidCredentials",
        InsufficientAccessRights = 50 => "insufficientAccessRights",
        Busy = 51 => "busy",
        Unavailable = 52 => "unavailable",
        UnwillingToPerform = 53 => "unwillingToPerform",
        LoopDetect = 54 => "loopDetect",
        NamingViolation = 64 => "namingViolation",
        ObjectClassViolation = 65 => "objectClassViolation",
        NotAllowedOnNonLeaf = 66 => "notAllowedOnNonLeaf",
        NotAllowedOnRDN = 67 => "notAllowedOnRDN",
        EntryAlreadyExists = 68 => "entryAlreadyExists",
        ObjectClassModsProhibited = 69 => "objectClassModsProhibited",
        AffectsMultipleDSAs = 71 => "affectsMultipleDSAs",
        Other = 80 => "other",
        Canceled = 118 => "canceled",
        NoSuchOperation = 119 => "noSuchOperation",
        TooLate = 120 => "tooLate",
        CannotCancel = 121 => "cannotCancel",
        AssertionFailed = 122 => "assertionFailed",
        AuthorizationDenied = 123 => "authorizationDenied",
        ESyncRefreshRequired = 4096 => "e-syncRefreshRequired",
    }
    unknown(_) => "unknown";
}

#[cfg(test)]
mod tests {
    use super::ResultCode;

    fn result_name(code: u32) -> String {
        ResultCode::from(code).to_string()
    }

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
        assert_eq!(ResultCode::from(118), ResultCode::Canceled);
        assert_eq!(u32::from(ResultCode::ESyncRefreshRequired), 4096);
        assert_eq!(ResultCode::from(35), ResultCode::Unknown(35));
    }
}
