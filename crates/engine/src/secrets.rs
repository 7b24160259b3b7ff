//! Secrets in captures and the one way out for them. Simple-bind passwords, NTLM responses and
//! Kerberos tickets are never kept in the model: the decoders keep only lengths and mechanism
//! names. The exception is `capdiag analyze --show-secrets` (lab use): the LDAP decoder is then
//! asked ([`crate::proto::ldap::DecodeOptions`]) to hand back simple-bind passwords, which are
//! collected here, beside the model, and printed by [`text_section`] or [`json_value`].
//! See docs/security.md.

use serde_json::{Value, json};

use crate::proto::ldap::{BindRequest, LdapMessage, LdapOp, SimplePassword};

/// One simple-bind password seen in the capture, kept only on request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BindSecret {
    /// The frame that completed the bind request.
    pub frame: u64,
    pub message_id: u32,
    /// The bind name (DN or UPN).
    pub name: String,
    pub password: SimplePassword,
}

impl BindSecret {
    /// The password as text (invalid UTF-8 replaced).
    pub fn password_text(&self) -> String {
        String::from_utf8_lossy(self.password.reveal()).into_owned()
    }
}

/// Records `password` (present only when the decoder was asked to keep it) for the bind request
/// `msg` carried by `frame`.
pub fn keep(
    secrets: &mut Vec<BindSecret>,
    msg: &LdapMessage,
    password: Option<SimplePassword>,
    frame: u64,
) {
    if let (Some(password), LdapOp::BindRequest(BindRequest { name, .. })) = (password, &msg.op) {
        secrets.push(BindSecret {
            frame,
            message_id: msg.message_id,
            name: name.clone(),
            password,
        });
    }
}

/// The text report's section for `--show-secrets`.
pub fn text_section(secrets: &[BindSecret]) -> String {
    let mut out = String::from("Secrets (shown because of --show-secrets):\n");
    if secrets.is_empty() {
        out.push_str("  no simple-bind password in the capture\n");
    }
    for s in secrets {
        out.push_str(&format!(
            "  frame {}: simple bind as {} with password {:?}\n",
            s.frame,
            s.name,
            s.password_text()
        ));
    }
    out
}

/// The JSON document's `secrets` member for `--show-secrets`.
pub fn json_value(secrets: &[BindSecret]) -> Value {
    Value::Array(
        secrets
            .iter()
            .map(|s| {
                json!({
                    "frame": s.frame,
                    "message_id": s.message_id,
                    "kind": "ldap_simple_bind_password",
                    "name": s.name,
                    "password": s.password_text(),
                })
            })
            .collect(),
    )
}
