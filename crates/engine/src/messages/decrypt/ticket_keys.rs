//! Session keys learnt from the KDC's replies with a client's password, for captures taken on
//! the client where no service keytab is at hand: the AS-REP enc-part (key usage 3, the
//! client's long-term key from its password) gives the TGT session key, and each TGS-REP
//! enc-part (usage 8, with that key) gives the session key of the service ticket it carries.
//! An AP-REQ presenting that ticket is then opened without the service's key.

use std::collections::HashMap;

use super::DecryptionSecrets;
use super::krb_asn1::{enc_kdc_rep_part, key};
use super::tried::{AsRepTried, SaltSource, file_accounts};
use crate::crypto::kerberos::{self, Etype, Key, default_salt, usage};
use crate::crypto::passwords::Account;
use crate::proto::kerberos::asn1::{
    ApReq, AsRep, Authenticator, EtypeInfo2, KdcRep, KdcReq, KrbFastResponse, PaData,
    PaFxFastReply, TgsRep, TgsReq, padata_value,
};

/// APPLICATION 11 (AS-REP), 12 (TGS-REQ) and 13 (TGS-REP), constructed.
const AS_REP: u8 = 0x6b;
const TGS_REQ: u8 = 0x6c;
const TGS_REP: u8 = 0x6d;
/// PA-TGS-REQ, the AP-REQ of a TGS-REQ.
const PA_TGS_REQ: i32 = 1;
/// PA-FX-FAST, the RFC 6113 armored request or reply.
const PA_FX_FAST: i32 = 136;
/// PA-ETYPE-INFO2, whose entries carry the salt and s2kparams of the client's keys.
const PA_ETYPE_INFO2: i32 = 19;
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
        let (is_as_rep, reply) = match msg.first() {
            Some(&TGS_REQ) => {
                if let Ok(TgsReq(request)) = rasn::ber::decode(msg) {
                    self.observe_tgs_req(&request);
                }
                return;
            }
            Some(&AS_REP) => (true, rasn::ber::decode::<AsRep>(msg).map(|r| r.0)),
            Some(&TGS_REP) => (false, rasn::ber::decode::<TgsRep>(msg).map(|r| r.0)),
            _ => return,
        };
        let Ok(reply) = reply else {
            return;
        };
        let (etype, cipher) = (reply.enc_part.etype, reply.enc_part.cipher.as_ref());
        let session_key = if is_as_rep {
            let (keys, tried) = client_keys(secrets, &reply, etype, frame);
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
                .filter_map(|(subkey, armor)| fast_reply_key(&reply, subkey, armor.as_ref()?))
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
        if is_as_rep && self.tgt_session_keys.len() < MAX_TGT_KEYS {
            self.tgt_session_keys.push(session_key.clone());
        }
        if self.by_ticket.len() < MAX_TICKETS {
            let ticket_cipher = reply.ticket.enc_part.cipher.to_vec();
            self.by_ticket.insert(ticket_cipher, session_key);
        }
    }

    /// A TGS-REQ's PA-TGS-REQ AP-REQ: when its TGT is one a password opened, the
    /// authenticator (usage 7) gives the subkey the TGS-REP may be encrypted with.
    fn observe_tgs_req(&mut self, request: &KdcReq) {
        let ap_req = padata_value(request.padata.as_deref(), PA_TGS_REQ)
            .and_then(|bytes| rasn::ber::decode::<ApReq>(bytes).ok());
        let Some(ap_req) = ap_req else {
            return;
        };
        let ticket_cipher = ap_req.ticket.enc_part.cipher.as_ref();
        let Some(tgt_key) = self.by_ticket.get(ticket_cipher) else {
            return;
        };
        let cipher = ap_req.authenticator.cipher.as_ref();
        let Ok(plaintext) = kerberos::decrypt(tgt_key, usage::TGS_REQ_AUTHENTICATOR, cipher) else {
            return;
        };
        let authenticator = rasn::ber::decode::<Authenticator>(&plaintext).ok();
        let subkey = authenticator
            .as_ref()
            .and_then(|a| a.subkey.as_ref())
            .and_then(key);
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
    reply: &KdcRep,
    etype: i32,
    frame: u64,
) -> (Vec<Key>, Option<AsRepTried>) {
    let Ok(etype) = Etype::from_number(etype) else {
        return (Vec::new(), None);
    };
    let crealm = reply.crealm.text();
    let cname = reply.cname.components();
    let user = cname.join("/");
    let (info_salt, s2kparams) = etype_info2(reply.padata.as_deref(), etype);
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
fn etype_info2(padata: Option<&[PaData]>, etype: Etype) -> (Option<Vec<u8>>, Option<Vec<u8>>) {
    let entries = padata_value(padata, PA_ETYPE_INFO2)
        .and_then(|bytes| rasn::ber::decode::<EtypeInfo2>(bytes).ok())
        .unwrap_or_default();
    entries
        .into_iter()
        .find(|entry| entry.etype == etype.number())
        .map(|entry| {
            let salt = entry.salt.map(|s| s.bytes().to_vec());
            (salt, entry.s2kparams.map(|p| p.to_vec()))
        })
        .unwrap_or_default()
}

/// The FAST reply key of a TGS-REP (RFC 6113 section 5.4.3): its PA-FX-FAST
/// KrbFastArmoredRep, opened with `armor` (usage 52), gives the strengthen-key, and the reply
/// key is KRB-FX-CF2(strengthen-key, subkey, "strengthenkey", "replykey").
fn fast_reply_key(reply: &KdcRep, subkey: &Key, armor: &Key) -> Option<Key> {
    let value = padata_value(reply.padata.as_deref(), PA_FX_FAST)?;
    let PaFxFastReply::ArmoredData(armored_rep) = rasn::ber::decode(value).ok()?;
    let cipher = armored_rep.enc_fast_rep.cipher.as_ref();
    let plaintext = kerberos::decrypt(armor, usage::FAST_REP, cipher).ok()?;
    let response: KrbFastResponse = rasn::ber::decode(&plaintext).ok()?;
    let strengthen_key = key(response.strengthen_key.as_ref()?)?;
    kerberos::cf2(&strengthen_key, subkey, b"strengthenkey", b"replykey").ok()
}

/// EncKDCRepPart.key of a decrypted AS-REP or TGS-REP enc-part.
fn open_kdc_rep_part(key: &Key, key_usage: u32, cipher: &[u8]) -> Option<Key> {
    let plaintext = kerberos::decrypt(key, key_usage, cipher).ok()?;
    self::key(&enc_kdc_rep_part(&plaintext)?.key)
}
