//! The keys of a Kerberos GSS context, from the bind's AP-REQ (and AP-REP) and the service's
//! keytab: ticket enc-part → EncTicketPart.key (the session key), authenticator → its subkey,
//! AP-REP enc-part → EncAPRepPart.subkey (RFC 4120 sections 5.3, 5.5.1, 5.5.2).

use super::gss_tokens::{AP_REP_TAG, AP_REQ_TAG, find_kerberos_message};
use super::krb_asn1::{decode, key, optional_key};
use super::tried::{TicketTried, Tried, keytab_tried};
use super::{DecryptError, TicketKeys};
use crate::crypto::kerberos::{self, Key, usage};
use crate::crypto::keytab::KeytabEntry;
use crate::proto::kerberos::asn1::{
    ApRep, ApReq, Authenticator, EncApRepPart, EncTicketPart, EncryptedData,
};

/// The keys RFC 4121 section 2 chooses among for a context's wrap tokens.
#[derive(Debug, Clone)]
pub struct KerberosContext {
    /// The ticket's service, `ldap/dc1.example.com@EXAMPLE.COM`.
    pub service: String,
    /// The ticket session key.
    pub session_key: Key,
    /// The authenticator's subkey, when the client sent one.
    pub initiator_subkey: Option<Key>,
    /// The AP-REP's subkey, once [`KerberosContext::learn_ap_rep`] saw one.
    pub acceptor_subkey: Option<Key>,
    /// Which secret opened the ticket, for people: "keytab entry ldap/dc1…@REALM kvno 2", or
    /// the KDC exchange a password opened. Names only, never key bytes.
    pub opened_with: String,
}

impl KerberosContext {
    /// The key of a wrap token: the acceptor subkey when the token's AcceptorSubkey flag is
    /// set (or, for RC4 tokens, which have no flag, whenever the AP-REP gave one), else the
    /// initiator subkey, else the session key.
    pub fn wrap_key(&self, acceptor_subkey_flag: bool) -> &Key {
        let acceptor = self
            .acceptor_subkey
            .as_ref()
            .filter(|_| acceptor_subkey_flag);
        acceptor
            .or(self.initiator_subkey.as_ref())
            .unwrap_or(&self.session_key)
    }

    /// Reads the AP-REP in the server's bind response `token` (GSS or SPNEGO) and keeps its
    /// subkey: decrypted with the session key, key usage 12.
    pub fn learn_ap_rep(&mut self, token: &[u8]) -> Result<(), DecryptError> {
        let ap_rep = find_kerberos_message(token, AP_REP_TAG)
            .ok_or(DecryptError::NoKerberosMessage("AP-REP"))?;
        let ap_rep: ApRep = decode(ap_rep.raw, "AP-REP")?;
        let cipher = ap_rep.enc_part.cipher.as_ref();
        let plaintext = kerberos::decrypt(&self.session_key, usage::AP_REP_ENC_PART, cipher)
            .map_err(|source| DecryptError::Kerberos {
                what: "AP-REP enc-part",
                source,
            })?;
        let part: EncApRepPart = decode(&plaintext, "EncAPRepPart")?;
        self.acceptor_subkey = optional_key(part.subkey.as_ref(), "EncAPRepPart subkey")?;
        Ok(())
    }
}

/// The context of the AP-REQ in the client's bind `token` (GSS or SPNEGO). The ticket's
/// session key comes from `ticket_keys` when a KDC reply opened with a password showed it,
/// else from the first `keytab` entry of the ticket's service, etype and kvno that decrypts
/// the ticket (usage 2); when no entry names the service, every entry of the etype is tried
/// (an account's keys serve all its SPNs).
pub fn kerberos_context(
    token: &[u8],
    keytab: &[KeytabEntry],
    ticket_keys: &TicketKeys,
) -> Result<KerberosContext, DecryptError> {
    let ap_req = find_kerberos_message(token, AP_REQ_TAG)
        .ok_or(DecryptError::NoKerberosMessage("AP-REQ"))?;
    let ap_req: ApReq = decode(ap_req.raw, "AP-REQ")?;
    let realm = ap_req.ticket.realm.text();
    let sname = ap_req.ticket.sname.components();
    let enc_part = &ap_req.ticket.enc_part;
    let service = format!("{}@{realm}", sname.join("/"));

    let known = ticket_keys
        .session_key(&enc_part.cipher)
        .cloned()
        .map(|key| {
            (
                key,
                format!("the password file (the KDC's reply for {service})"),
            )
        });
    let (session_key, opened_with) = known
        .or_else(|| {
            open_ticket(enc_part, &sname, &realm, keytab).map(|(key, entry)| {
                (
                    key,
                    format!("keytab entry {} kvno {}", entry.principal, entry.kvno),
                )
            })
        })
        .ok_or_else(|| {
            let ticket = TicketTried {
                service: service.clone(),
                etype: enc_part.etype,
                kvno: enc_part.kvno,
                frame: None,
            };
            DecryptError::NoServiceKey(Box::new(Tried {
                keytab: keytab_tried(keytab, &sname, &realm, &ticket),
                as_reps: ticket_keys.unopened_as_reps().to_vec(),
                as_reps_opened: ticket_keys.opened_as_reps(),
                passwords_given: false,
                ticket,
            }))
        })?;
    let plaintext = kerberos::decrypt(
        &session_key,
        usage::AP_REQ_AUTHENTICATOR,
        &ap_req.authenticator.cipher,
    )
    .map_err(|source| DecryptError::Kerberos {
        what: "AP-REQ authenticator",
        source,
    })?;
    let authenticator: Authenticator = decode(&plaintext, "Authenticator")?;
    let initiator_subkey = optional_key(authenticator.subkey.as_ref(), "Authenticator subkey")?;
    Ok(KerberosContext {
        service,
        session_key,
        initiator_subkey,
        acceptor_subkey: None,
        opened_with,
    })
}

/// The session key of the ticket, from the first keytab key that decrypts its enc-part, with
/// that entry.
fn open_ticket<'k>(
    enc_part: &EncryptedData,
    sname: &[String],
    realm: &str,
    keytab: &'k [KeytabEntry],
) -> Option<(Key, &'k KeytabEntry)> {
    let of_type = || keytab.iter().filter(|e| e.etype == enc_part.etype);
    let names_service = |entry: &&KeytabEntry| {
        entry.principal.realm.eq_ignore_ascii_case(realm)
            && entry.principal.components.len() == sname.len()
            && entry
                .principal
                .components
                .iter()
                .zip(sname)
                .all(|(a, b)| a.eq_ignore_ascii_case(b))
    };
    let right_version = |entry: &&KeytabEntry| enc_part.kvno.is_none_or(|kvno| entry.kvno == kvno);
    let preferred = of_type().filter(names_service).filter(right_version);
    let fallback = of_type().filter(|e| !names_service(e) || !right_version(e));
    preferred.chain(fallback).find_map(|entry| {
        let key = entry.key().ok()?;
        let plaintext = kerberos::decrypt(&key, usage::TICKET, &enc_part.cipher).ok()?;
        let part = rasn::ber::decode::<EncTicketPart>(&plaintext).ok()?;
        self::key(&part.key).map(|key| (key, entry))
    })
}
