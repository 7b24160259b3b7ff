//! HTTP authentication as the headers show it: the schemes a 401 offers (WWW-Authenticate, RFC
//! 9110 §11.6.1) and the scheme a request used (Authorization). Only scheme names are kept:
//! tokens and Basic credentials are never read out of the header.

/// The scheme names in one WWW-Authenticate value (`Negotiate, NTLM`, `Basic realm="a, b"`):
/// each comma-separated challenge starts with a scheme token; auth-params (`x=y`) are skipped.
pub fn challenge_schemes(value: &str) -> Vec<String> {
    split_outside_quotes(value)
        .into_iter()
        .filter_map(|part| {
            let word = part.split_whitespace().next()?;
            (!word.contains('=') && !word.contains('"')).then(|| canonical(word))
        })
        .collect()
}

/// The scheme of an Authorization value (its first word), never the credentials after it.
pub fn authorization_scheme(value: &str) -> Option<String> {
    value.split_whitespace().next().map(canonical)
}

/// Scheme names as registered (`negotiate` → `Negotiate`), others as sent.
fn canonical(word: &str) -> String {
    const KNOWN: [&str; 5] = ["Negotiate", "NTLM", "Basic", "Bearer", "Kerberos"];
    KNOWN
        .iter()
        .find(|k| k.eq_ignore_ascii_case(word))
        .map_or_else(|| word.to_string(), |k| (*k).to_string())
}

fn split_outside_quotes(value: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let mut quoted = false;
    let mut start = 0usize;
    for (i, c) in value.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => {
                parts.push(value.get(start..i).unwrap_or_default().trim());
                start = i.saturating_add(1);
            }
            _ => {}
        }
    }
    parts.push(value.get(start..).unwrap_or_default().trim());
    parts.into_iter().filter(|p| !p.is_empty()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_are_read_from_challenges_not_their_params() {
        assert_eq!(challenge_schemes("Negotiate, NTLM"), ["Negotiate", "NTLM"]);
        assert_eq!(
            challenge_schemes(r#"Basic realm="autodiscover, contoso", charset="UTF-8""#),
            ["Basic"]
        );
        assert_eq!(
            challenge_schemes(r#"Bearer authorization_uri="https://login.test/x", negotiate"#),
            ["Bearer", "Negotiate"]
        );
        assert!(challenge_schemes("").is_empty());
    }

    #[test]
    fn authorization_gives_only_the_scheme() {
        assert_eq!(
            authorization_scheme("Basic dXNlcjpzZWNyZXQ=").as_deref(),
            Some("Basic")
        );
        assert_eq!(
            authorization_scheme("negotiate YIIGhgYGKwYBBQUCoIIGejCCBnagMDAu").as_deref(),
            Some("Negotiate")
        );
        assert_eq!(authorization_scheme("  "), None);
    }
}
