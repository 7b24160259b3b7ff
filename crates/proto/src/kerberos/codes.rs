//! KRB-ERROR codes by name (RFC 4120 §7.5.9, RFC 1510, RFC 4556 PKINIT, RFC 6113 FAST), the
//! NTSTATUS values Windows KDCs put in KERB-EXT-ERROR, and which errors are protocol steps.
//! What an error means for an administrator is the engine's (`chain::kerberos_causes`).

use crate::code_point::code_point;

code_point! {
    /// A KRB-ERROR error-code; `Display` is its RFC name, `"KRB_ERR_UNKNOWN"` outside the tables.
    pub enum ErrorCode(i32) {
        KdcErrNone = 0 => "KDC_ERR_NONE",
        KdcErrNameExp = 1 => "KDC_ERR_NAME_EXP",
        KdcErrServiceExp = 2 => "KDC_ERR_SERVICE_EXP",
        KdcErrBadPvno = 3 => "KDC_ERR_BAD_PVNO",
        KdcErrCOldMastKvno = 4 => "KDC_ERR_C_OLD_MAST_KVNO",
        KdcErrSOldMastKvno = 5 => "KDC_ERR_S_OLD_MAST_KVNO",
        KdcErrCPrincipalUnknown = 6 => "KDC_ERR_C_PRINCIPAL_UNKNOWN",
        KdcErrSPrincipalUnknown = 7 => "KDC_ERR_S_PRINCIPAL_UNKNOWN",
        KdcErrPrincipalNotUnique = 8 => "KDC_ERR_PRINCIPAL_NOT_UNIQUE",
        KdcErrNullKey = 9 => "KDC_ERR_NULL_KEY",
        KdcErrCannotPostdate = 10 => "KDC_ERR_CANNOT_POSTDATE",
        KdcErrNeverValid = 11 => "KDC_ERR_NEVER_VALID",
        KdcErrPolicy = 12 => "KDC_ERR_POLICY",
        KdcErrBadoption = 13 => "KDC_ERR_BADOPTION",
        KdcErrEtypeNosupp = 14 => "KDC_ERR_ETYPE_NOSUPP",
        KdcErrSumtypeNosupp = 15 => "KDC_ERR_SUMTYPE_NOSUPP",
        KdcErrPadataTypeNosupp = 16 => "KDC_ERR_PADATA_TYPE_NOSUPP",
        KdcErrTrtypeNosupp = 17 => "KDC_ERR_TRTYPE_NOSUPP",
        KdcErrClientRevoked = 18 => "KDC_ERR_CLIENT_REVOKED",
        KdcErrServiceRevoked = 19 => "KDC_ERR_SERVICE_REVOKED",
        KdcErrTgtRevoked = 20 => "KDC_ERR_TGT_REVOKED",
        KdcErrClientNotyet = 21 => "KDC_ERR_CLIENT_NOTYET",
        KdcErrServiceNotyet = 22 => "KDC_ERR_SERVICE_NOTYET",
        KdcErrKeyExpired = 23 => "KDC_ERR_KEY_EXPIRED",
        KdcErrPreauthFailed = 24 => "KDC_ERR_PREAUTH_FAILED",
        KdcErrPreauthRequired = 25 => "KDC_ERR_PREAUTH_REQUIRED",
        KdcErrServerNomatch = 26 => "KDC_ERR_SERVER_NOMATCH",
        KdcErrMustUseUser2user = 27 => "KDC_ERR_MUST_USE_USER2USER",
        KdcErrPathNotAccepted = 28 => "KDC_ERR_PATH_NOT_ACCEPTED",
        KdcErrSvcUnavailable = 29 => "KDC_ERR_SVC_UNAVAILABLE",
        KrbApErrBadIntegrity = 31 => "KRB_AP_ERR_BAD_INTEGRITY",
        KrbApErrTktExpired = 32 => "KRB_AP_ERR_TKT_EXPIRED",
        KrbApErrTktNyv = 33 => "KRB_AP_ERR_TKT_NYV",
        KrbApErrRepeat = 34 => "KRB_AP_ERR_REPEAT",
        KrbApErrNotUs = 35 => "KRB_AP_ERR_NOT_US",
        KrbApErrBadmatch = 36 => "KRB_AP_ERR_BADMATCH",
        KrbApErrSkew = 37 => "KRB_AP_ERR_SKEW",
        KrbApErrBadaddr = 38 => "KRB_AP_ERR_BADADDR",
        KrbApErrBadversion = 39 => "KRB_AP_ERR_BADVERSION",
        KrbApErrMsgType = 40 => "KRB_AP_ERR_MSG_TYPE",
        KrbApErrModified = 41 => "KRB_AP_ERR_MODIFIED",
        KrbApErrBadorder = 42 => "KRB_AP_ERR_BADORDER",
        KrbApErrIllCrTkt = 43 => "KRB_AP_ERR_ILL_CR_TKT",
        KrbApErrBadkeyver = 44 => "KRB_AP_ERR_BADKEYVER",
        KrbApErrNokey = 45 => "KRB_AP_ERR_NOKEY",
        KrbApErrMutFail = 46 => "KRB_AP_ERR_MUT_FAIL",
        KrbApErrBaddirection = 47 => "KRB_AP_ERR_BADDIRECTION",
        KrbApErrMethod = 48 => "KRB_AP_ERR_METHOD",
        KrbApErrBadseq = 49 => "KRB_AP_ERR_BADSEQ",
        KrbApErrInappCksum = 50 => "KRB_AP_ERR_INAPP_CKSUM",
        KrbApPathNotAccepted = 51 => "KRB_AP_PATH_NOT_ACCEPTED",
        KrbErrResponseTooBig = 52 => "KRB_ERR_RESPONSE_TOO_BIG",
        KrbErrGeneric = 60 => "KRB_ERR_GENERIC",
        KrbErrFieldToolong = 61 => "KRB_ERR_FIELD_TOOLONG",
        KdcErrorClientNotTrusted = 62 => "KDC_ERROR_CLIENT_NOT_TRUSTED",
        KdcErrorKdcNotTrusted = 63 => "KDC_ERROR_KDC_NOT_TRUSTED",
        KdcErrorInvalidSig = 64 => "KDC_ERROR_INVALID_SIG",
        KdcErrKeyTooWeak = 65 => "KDC_ERR_KEY_TOO_WEAK",
        KdcErrCertificateMismatch = 66 => "KDC_ERR_CERTIFICATE_MISMATCH",
        KrbApErrNoTgt = 67 => "KRB_AP_ERR_NO_TGT",
        KdcErrWrongRealm = 68 => "KDC_ERR_WRONG_REALM",
        KrbApErrUserToUserRequired = 69 => "KRB_AP_ERR_USER_TO_USER_REQUIRED",
        KdcErrCantVerifyCertificate = 70 => "KDC_ERR_CANT_VERIFY_CERTIFICATE",
        KdcErrInvalidCertificate = 71 => "KDC_ERR_INVALID_CERTIFICATE",
        KdcErrRevokedCertificate = 72 => "KDC_ERR_REVOKED_CERTIFICATE",
        KdcErrRevocationStatusUnknown = 73 => "KDC_ERR_REVOCATION_STATUS_UNKNOWN",
        KdcErrRevocationStatusUnavailable = 74 => "KDC_ERR_REVOCATION_STATUS_UNAVAILABLE",
        KdcErrClientNameMismatch = 75 => "KDC_ERR_CLIENT_NAME_MISMATCH",
        KdcErrKdcNameMismatch = 76 => "KDC_ERR_KDC_NAME_MISMATCH",
        KdcErrInconsistentKeyPurpose = 77 => "KDC_ERR_INCONSISTENT_KEY_PURPOSE",
        KdcErrDigestInCertNotAccepted = 78 => "KDC_ERR_DIGEST_IN_CERT_NOT_ACCEPTED",
        KdcErrPaChecksumMustBeIncluded = 79 => "KDC_ERR_PA_CHECKSUM_MUST_BE_INCLUDED",
        KdcErrDigestInSignedDataNotAccepted = 80 => "KDC_ERR_DIGEST_IN_SIGNED_DATA_NOT_ACCEPTED",
        KdcErrPublicKeyEncryptionNotSupported = 81 => "KDC_ERR_PUBLIC_KEY_ENCRYPTION_NOT_SUPPORTED",
        KdcErrPreauthExpired = 90 => "KDC_ERR_PREAUTH_EXPIRED",
        KdcErrMorePreauthDataRequired = 91 => "KDC_ERR_MORE_PREAUTH_DATA_REQUIRED",
        KdcErrPreauthBadAuthenticationSet = 92 => "KDC_ERR_PREAUTH_BAD_AUTHENTICATION_SET",
        KdcErrUnknownCriticalFastOptions = 93 => "KDC_ERR_UNKNOWN_CRITICAL_FAST_OPTIONS",
    }
    unknown(_) => "KRB_ERR_UNKNOWN";
}

/// The name of a Kerberos message by its ASN.1 application tag (RFC 4120 §5.10), None for
/// other tags.
pub fn message_type_name(tag: u8) -> Option<&'static str> {
    Some(match tag {
        10 => "AS-REQ",
        11 => "AS-REP",
        12 => "TGS-REQ",
        13 => "TGS-REP",
        14 => "AP-REQ",
        15 => "AP-REP",
        20 => "KRB-SAFE",
        21 => "KRB-PRIV",
        22 => "KRB-CRED",
        30 => "KRB-ERROR",
        _ => return None,
    })
}

impl ErrorCode {
    /// Normal protocol steps that are not failures: PREAUTH_REQUIRED (25), the KDC asking for
    /// pre-authentication on the first AS-REQ, and RESPONSE_TOO_BIG (52), the KDC asking the
    /// client to retry over TCP.
    pub fn is_normal_step(self) -> bool {
        matches!(
            self,
            Self::KdcErrPreauthRequired | Self::KrbErrResponseTooBig
        )
    }
}

/// The name of an NTSTATUS that Windows KDCs put in KERB-EXT-ERROR for logon failures.
pub fn ntstatus_name(status: u32) -> Option<&'static str> {
    Some(match status {
        0xC000_0064 => "STATUS_NO_SUCH_USER",
        0xC000_006A => "STATUS_WRONG_PASSWORD",
        0xC000_006D => "STATUS_LOGON_FAILURE",
        0xC000_006E => "STATUS_ACCOUNT_RESTRICTION",
        0xC000_006F => "STATUS_INVALID_LOGON_HOURS",
        0xC000_0070 => "STATUS_INVALID_WORKSTATION",
        0xC000_0071 => "STATUS_PASSWORD_EXPIRED",
        0xC000_0072 => "STATUS_ACCOUNT_DISABLED",
        0xC000_0133 => "STATUS_TIME_DIFFERENCE_AT_DC",
        0xC000_015B => "STATUS_LOGON_TYPE_NOT_GRANTED",
        0xC000_0193 => "STATUS_ACCOUNT_EXPIRED",
        0xC000_0224 => "STATUS_PASSWORD_MUST_CHANGE",
        0xC000_0234 => "STATUS_ACCOUNT_LOCKED_OUT",
        _ => return None,
    })
}
