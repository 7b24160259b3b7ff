//! The `--password-file` format: one account a line, `user@REALM:password` (a Kerberos
//! principal) or `DOMAIN\user:password` (a Windows logon name, for NTLM), `#` comment lines
//! and blank lines. The password is everything after the first colon, spaces included.
//! Errors name the line and the problem, never the password.

use std::fmt;

use thiserror::Error;
use zeroize::Zeroizing;

/// Whose password a line gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// `user@REALM`: a Kerberos principal (the realm as written; Kerberos realms are
    /// conventionally upper case).
    Kerberos {
        /// The principal name before the last `@` (`alice`, `HTTP/web.example.com`).
        user: String,
        /// The realm after the last `@`.
        realm: String,
    },
    /// `DOMAIN\user`: an NTLM logon name.
    Windows {
        /// The NetBIOS (or DNS) domain before the backslash.
        domain: String,
        /// The user name after it.
        user: String,
    },
}

impl fmt::Display for Account {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Kerberos { user, realm } => write!(f, "{user}@{realm}"),
            Self::Windows { domain, user } => write!(f, "{domain}\\{user}"),
        }
    }
}

/// A password, wiped when dropped and never printed.
#[derive(Clone, PartialEq, Eq)]
pub struct Password(Zeroizing<String>);

impl Password {
    /// The password text, to hand to string-to-key or NTOWFv2.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

/// One account line of the file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PasswordEntry {
    /// Whose password.
    pub account: Account,
    /// The password.
    pub password: Password,
    /// The 1-based line it came from.
    pub line: usize,
}

/// What is wrong with a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineProblem {
    /// No `:` between account and password.
    NoColon,
    /// The account is neither `user@REALM` nor `DOMAIN\user`.
    NotAnAccount,
    /// The user, realm or domain is empty.
    EmptyName,
    /// Nothing after the colon.
    EmptyPassword,
}

impl fmt::Display for LineProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::NoColon => "no ':' between the account and the password",
            Self::NotAnAccount => "the account is neither user@REALM nor DOMAIN\\user",
            Self::EmptyName => "the user, realm or domain is empty",
            Self::EmptyPassword => "the password after ':' is empty",
        })
    }
}

/// A line of the password file that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("password file line {line}: {problem}")]
pub struct PasswordFileError {
    /// The 1-based line number.
    pub line: usize,
    /// What is wrong with it.
    pub problem: LineProblem,
}

/// Every account of a password file's `text`; the first bad line is an error.
pub fn parse_password_file(text: &str) -> Result<Vec<PasswordEntry>, PasswordFileError> {
    text.lines()
        .enumerate()
        .filter_map(|(index, raw)| {
            let line = index.saturating_add(1);
            let content = raw.strip_suffix('\r').unwrap_or(raw);
            let trimmed = content.trim_start();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                return None;
            }
            Some(
                parse_line(trimmed)
                    .map_err(|problem| PasswordFileError { line, problem })
                    .map(|(account, password)| PasswordEntry {
                        account,
                        password,
                        line,
                    }),
            )
        })
        .collect()
}

fn parse_line(line: &str) -> Result<(Account, Password), LineProblem> {
    let (account, password) = line.split_once(':').ok_or(LineProblem::NoColon)?;
    let account = account.trim();
    if password.is_empty() {
        return Err(LineProblem::EmptyPassword);
    }
    let account = if let Some((domain, user)) = account.split_once('\\') {
        Account::Windows {
            domain: domain.to_string(),
            user: user.to_string(),
        }
    } else if let Some((user, realm)) = account.rsplit_once('@') {
        Account::Kerberos {
            user: user.to_string(),
            realm: realm.to_string(),
        }
    } else {
        return Err(LineProblem::NotAnAccount);
    };
    let names_present = match &account {
        Account::Kerberos { user, realm } => !user.is_empty() && !realm.is_empty(),
        Account::Windows { domain, user } => !domain.is_empty() && !user.is_empty(),
    };
    if !names_present {
        return Err(LineProblem::EmptyName);
    }
    Ok((account, Password(Zeroizing::new(password.to_string()))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_account_forms_comments_blank_lines_and_crlf() {
        let text = "# lab accounts\r\n\
                    \r\n\
                    alice@LAB.TEST:Wonder:land 9 \r\n\
                    \x20  LAB\\bob:p#ss\n\
                    HTTP/web.lab.test@LAB.TEST:svc\n";
        let entries = parse_password_file(text).unwrap();
        assert_eq!(entries.len(), 3);
        assert_eq!(
            entries[0].account,
            Account::Kerberos {
                user: "alice".into(),
                realm: "LAB.TEST".into()
            }
        );
        assert_eq!(
            entries[0].password.expose(),
            "Wonder:land 9 ",
            "after the first colon, as is"
        );
        assert_eq!(entries[0].line, 3);
        assert_eq!(
            entries[1].account,
            Account::Windows {
                domain: "LAB".into(),
                user: "bob".into()
            }
        );
        assert_eq!(entries[1].password.expose(), "p#ss");
        assert_eq!(entries[2].account.to_string(), "HTTP/web.lab.test@LAB.TEST");
        assert_eq!(entries[1].account.to_string(), "LAB\\bob");
    }

    #[test]
    fn errors_name_the_line_and_never_the_password() {
        let cases = [
            ("ok@R:x\nno-colon-TopSecret\n", 2, LineProblem::NoColon),
            ("justauser:TopSecret", 1, LineProblem::NotAnAccount),
            ("@REALM:TopSecret", 1, LineProblem::EmptyName),
            ("DOMAIN\\:TopSecret", 1, LineProblem::EmptyName),
            ("\n\nuser@REALM:", 3, LineProblem::EmptyPassword),
        ];
        for (text, line, problem) in cases {
            let error = parse_password_file(text).unwrap_err();
            assert_eq!(error, PasswordFileError { line, problem }, "{text:?}");
            let shown = format!("{error} {error:?}");
            assert!(!shown.contains("TopSecret"), "{shown}");
            assert!(shown.contains(&format!("line {line}")), "{shown}");
        }
    }

    #[test]
    fn debug_of_an_entry_hides_the_password() {
        let entries = parse_password_file("alice@LAB.TEST:Wonderland9").unwrap();
        let shown = format!("{entries:?}");
        assert!(
            shown.contains("alice") && !shown.contains("Wonderland9"),
            "{shown}"
        );
    }
}
