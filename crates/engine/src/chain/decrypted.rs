//! The HTTPS stage of a connection whose application data the TLS key log decrypted: judged
//! from the HTTP request and response read inside it (method, path, status) rather than from
//! the encrypted record counts. Connections without decrypted HTTP keep the record-count
//! judgement.

use super::causes::cause;
use super::client::ClientView;
use super::model::{Stage, StageKind};
use crate::flow::ConnId;

/// The stage from the decrypted exchanges of connection `conn`, None when it has none.
pub fn https_stage(host: &str, conn: ConnId, view: &ClientView) -> Option<Stage> {
    let exchanges: Vec<_> = view
        .http
        .iter()
        .filter(|h| h.conn == conn && h.decrypted)
        .collect();
    let autodiscover = |t: &str| t.to_ascii_lowercase().contains("/autodiscover");
    // The last Autodiscover request answered decides (a 401 before the authenticated retry is
    // the usual first round); else the first request, answered or not.
    let decisive = exchanges
        .iter()
        .rev()
        .find(|h| autodiscover(&h.target) && h.response.is_some())
        .or_else(|| exchanges.iter().find(|h| autodiscover(&h.target)))
        .or_else(|| exchanges.first())?;
    let request = format!("{} {}", decisive.method, decisive.target);
    let mut detail = vec![
        ("request", request),
        ("read", "decrypted with the TLS key log".to_string()),
    ];
    Some(match &decisive.response {
        Some((frame, status, _)) => {
            detail.insert(1, ("status", status.to_string()));
            Stage::ok(StageKind::Https, vec![decisive.frame, *frame], detail)
        }
        None => {
            let summary = format!("No HTTPS response came back from {host} after the handshake.");
            Stage::failed(
                StageKind::Https,
                cause("https.no_response", summary, vec![decisive.frame]),
                detail,
            )
        }
    })
}
