//! What was tried when a secret opened nothing (issue 17, "with the wrong secret the report
//! says which keys were tried"): the keytab entries held against a ticket, and the password
//! file's accounts held against each KDC reply, told as principals, kvno, etypes and frames —
//! never a key or a password.

use std::fmt;

use crate::crypto::keytab::KeytabEntry;
use crate::crypto::passwords::PasswordEntry;

/// Most entries or accounts one warning names; the rest are counted.
const MAX_NAMED: usize = 8;

/// The ticket nothing opened: its service principal, key version, etype and frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TicketTried {
    /// `ldap/dc1.example.com@EXAMPLE.COM`.
    pub service: String,
    /// The ticket's encryption type.
    pub etype: i32,
    /// The ticket's key version, when it says.
    pub kvno: Option<u32>,
    /// The frame of the AP-REQ that presented it, once the bind's reader knows it.
    pub frame: Option<u64>,
}

impl fmt::Display for TicketTried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (etype {}", self.service, self.etype)?;
        if let Some(kvno) = self.kvno {
            write!(f, ", kvno {kvno}")?;
        }
        f.write_str(")")?;
        if let Some(frame) = self.frame {
            write!(f, " in the AP-REQ of frame {frame}")?;
        }
        Ok(())
    }
}

/// One keytab entry held against a ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryTried {
    /// The entry's principal, kvno and etype, as people write them.
    pub name: String,
    /// Whether the entry is the ticket's principal, kvno and etype.
    pub exact: bool,
    /// Whether its key was tried (same etype as the ticket).
    pub tried: bool,
}

/// Every keytab entry, as it stands against the ticket `ticket` of service `sname@realm`.
pub fn keytab_tried(
    keytab: &[KeytabEntry],
    sname: &[String],
    realm: &str,
    ticket: &TicketTried,
) -> Vec<EntryTried> {
    keytab
        .iter()
        .map(|entry| {
            let principal = &entry.principal;
            let names_service = principal.realm.eq_ignore_ascii_case(realm)
                && principal.components.len() == sname.len()
                && principal
                    .components
                    .iter()
                    .zip(sname)
                    .all(|(a, b)| a.eq_ignore_ascii_case(b));
            let tried = entry.etype == ticket.etype;
            let right_version = ticket.kvno.is_none_or(|kvno| entry.kvno == kvno);
            EntryTried {
                name: format!("{principal} kvno {} etype {}", entry.kvno, entry.etype),
                exact: names_service && right_version && tried,
                tried,
            }
        })
        .collect()
}

/// Where the salt of a password's key came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaltSource {
    /// The reply's PA-ETYPE-INFO2 (the reply's own frame), then the default salt.
    EtypeInfo2,
    /// No PA-ETYPE-INFO2 for the etype: the default salt (realm + name components).
    Default,
}

/// One AS-REP the password file did not open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AsRepTried {
    /// The AS-REP's frame.
    pub frame: u64,
    /// Its client, `cname@crealm`.
    pub client: String,
    /// Its enc-part's etype.
    pub etype: i32,
    /// Where the salt came from.
    pub salt: SaltSource,
    /// The password file's accounts tried (those naming the client); empty when none does.
    pub tried: Vec<String>,
    /// Every account of the password file, named when none is the client's.
    pub file_accounts: Vec<String>,
}

impl fmt::Display for AsRepTried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (frame, client) = (self.frame, &self.client);
        if self.tried.is_empty() {
            return write!(
                f,
                "the password file has no password for {client}, the client of the AS-REP in \
                 frame {frame}; it has lines for {}",
                named(&self.file_accounts)
            );
        }
        let salt = match self.salt {
            SaltSource::EtypeInfo2 => format!("salt from PA-ETYPE-INFO2 in frame {frame}"),
            SaltSource::Default => "default salt".to_string(),
        };
        write!(
            f,
            "the password file's {} (etype {}, {salt}) did not open the AS-REP enc-part in \
             frame {frame} (wrong password)",
            named(&self.tried),
            self.etype
        )
    }
}

/// The password file's accounts, as people write them.
pub fn file_accounts(passwords: &[PasswordEntry]) -> Vec<String> {
    passwords.iter().map(|e| e.account.to_string()).collect()
}

/// What the keytab and the password file did against one ticket, for
/// [`super::DecryptError::NoServiceKey`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tried {
    /// The ticket.
    pub ticket: TicketTried,
    /// Every keytab entry, against it.
    pub keytab: Vec<EntryTried>,
    /// The AS-REPs the password file did not open.
    pub as_reps: Vec<AsRepTried>,
    /// How many AS-REPs the password file did open (their TGS-REPs gave other tickets).
    pub as_reps_opened: usize,
    /// Whether a password file was given at all.
    pub passwords_given: bool,
}

impl fmt::Display for Tried {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        if let Some(text) = keytab_text(&self.keytab, &self.ticket) {
            parts.push(text);
        }
        if self.passwords_given {
            parts.extend(self.as_reps.iter().map(ToString::to_string));
            match self.as_reps_opened {
                0 if self.as_reps.is_empty() => {
                    parts.push("no AS-REP in the capture for a password to open".to_string())
                }
                0 => {}
                n => parts.push(format!(
                    "the password file opened {n} AS-REP{}, but no TGS-REP under {} gave this \
                     ticket",
                    if n == 1 { "" } else { "s" },
                    if n == 1 { "it" } else { "them" }
                )),
            }
        }
        if parts.is_empty() {
            parts.push("no keytab entry or password applies".to_string());
        }
        write!(f, "{}: {}", self.ticket, parts.join("; "))
    }
}

/// What the keytab did against the ticket, when there is a keytab.
fn keytab_text(keytab: &[EntryTried], ticket: &TicketTried) -> Option<String> {
    if keytab.is_empty() {
        return None;
    }
    let exact: Vec<String> = keytab
        .iter()
        .filter(|e| e.exact)
        .map(|e| e.name.clone())
        .collect();
    let tried = keytab.iter().filter(|e| e.tried).count();
    let others: Vec<String> = keytab
        .iter()
        .filter(|e| !e.exact)
        .map(|e| e.name.clone())
        .collect();
    let mut text = if exact.is_empty() {
        format!(
            "the keytab has no entry for {} ({tried} entr{} of etype {} tried, none decrypts it)",
            ticket_key_name(ticket),
            if tried == 1 { "y" } else { "ies" },
            ticket.etype
        )
    } else {
        format!(
            "keytab entry {} is present but does not decrypt the ticket (wrong key)",
            named(&exact)
        )
    };
    if !others.is_empty() {
        text.push_str(&format!("; the keytab's other entries: {}", named(&others)));
    }
    Some(text)
}

/// The principal, kvno and etype a keytab entry needs to open the ticket.
fn ticket_key_name(ticket: &TicketTried) -> String {
    match ticket.kvno {
        Some(kvno) => format!("{} kvno {kvno} etype {}", ticket.service, ticket.etype),
        None => format!("{} etype {}", ticket.service, ticket.etype),
    }
}

/// Up to [`MAX_NAMED`] names, comma-separated, then how many more.
pub(super) fn named(names: &[String]) -> String {
    let mut text = names
        .iter()
        .take(MAX_NAMED)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > MAX_NAMED {
        text.push_str(&format!(" and {} more", names.len() - MAX_NAMED));
    }
    if text.is_empty() {
        text.push_str("no account");
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tried(as_reps: Vec<AsRepTried>, as_reps_opened: usize) -> Tried {
        Tried {
            ticket: TicketTried {
                service: "ldap/dc1.example.com@EXAMPLE.COM".into(),
                etype: 18,
                kvno: None,
                frame: Some(9),
            },
            keytab: Vec::new(),
            as_reps,
            as_reps_opened,
            passwords_given: true,
        }
    }

    #[test]
    fn the_password_files_part_says_which_as_reps_it_opened_or_that_there_were_none() {
        assert_eq!(
            tried(Vec::new(), 0).to_string(),
            "ldap/dc1.example.com@EXAMPLE.COM (etype 18) in the AP-REQ of frame 9: no AS-REP \
             in the capture for a password to open"
        );
        assert!(tried(Vec::new(), 2).to_string().ends_with(
            "the password file opened 2 AS-REPs, but no TGS-REP under them gave this ticket"
        ),);
        let unknown = AsRepTried {
            frame: 4,
            client: "bob@EXAMPLE.COM".into(),
            etype: 23,
            salt: SaltSource::Default,
            tried: Vec::new(),
            file_accounts: (0..10).map(|i| format!("user{i}@EXAMPLE.COM")).collect(),
        };
        let wrong = AsRepTried {
            tried: vec!["bob@EXAMPLE.COM".into()],
            ..unknown.clone()
        };
        let text = tried(vec![unknown, wrong], 0).to_string();
        assert!(
            text.contains(
                "the password file has no password for bob@EXAMPLE.COM, the client of the \
                 AS-REP in frame 4; it has lines for user0@EXAMPLE.COM"
            ),
            "{text}"
        );
        assert!(text.contains("user7@EXAMPLE.COM and 2 more; "), "{text}");
        assert!(
            text.ends_with(
                "the password file's bob@EXAMPLE.COM (etype 23, default salt) did not open the \
                 AS-REP enc-part in frame 4 (wrong password)"
            ),
            "{text}"
        );
    }
}
