//! EWS findings after the Autodiscover chain: GetItem/FindItem responses whose items carry a
//! binary extended property (Binary, BinaryArray) with an empty or missing Value. Each is a
//! finding of its own, never the chain's break: the lookup that found EWS worked.

use super::causes::cause;
use super::client::ClientView;
use super::model::Cause;

/// One `ews.empty_binary_property` finding per empty binary property, in capture order.
pub fn empty_binary_properties(view: &ClientView) -> Vec<Cause> {
    let mut out = Vec::new();
    for h in &view.http {
        let Some((reply, (frame, _, _))) = h.reply.as_ref().zip(h.response.as_ref()) else {
            continue;
        };
        let Some(ews) = reply.ews() else { continue };
        for p in &ews.empty_binary {
            let item = p.item_id.as_deref().unwrap_or("(no ItemId)");
            let subject = p
                .subject
                .as_deref()
                .map(|s| format!(" (Subject \"{s}\")"))
                .unwrap_or_default();
            let summary = format!(
                "The {} at frame {frame} has item {item}{subject} with the {} property {} empty or without a Value.",
                ews.operation, p.property_type, p.property
            );
            out.push(cause(
                "ews.empty_binary_property",
                summary,
                vec![h.frame, *frame],
            ));
        }
    }
    out
}
