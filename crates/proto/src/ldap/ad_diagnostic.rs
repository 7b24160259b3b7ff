//! Parsing Active Directory's diagnosticMessage text and naming the codes in it.
//!
//! AD writes `<8-hex status>: <Facility>Err: DSID-<hex>, <details>` where details are e.g.
//! `comment: <text>, data <hex>, v<build>` (LdapErr), `data 0, 1 access points\n\tref 1:
//! '<domain>'` (RefErr) or `problem 2001 (NO_OBJECT), data 0, best match of:\n\t'<dn>'`
//! (NameErr). The DSID and the `v…` build tag vary by Windows build and are never used.

/// The fields of one AD diagnosticMessage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdDiagnostic {
    /// The leading 8-hex Win32 or SSPI status (e.g. `0x80090308`).
    pub status: u32,
    /// `LdapErr`, `RefErr`, `NameErr`, `SvcErr`, ...
    pub facility: Option<String>,
    /// The text after `comment: `.
    pub comment: Option<String>,
    /// The hex number after `data ` (for bind failures, the Win32 logon error).
    pub data: Option<u32>,
    /// The decimal number after `problem ` (directory-service problem code).
    pub problem: Option<u32>,
    /// The quoted DN after `best match of:` (NameErr).
    pub best_match: Option<String>,
    /// The first quoted access point after `ref 1:` (RefErr).
    pub referral: Option<String>,
}

/// Parses an AD diagnosticMessage; `None` when it does not start with `<8 hex digits>:`.
pub fn parse_ad_diagnostic(text: &str) -> Option<AdDiagnostic> {
    let text = text.trim_end_matches(['\0', '\n', '\r', ' ', '\t']);
    let (status_hex, rest) = text.split_once(':')?;
    if status_hex.len() != 8 || !status_hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let status = u32::from_str_radix(status_hex, 16).ok()?;
    let rest = rest.trim_start();

    let (facility, details) = match rest.split_once(':') {
        Some((name, after)) if is_facility(name) => (Some(name.to_string()), after),
        _ => (None, rest),
    };
    // Skip "DSID-xxxxxxxx," without interpreting it.
    let details = details.trim_start();
    let details = match details.strip_prefix("DSID-") {
        Some(after) => after.split_once(',').map_or("", |(_, more)| more),
        None => details,
    };

    let (comment, after_comment) = match details.find("comment: ") {
        Some(at) => {
            let body = details
                .get(at..)
                .and_then(|s| s.strip_prefix("comment: "))
                .unwrap_or_default();
            // The comment may itself hold commas; it ends at the last ", data ".
            match body.rfind(", data ") {
                Some(end) => (
                    Some(body.get(..end).unwrap_or_default().trim().to_string()),
                    body.get(end..).unwrap_or_default(),
                ),
                None => (Some(strip_build_tag(body).trim().to_string()), ""),
            }
        }
        None => (None, details),
    };

    Some(AdDiagnostic {
        status,
        facility,
        comment,
        data: number_after(after_comment, "data ", 16),
        problem: number_after(after_comment, "problem ", 10),
        best_match: quoted_after(after_comment, "best match of:"),
        referral: quoted_after(after_comment, "ref 1:"),
    })
}

fn is_facility(name: &str) -> bool {
    name.len() > 3 && name.ends_with("Err") && name.bytes().all(|b| b.is_ascii_alphabetic())
}

/// Drops a trailing `, v<hex>` build tag from a comment that has no `data` field.
fn strip_build_tag(text: &str) -> &str {
    match text.rsplit_once(", v") {
        Some((head, tag)) if !tag.is_empty() && tag.bytes().all(|b| b.is_ascii_hexdigit()) => head,
        _ => text,
    }
}

/// The number right after the first `key` that starts a field (at the start or after `, `).
fn number_after(text: &str, key: &str, radix: u32) -> Option<u32> {
    let mut search = text;
    while let Some(at) = search.find(key) {
        let before = search.get(..at).unwrap_or_default();
        let after = search
            .get(at..)
            .and_then(|s| s.strip_prefix(key))
            .unwrap_or_default();
        if before.is_empty() || before.ends_with(", ") || before.ends_with(' ') {
            let digits: String = after.chars().take_while(|c| c.is_digit(radix)).collect();
            if let Ok(n) = u32::from_str_radix(&digits, radix) {
                return Some(n);
            }
        }
        search = after;
    }
    None
}

/// The single-quoted text on the line after `key` (or on the same line), quotes removed.
/// The closing quote is the last one on that line, so a DN such as `O'Brien` survives.
fn quoted_after(text: &str, key: &str) -> Option<String> {
    let at = text.find(key)?;
    let after = text.get(at..)?.strip_prefix(key)?.trim_start();
    let inner = after.strip_prefix('\'')?;
    let line = inner.lines().next().unwrap_or_default();
    let end = line.rfind('\'')?;
    Some(line.get(..end)?.to_string())
}

/// Name and meaning of the `data` code AD puts after "AcceptSecurityContext error".
pub fn logon_data_meaning(data: u32) -> Option<(&'static str, &'static str)> {
    Some(match data {
        0x525 => ("ERROR_NO_SUCH_USER", "account does not exist"),
        0x52e => ("ERROR_LOGON_FAILURE", "unknown user name or bad password"),
        0x52f => (
            "ERROR_ACCOUNT_RESTRICTION",
            "account restriction (blank password or policy)",
        ),
        0x530 => ("ERROR_INVALID_LOGON_HOURS", "logon-hours restriction"),
        0x531 => (
            "ERROR_INVALID_WORKSTATION",
            "not allowed to log on from this computer",
        ),
        0x532 => ("ERROR_PASSWORD_EXPIRED", "password expired"),
        0x533 => ("ERROR_ACCOUNT_DISABLED", "account disabled"),
        0x568 => (
            "ERROR_TOO_MANY_CONTEXT_IDS",
            "security context has too many SIDs (token bloat)",
        ),
        0x569 => (
            "ERROR_LOGON_TYPE_NOT_GRANTED",
            "logon type not granted to this account",
        ),
        0x701 => ("ERROR_ACCOUNT_EXPIRED", "account expired"),
        0x773 => (
            "ERROR_PASSWORD_MUST_CHANGE",
            "password must be changed at next logon",
        ),
        0x775 => ("ERROR_ACCOUNT_LOCKED_OUT", "account locked out"),
        _ => return None,
    })
}

/// Name and meaning of the leading Win32 / SSPI status of an AD diagnosticMessage.
pub fn win32_status_meaning(status: u32) -> Option<(&'static str, &'static str)> {
    Some(match status {
        0x0000_0000 => ("NO_ERROR", "no error"),
        0x0000_0005 => ("ERROR_ACCESS_DENIED", "access denied"),
        0x0000_0057 => ("ERROR_INVALID_PARAMETER", "a parameter is incorrect"),
        0x0000_04DC => (
            "ERROR_NOT_AUTHENTICATED",
            "the operation needs a successful bind first (anonymous request)",
        ),
        0x0000_2024 => (
            "ERROR_DS_ADMIN_LIMIT_EXCEEDED",
            "an administrative limit was exceeded",
        ),
        0x0000_2028 => (
            "ERROR_DS_STRONG_AUTH_REQUIRED",
            "the server requires signing/sealing or TLS for this bind",
        ),
        0x0000_202B => (
            "ERROR_DS_REFERRAL",
            "a referral was returned from the server (object held elsewhere)",
        ),
        0x0000_2030 => ("ERROR_DS_NO_SUCH_OBJECT", "the object does not exist"),
        0x0000_2035 => (
            "ERROR_DS_UNWILLING_TO_PERFORM",
            "the server is unwilling to process the request",
        ),
        0x0000_208D => ("ERROR_DS_OBJ_NOT_FOUND", "directory object not found"),
        0x0000_2098 => (
            "ERROR_DS_INSUFF_ACCESS_RIGHTS",
            "insufficient access rights",
        ),
        0x8009_0302 => (
            "SEC_E_UNSUPPORTED_FUNCTION",
            "the requested security function is not supported",
        ),
        0x8009_0303 => (
            "SEC_E_TARGET_UNKNOWN",
            "the target is unknown or unreachable",
        ),
        0x8009_0308 => (
            "SEC_E_INVALID_TOKEN",
            "the security token was rejected (see the data code for why)",
        ),
        0x8009_030C => ("SEC_E_LOGON_DENIED", "the logon attempt failed"),
        0x8009_030E => ("SEC_E_NO_CREDENTIALS", "no credentials are available"),
        0x8009_0311 => (
            "SEC_E_NO_AUTHENTICATING_AUTHORITY",
            "no authority could be contacted for authentication",
        ),
        0x8009_0322 => (
            "SEC_E_WRONG_PRINCIPAL",
            "the target principal name is incorrect (SPN problem)",
        ),
        0x8009_0324 => (
            "SEC_E_TIME_SKEW",
            "clock skew between client and server is too great",
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_credentials_52e() {
        let d = parse_ad_diagnostic(
            "80090308: LdapErr: DSID-0C09042F, comment: AcceptSecurityContext error, data 52e, v4563\0",
        )
        .unwrap();
        assert_eq!(d.status, 0x8009_0308);
        assert_eq!(d.facility.as_deref(), Some("LdapErr"));
        assert_eq!(d.comment.as_deref(), Some("AcceptSecurityContext error"));
        assert_eq!(d.data, Some(0x52e));
        assert_eq!((d.problem, d.best_match, d.referral), (None, None, None));
        assert_eq!(
            logon_data_meaning(d.data.unwrap()),
            Some(("ERROR_LOGON_FAILURE", "unknown user name or bad password"))
        );
        assert_eq!(
            win32_status_meaning(d.status).unwrap().0,
            "SEC_E_INVALID_TOKEN"
        );
    }

    #[test]
    fn samba_form_of_52e() {
        let d = parse_ad_diagnostic(
            "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1",
        )
        .unwrap();
        assert_eq!(
            (d.status, d.data, d.comment.as_deref()),
            (
                0x8009_0308,
                Some(0x52e),
                Some("AcceptSecurityContext error")
            )
        );
    }

    #[test]
    fn bind_required_4dc() {
        let d = parse_ad_diagnostic(
            "000004DC: LdapErr: DSID-0C090A5C, comment: In order to perform this operation a successful bind must be completed on the connection., data 0, v4563",
        )
        .unwrap();
        assert_eq!(d.status, 0x4dc);
        assert_eq!(
            d.comment.as_deref(),
            Some(
                "In order to perform this operation a successful bind must be completed on the connection."
            )
        );
        assert_eq!(d.data, Some(0));
        assert_eq!(
            win32_status_meaning(d.status).unwrap().0,
            "ERROR_NOT_AUTHENTICATED"
        );
    }

    #[test]
    fn strong_auth_required_2028_with_backslash_and_comma_free_comment() {
        let d = parse_ad_diagnostic(
            "00002028: LdapErr: DSID-0C090256, comment: The server requires binds to turn on integrity checking if SSL\\TLS are not already active on the connection, data 0, v3839",
        )
        .unwrap();
        assert_eq!(d.status, 0x2028);
        assert!(
            d.comment
                .as_deref()
                .unwrap()
                .ends_with("SSL\\TLS are not already active on the connection")
        );
        assert_eq!(d.data, Some(0));
    }

    #[test]
    fn truncated_2028_without_data() {
        let d = parse_ad_diagnostic(
            "00002028: LdapErr: DSID-0C090256, comment: The server requires binds to turn on integrity checking",
        )
        .unwrap();
        assert_eq!(d.data, None);
        assert_eq!(
            d.comment.as_deref(),
            Some("The server requires binds to turn on integrity checking")
        );
    }

    #[test]
    fn referral_202b() {
        let d = parse_ad_diagnostic(
            "0000202B: RefErr: DSID-0310082F, data 0, 1 access points\n\tref 1: 'contoso.com'\n\0",
        )
        .unwrap();
        assert_eq!(d.status, 0x202b);
        assert_eq!(d.facility.as_deref(), Some("RefErr"));
        assert_eq!(d.comment, None);
        assert_eq!(d.data, Some(0));
        assert_eq!(d.referral.as_deref(), Some("contoso.com"));
    }

    #[test]
    fn no_object_208d() {
        let d = parse_ad_diagnostic(
            "0000208D: NameErr: DSID-031001CD, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'CN=Configuration,DC=contoso,DC=com'\n\0",
        )
        .unwrap();
        assert_eq!(d.status, 0x208d);
        assert_eq!(d.facility.as_deref(), Some("NameErr"));
        assert_eq!(d.problem, Some(2001));
        assert_eq!(d.data, Some(0));
        assert_eq!(
            d.best_match.as_deref(),
            Some("CN=Configuration,DC=contoso,DC=com")
        );
    }

    #[test]
    fn best_match_with_an_apostrophe() {
        let d = parse_ad_diagnostic(
            "0000208D: NameErr: DSID-031001CD, problem 2001 (NO_OBJECT), data 0, best match of:\n\t'OU=O'Brien,DC=x'\n",
        )
        .unwrap();
        assert_eq!(d.best_match.as_deref(), Some("OU=O'Brien,DC=x"));
    }

    #[test]
    fn comment_containing_commas_and_the_word_data() {
        let d = parse_ad_diagnostic(
            "00000057: LdapErr: DSID-0C090D8A, comment: Error in attribute conversion operation, data 0, v4563",
        )
        .unwrap();
        assert_eq!(
            d.comment.as_deref(),
            Some("Error in attribute conversion operation")
        );
        let d = parse_ad_diagnostic(
            "00000057: LdapErr: DSID-0C090D8A, comment: bad data, truly, data 1f, v4563",
        )
        .unwrap();
        assert_eq!(d.comment.as_deref(), Some("bad data, truly"));
        assert_eq!(d.data, Some(0x1f));
    }

    #[test]
    fn not_an_ad_diagnostic() {
        assert_eq!(parse_ad_diagnostic(""), None);
        assert_eq!(parse_ad_diagnostic("Invalid credentials"), None);
        assert_eq!(parse_ad_diagnostic("8009030: LdapErr: x"), None);
        assert_eq!(parse_ad_diagnostic("8009030G: LdapErr: x"), None);
    }

    #[test]
    fn logon_table() {
        for (code, name) in [
            (0x525, "ERROR_NO_SUCH_USER"),
            (0x52f, "ERROR_ACCOUNT_RESTRICTION"),
            (0x530, "ERROR_INVALID_LOGON_HOURS"),
            (0x531, "ERROR_INVALID_WORKSTATION"),
            (0x532, "ERROR_PASSWORD_EXPIRED"),
            (0x533, "ERROR_ACCOUNT_DISABLED"),
            (0x568, "ERROR_TOO_MANY_CONTEXT_IDS"),
            (0x569, "ERROR_LOGON_TYPE_NOT_GRANTED"),
            (0x701, "ERROR_ACCOUNT_EXPIRED"),
            (0x773, "ERROR_PASSWORD_MUST_CHANGE"),
            (0x775, "ERROR_ACCOUNT_LOCKED_OUT"),
        ] {
            assert_eq!(logon_data_meaning(code).map(|m| m.0), Some(name));
        }
        // 0x534 is ERROR_NONE_MAPPED, not a logon code.
        assert_eq!(logon_data_meaning(0x534), None);
        assert_eq!(logon_data_meaning(0), None);
    }

    #[test]
    fn sspi_table() {
        assert_eq!(
            win32_status_meaning(0x8009_030C).unwrap().0,
            "SEC_E_LOGON_DENIED"
        );
        assert_eq!(
            win32_status_meaning(0x8009_0322).unwrap().0,
            "SEC_E_WRONG_PRINCIPAL"
        );
        assert_eq!(
            win32_status_meaning(0x8009_0324).unwrap().0,
            "SEC_E_TIME_SKEW"
        );
        assert_eq!(
            win32_status_meaning(0x0000_202B).unwrap().0,
            "ERROR_DS_REFERRAL"
        );
        assert_eq!(
            win32_status_meaning(0x0000_208D).unwrap().0,
            "ERROR_DS_OBJ_NOT_FOUND"
        );
        assert_eq!(win32_status_meaning(0x1234_5678), None);
    }
}
