//! What `y` offers to copy for the selected row: the Wireshark filter of its frames (and, with
//! several inputs, the filter that works on the file the frame came from), and for an LDAP
//! search the LDAP filter, the `ldapsearch` line, the PowerShell snippet and the whole ldp.exe
//! recipe. Each item is the exact text to paste; nothing here wraps it. Pure data.

use crate::analysis::Analysis;
use crate::messages::LdapRequest;
use crate::report::format::wireshark_filter;
use crate::report::frames;
use crate::report::searches::SearchContext;

use super::rows::{Row, Source};

/// One entry of the copy menu.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyItem {
    /// The key that picks it in the menu.
    pub key: char,
    pub label: String,
    pub text: String,
}

fn ldap_index(row: &Row) -> Option<usize> {
    match row.source {
        Source::LdapRequest(i)
        | Source::LdapEntry(i, _)
        | Source::LdapReference(i, _)
        | Source::LdapDone(i) => Some(i),
        _ => None,
    }
}

/// Everything the copy menu offers for `row`, in menu order.
pub fn items(a: &Analysis, row: &Row) -> Vec<CopyItem> {
    let mut out = Vec::new();
    let mut push = |key: char, label: String, text: String| {
        out.push(CopyItem { key, label, text });
    };
    let by_file = frames::file_filters(a, &row.frames);
    match by_file.as_slice() {
        [(file, filter)] => {
            push('w', format!("Wireshark filter for {file}"), filter.clone());
            push(
                'm',
                "Wireshark filter for the merge (mergecap)".into(),
                wireshark_filter(&row.frames),
            );
        }
        _ => push(
            'w',
            "Wireshark filter".into(),
            wireshark_filter(&row.frames),
        ),
    }
    let Some(l) = ldap_index(row).and_then(|i| a.exchanges.ldap.get(i)) else {
        return out;
    };
    let LdapRequest::Search(s) = &l.request else {
        return out;
    };
    push('f', "LDAP filter".into(), s.filter.to_string());
    let ctx = SearchContext::new(&a.exchanges);
    let Some(r) = ctx.recipes(l) else {
        return out;
    };
    if let Some(cmd) = r.ldapsearch {
        push('l', "ldapsearch command".into(), cmd);
    }
    if let Some(ps) = r.powershell {
        push('p', "PowerShell snippet".into(), ps);
    }
    let ldp = &r.ldp;
    let recipe = [
        format!(
            "Connection > Connect: {} port {}{}",
            ldp.server,
            ldp.port,
            if ldp.connectionless {
                ", Connectionless"
            } else {
                ""
            }
        ),
        format!("Connection > Bind: {}", ldp.bind),
        format!("Browse > Search: Base DN: {}", ldp.base_dn),
        format!("Filter: {}", ldp.filter),
        format!("Scope: {}", ldp.scope),
        format!(
            "Attributes: {}",
            if ldp.attributes.is_empty() {
                "(all)"
            } else {
                &ldp.attributes
            }
        ),
        format!(
            "Options: size limit {}, time limit {}",
            ldp.size_limit, ldp.time_limit
        ),
    ]
    .join("\n");
    push('r', "ldp.exe recipe (all steps)".into(), recipe);
    out
}
