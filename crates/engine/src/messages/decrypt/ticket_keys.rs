//! Session keys learnt from the KDC's replies with a client's password, for captures taken on
//! the client where no service keytab is at hand: the AS-REP enc-part (key usage 3, the
//! client's long-term key from its password) gives the TGT session key, and each TGS-REP
//! enc-part (usage 8, with that key) gives the session key of the service ticket it carries.
//! An AP-REQ presenting that ticket is then opened without the service's key.

use std::collections::HashMap;

use super::DecryptionSecrets;
use super::krb_asn1::{
    EncryptedData, encrypted_data, encryption_key, field, padata_value, principal_name,
    sequence_in, text, ticket_cipher,
};
use super::tried::{AsRepTried, SaltSource, file_accounts};
use crate::crypto::kerberos::{self, Etype, Key, default_salt, usage};
use crate::crypto::passwords::Account;
use crate::proto::ber::{self, Tlv};

/// APPLICATION 11 (AS-REP), 12 (TGS-REQ) and 13 (TGS-REP), constructed.
const AS_REP: u8 = 0x6b;
const TGS_REQ: u8 = 0x6c;
const TGS_REP: u8 = 0x6d;
/// PA-TGS-REQ, the AP-REQ of a TGS-REQ.
const PA_TGS_REQ: u32 = 1;
/// PA-FX-FAST, the RFC 6113 armored request or reply.
const PA_FX_FAST: u32 = 136;
/// PA-ETYPE-INFO2, whose entries carry the salt and s2kparams of the client's keys.
const PA_ETYPE_INFO2: u32 = 19;
/// Most TGT session keys and TGS-REQ subkeys kept (one per exchange a password opened).
const MAX_TGT_KEYS: usize = 64;
/// Most ticket session keys kept: a capture with more tickets than this under the given
/// passwords keeps the first ones.
const MAX_TICKETS: usize = 4096;

/// Session keys of tickets seen in KDC replies, by the ticket's ciphertext.
#[derive(Debug, Default)]
pub struct TicketKeys {
    tgt_session_keys: Vec<Key>,
    /// Subkeys of TGS-REQ authenticators, which key the TGS-REP instead (usage 9), each with
    /// its FAST armor key KRB-FX-CF2(subkey, TGT session key, "subkeyarmor", "ticketarmor").
    tgs_subkeys: Vec<(Key, Option<Key>)>,
    by_ticket: HashMap<Vec<u8>, Key>,
    /// The AS-REPs no password of the file opened, for the warning of a ticket left shut.
    unopened_as_reps: Vec<AsRepTried>,
}

impl TicketKeys {
    /// Reads one Kerberos message (a UDP payload, or a TCP record without its length); an
    /// AS-REP for an account of the password file, or a TGS-REP under a TGT it opened, adds
    /// its ticket's session key; a TGS-REQ under such a TGT adds its authenticator's subkey.
    /// An AS-REP no password opens is remembered with its `frame` and the accounts tried.
    pub fn observe_kdc_message(&mut self, secrets: &DecryptionSecrets, msg: &[u8], frame: u64) {
        let Ok((reply, _)) = ber::read(msg) else {
            return;
        };
        if reply.tag == TGS_REQ {
            return self.observe_tgs_req(reply);
        }
        if !matches!(reply.tag, AS_REP | TGS_REP) {
            return;
        }
        let Some(fields) = sequence_in(reply) else {
            return;
        };
        let (Some(ticket_cipher), Some(enc_part)) = (ticket_cipher(fields, 5), field(fields, 6))
        else {
            return;
        };
        let Some(EncryptedData { etype, cipher, .. }) = encrypted_data(enc_part) else {
            return;
        };
        let session_key = if reply.tag == AS_REP {
            let (keys, tried) = client_keys(secrets, fields, etype, frame);
            let opened = keys
                .iter()
                .find_map(|key| open_kdc_rep_part(key, usage::AS_REP_ENC_PART, cipher));
            if let Some(tried) = tried.filter(|_| opened.is_none())
                && self.unopened_as_reps.len() < MAX_TGT_KEYS
            {
                self.unopened_as_reps.push(tried);
            }
            opened
        } else {
            let under_session = self
                .tgt_session_keys
                .iter()
                .map(|k| (k, usage::TGS_REP_ENC_PART_SESSION_KEY));
            let strengthened: Vec<Key> = self
                .tgs_subkeys
                .iter()
                .filter_map(|(subkey, armor)| fast_reply_key(fields, subkey, armor.as_ref()?))
                .collect();
            let under_subkey = self
                .tgs_subkeys
                .iter()
                .map(|(k, _)| k)
                .chain(&strengthened)
                .map(|k| (k, usage::TGS_REP_ENC_PART_SUBKEY));
            under_session
                .chain(under_subkey)
                .find_map(|(key, key_usage)| open_kdc_rep_part(key, key_usage, cipher))
        };
        let Some(session_key) = session_key else {
            return;
        };
        if reply.tag == AS_REP && self.tgt_session_keys.len() < MAX_TGT_KEYS {
            self.tgt_session_keys.push(session_key.clone());
        }
        if self.by_ticket.len() < MAX_TICKETS {
            self.by_ticket.insert(ticket_cipher.to_vec(), session_key);
        }
    }

    /// A TGS-REQ's PA-TGS-REQ AP-REQ: when its TGT is one a password opened, the
    /// authenticator (usage 7) gives the subkey the TGS-REP may be encrypted with.
    fn observe_tgs_req(&mut self, request: Tlv<'_>) {
        let Some(fields) = sequence_in(request) else {
            return;
        };
        let ap_req = padata_value(fields, 3, PA_TGS_REQ);
        let Some((ap_req, _)) = ap_req.and_then(|bytes| ber::read(bytes).ok()) else {
            return;
        };
        let Some(ap_fields) = sequence_in(ap_req) else {
            return;
        };
        let Some(tgt_key) = ticket_cipher(ap_fields, 3).and_then(|c| self.by_ticket.get(c)) else {
            return;
        };
        let Some(authenticator) = field(ap_fields, 4).and_then(encrypted_data) else {
            return;
        };
        let cipher = authenticator.cipher;
        let Ok(plaintext) = kerberos::decrypt(tgt_key, usage::TGS_REQ_AUTHENTICATOR, cipher) else {
            return;
        };
        let subkey = ber::read(&plaintext)
            .ok()
            .and_then(|(authenticator, _)| sequence_in(authenticator))
            .and_then(|fields| field(fields, 6))
            .and_then(encryption_key);
        if let Some(subkey) = subkey
            && self.tgs_subkeys.len() < MAX_TGT_KEYS
        {
            let armor = kerberos::cf2(&subkey, tgt_key, b"subkeyarmor", b"ticketarmor").ok();
            self.tgs_subkeys.push((subkey, armor));
        }
    }

    /// The session key of the ticket whose enc-part ciphertext is `ticket_cipher`.
    pub fn session_key(&self, ticket_cipher: &[u8]) -> Option<&Key> {
        self.by_ticket.get(ticket_cipher)
    }

    /// The AS-REPs seen that no password of the file opened.
    pub fn unopened_as_reps(&self) -> &[AsRepTried] {
        &self.unopened_as_reps
    }

    /// How many AS-REPs a password of the file opened.
    pub fn opened_as_reps(&self) -> usize {
        self.tgt_session_keys.len()
    }
}

/// The keys the password file gives the reply's client (cname@crealm) for `etype`: with the
/// reply's PA-ETYPE-INFO2 salt when it has one, and the default salt; with what was tried,
/// names only (`None` for an etype no password gives a key of).
fn client_keys(
    secrets: &DecryptionSecrets,
    fields: &[u8],
    etype: i32,
    frame: u64,
) -> (Vec<Key>, Option<AsRepTried>) {
    let Ok(etype) = Etype::from_number(etype) else {
        return (Vec::new(), None);
    };
    let crealm = field(fields, 3).map(text).unwrap_or_default();
    let cname = field(fields, 4).map(principal_name).unwrap_or_default();
    let user = cname.join("/");
    let (info_salt, s2kparams) = etype_info2(fields, etype);
    let mut tried = AsRepTried {
        frame,
        client: format!("{user}@{crealm}"),
        etype: etype.number(),
        salt: if info_salt.is_some() {
            SaltSource::EtypeInfo2
        } else {
            SaltSource::Default
        },
        tried: Vec::new(),
        file_accounts: file_accounts(&secrets.passwords),
    };
    let mut keys = Vec::new();
    for entry in &secrets.passwords {
        let Account::Kerberos {
            user: file_user,
            realm,
        } = &entry.account
        else {
            continue;
        };
        if !file_user.eq_ignore_ascii_case(&user) || !realm.eq_ignore_ascii_case(&crealm) {
            continue;
        }
        tried.tried.push(entry.account.to_string());
        let components: Vec<&str> = cname.iter().map(String::as_str).collect();
        let salts = [info_salt.clone(), Some(default_salt(&crealm, &components))];
        for salt in salts.into_iter().flatten() {
            if let Ok(key) =
                kerberos::string_to_key(etype, entry.password.expose(), &salt, s2kparams.as_deref())
            {
                keys.push(key);
            }
        }
    }
    (keys, Some(tried))
}

/// The salt and s2kparams of `etype` in the reply's PA-ETYPE-INFO2, when present.
fn etype_info2(fields: &[u8], etype: Etype) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    let Some(entries) = padata_value(fields, 2, PA_ETYPE_INFO2)
        .and_then(|body| ber::read(body).ok())
        .map(|(list, _)| list)
    else {
        return (None, None);
    };
    for entry in ber::children(entries.body).flatten() {
        let number = field(entry.body, 0).and_then(|e| ber::int32(e.body));
        if number == Some(etype.number()) {
            let salt = field(entry.body, 1).map(|s| s.body.to_vec());
            let params = field(entry.body, 2).map(|p| p.body.to_vec());
            return (salt, params);
        }
    }
    (None, None)
}

/// The FAST reply key of a TGS-REP (RFC 6113 section 5.4.3): its PA-FX-FAST
/// KrbFastArmoredRep, opened with `armor` (usage 52), gives the strengthen-key, and the reply
/// key is KRB-FX-CF2(strengthen-key, subkey, "strengthenkey", "replykey").
fn fast_reply_key(fields: &[u8], subkey: &Key, armor: &Key) -> Option<Key> {
    let value = padata_value(fields, 2, PA_FX_FAST)?;
    // PA-FX-FAST-REPLY ::= CHOICE { armored-data [0] KrbFastArmoredRep }.
    let (choice, _) = ber::read(value).ok()?;
    let (armored_rep, _) = ber::read(choice.body).ok()?;
    let cipher = field(armored_rep.body, 0).and_then(encrypted_data)?.cipher;
    let plaintext = kerberos::decrypt(armor, usage::FAST_REP, cipher).ok()?;
    let (response, _) = ber::read(&plaintext).ok()?;
    let strengthen_key = field(response.body, 1).and_then(encryption_key)?;
    kerberos::cf2(&strengthen_key, subkey, b"strengthenkey", b"replykey").ok()
}

/// EncKDCRepPart.key of a decrypted AS-REP or TGS-REP enc-part.
fn open_kdc_rep_part(key: &Key, key_usage: u32, cipher: &[u8]) -> Option<Key> {
    let plaintext = kerberos::decrypt(key, key_usage, cipher).ok()?;
    let (part, _) = ber::read(&plaintext).ok()?;
    encryption_key(field(sequence_in(part)?, 0)?)
}
