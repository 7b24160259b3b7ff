//! What a KRB-ERROR means for an administrator, and capdiag's cause code for it (the names
//! are the decoder's: `proto::kerberos::ErrorCode`).

use crate::proto::kerberos::ErrorCode;

/// One plain sentence saying what the error means for an administrator.
pub fn error_meaning(code: ErrorCode) -> &'static str {
    match code.value() {
        0 => "No error.",
        1 => "The client's account has expired in the KDC database.",
        2 => "The service's account has expired in the KDC database.",
        3 => "The KDC does not support the Kerberos protocol version the client sent.",
        4 => "The client's key is encrypted in an old KDC master key.",
        5 => "The service's key is encrypted in an old KDC master key.",
        6 => {
            "The KDC does not know the client account: check the user name and that it exists in this domain."
        }
        7 => {
            "No account holds the requested service principal name (SPN): register the SPN on the right account or fix the host name the client used."
        }
        8 => {
            "More than one account holds the requested principal name (duplicate SPN or UPN): remove the duplicate."
        }
        9 => "The client or service account has no usable key (no password set).",
        10 => "The ticket is not eligible for postdating.",
        11 => "The requested start time is later than the end time.",
        12 => {
            "KDC policy rejected the request (for example logon hours, workstation or authentication policy restrictions)."
        }
        13 => {
            "The KDC cannot honour a requested ticket option (often a delegation setting on the account)."
        }
        14 => {
            "The KDC and the account share no encryption type: check the allowed encryption types and the account's keys."
        }
        15 => "The KDC does not support the checksum type requested.",
        16 => {
            "The KDC does not support the pre-authentication type sent (often smart-card logon without a KDC certificate)."
        }
        17 => "The KDC does not support the transited-realm encoding.",
        18 => {
            "The client's credentials are revoked: the account is disabled, locked out or expired."
        }
        19 => "The service account's credentials are revoked (disabled or locked).",
        20 => "The ticket-granting ticket was revoked: log off and on again.",
        21 => "The client account is not yet valid.",
        22 => "The service account is not yet valid.",
        23 => "The user's password has expired: change it.",
        24 => "Pre-authentication failed: the password (key) the client used is wrong.",
        25 => "The KDC asks for pre-authentication; this is the normal first answer to an AS-REQ.",
        26 => "The requested service and the ticket presented do not match.",
        27 => "The service principal is valid for user-to-user authentication only.",
        28 => "KDC policy rejects the transited realm path (cross-realm trust).",
        29 => "The KDC service is not available (busy or not ready).",
        31 => "A decrypted field failed its integrity check: the keys on both sides differ.",
        32 => "The ticket has expired: the client must get a new one.",
        33 => "The ticket is not yet valid (often clock differences).",
        34 => "The request was seen before and is treated as a replay.",
        35 => "The ticket was issued for a different service.",
        36 => "The ticket and the authenticator do not match.",
        37 => {
            "The client's clock differs from the KDC's by more than the allowed skew (5 minutes by default): fix time synchronisation."
        }
        38 => "The request came from a network address the ticket is not valid for.",
        39 => "Protocol version mismatch.",
        40 => "The message type is invalid here.",
        41 => {
            "The message could not be decrypted: the service's key differs from the one the KDC used (duplicate SPN or stale password)."
        }
        42 => "A message arrived out of order.",
        43 => "The cross-realm ticket is not valid here (RFC 1510).",
        44 => "The service does not hold the key version the ticket was encrypted with.",
        45 => "The service key is not available.",
        46 => "Mutual authentication failed.",
        47 => "The message direction is wrong.",
        48 => "An alternative authentication method is required.",
        49 => "The message carries an unexpected sequence number.",
        50 => "The message carries an inappropriate checksum type.",
        51 => "Policy rejects the transited realm path.",
        52 => "The answer does not fit in UDP; the client retries over TCP, which is normal.",
        60 => "A generic KDC error; the e-text says more.",
        61 => "A field is too long for the KDC.",
        62 => "PKINIT: the KDC does not trust the client's certificate.",
        63 => "PKINIT: the client does not trust the KDC's certificate.",
        64 => "PKINIT: a signature is invalid.",
        65 => "PKINIT: the key or Diffie-Hellman parameters are too weak.",
        66 => "PKINIT: the certificate does not match the request.",
        67 => "No ticket-granting ticket is available for user-to-user authentication.",
        68 => {
            "The request went to the KDC of the wrong realm: check the realm (domain) name and DNS."
        }
        69 => "The service requires user-to-user authentication.",
        70 => "PKINIT: the certificate cannot be verified.",
        71 => "PKINIT: the certificate is invalid.",
        72 => "PKINIT: the certificate is revoked.",
        73 => "PKINIT: the certificate's revocation status is unknown.",
        74 => "PKINIT: the certificate's revocation status cannot be checked (CRL unreachable).",
        75 => "PKINIT: the client name does not match the certificate.",
        76 => "PKINIT: the KDC name does not match its certificate.",
        77 => "PKINIT: the certificate's key usage does not allow this use.",
        78 => "PKINIT: the certificate's digest algorithm is not accepted.",
        79 => "PKINIT: the request must include a checksum.",
        80 => "PKINIT: the signed data's digest algorithm is not accepted.",
        81 => "PKINIT: public-key encryption is not supported.",
        90 => "FAST: the pre-authentication data has expired.",
        91 => "FAST: more pre-authentication data is required.",
        92 => "FAST: the pre-authentication set is not acceptable.",
        93 => "FAST: the KDC does not know a critical FAST option.",
        _ => "The KDC returned an error code that is not in RFC 4120 or its extensions.",
    }
}

/// capdiag's cause code for a KRB-ERROR: the fixed ones below, else
/// `kerberos.<name in lower snake case without its KDC_ERR_/KRB_AP_ERR_/KRB_ERR_/... prefix>`,
/// and `kerberos.error_<code>` for codes without a name.
pub fn cause_code(code: ErrorCode) -> String {
    let fixed = match code {
        ErrorCode::KdcErrPreauthFailed => Some("kerberos.preauth_failed"),
        ErrorCode::KdcErrCPrincipalUnknown => Some("kerberos.client_unknown"),
        ErrorCode::KdcErrSPrincipalUnknown => Some("kerberos.service_unknown"),
        ErrorCode::KrbApErrSkew => Some("kerberos.clock_skew"),
        ErrorCode::KdcErrClientRevoked => Some("kerberos.client_revoked"),
        ErrorCode::KdcErrWrongRealm => Some("kerberos.wrong_realm"),
        _ => None,
    };
    if let Some(c) = fixed {
        return c.to_string();
    }
    let Some(name) = code.name() else {
        return format!("kerberos.error_{}", code.value());
    };
    let bare = [
        "KDC_ERR_",
        "KDC_ERROR_",
        "KRB_AP_ERR_",
        "KRB_AP_",
        "KRB_ERR_",
    ]
    .iter()
    .find_map(|p| name.strip_prefix(p))
    .unwrap_or(name);
    format!("kerberos.{}", bare.to_ascii_lowercase())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_meanings_and_cause_codes() {
        assert_eq!(cause_code(ErrorCode::from(24)), "kerberos.preauth_failed");
        assert_eq!(cause_code(ErrorCode::from(41)), "kerberos.modified");
        assert_eq!(cause_code(ErrorCode::from(9999)), "kerberos.error_9999");
        assert!(
            error_meaning(ErrorCode::from(24)).contains("password"),
            "{}",
            error_meaning(ErrorCode::from(24))
        );
        assert!(error_meaning(ErrorCode::from(9999)).contains("not in RFC 4120"));
    }
}
