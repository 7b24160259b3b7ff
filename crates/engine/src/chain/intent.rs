//! Whether a client's traffic is an Autodiscover lookup. Directory traffic alone (a bind, user
//! or group searches, a sealed session) is not one: a client is judged as an Autodiscover chain
//! only when the capture ties it to one (a readable SCP search, an Autodiscover name, a request
//! for an Autodiscover path seen in clear, an Autodiscover SNI) or when the user said so with
//! `--email`. A client that failed before it could show its intent is decided in
//! [`super::progress::blocking_failure`].

use super::client::ClientView;
use super::directory::scp_searches;

/// What ties a client to an Autodiscover lookup, and the first frame that shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Evidence {
    pub what: String,
    pub frame: u64,
}

fn autodiscover_name(name: &str) -> bool {
    super::client::contains_ignore_case(name, "autodiscover")
}

/// The first evidence of an Autodiscover lookup in the client's traffic, if any.
pub fn autodiscover_evidence(view: &ClientView, email_given: bool) -> Option<Evidence> {
    let mut found: Vec<Evidence> = Vec::new();
    if let Some(s) = scp_searches(view).first() {
        found.push(Evidence {
            what: "an SCP search".into(),
            frame: s.frames.first().copied().unwrap_or_default(),
        });
    }
    if let Some(d) = view.dns.iter().find(|d| autodiscover_name(&d.name)) {
        found.push(Evidence {
            what: format!("a DNS query for {}", d.name),
            frame: d.frame,
        });
    }
    if let Some(h) = view
        .http
        .iter()
        .find(|h| h.target.to_ascii_lowercase().contains("/autodiscover"))
    {
        found.push(Evidence {
            what: format!("an HTTP request for {}", h.target),
            frame: h.frame,
        });
    }
    let sni = view.tls.values().filter_map(|s| {
        let (frame, name, _) = s.client_hello.as_ref()?;
        let name = name.as_deref()?;
        autodiscover_name(name).then(|| Evidence {
            what: format!("a TLS connection to {name}"),
            frame: *frame,
        })
    });
    found.extend(sni);
    if let Some(first) = found.into_iter().min_by_key(|e| e.frame) {
        return Some(first);
    }
    email_given.then(|| Evidence {
        what: "--email".into(),
        frame: 0,
    })
}
