//! The SCP entries as EWS reads them (DirectoryHelper.cs): pointer and URL entries by their
//! keywords, the URL ranking by the client's site (1 `Site=<client site>`, 2 no `Site=`
//! keyword, front-inserted, 3 other sites; duplicates dropped), which URL the client should
//! have tried first and whether it did, and the findings about the entries.

use super::causes::cause;
use super::client::ClientView;
use super::model::{Cause, Stage};
use crate::messages::LdapExchange;
use crate::proto::dns::DnsData;
use crate::proto::names::url_host;

/// The keyword GUIDs of Exchange's SCP objects (pointer, URL).
pub const SCP_POINTER_GUID: &str = "67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68";
pub const SCP_URL_GUID: &str = "77378F46-2C66-4aa9-A6A6-3E7A48B19596";

/// One SCP entry's keywords and serviceBindingInformation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScpEntry {
    pub dn: String,
    pub keywords: Vec<String>,
    pub bindings: Vec<String>,
    pub frames: Vec<u64>,
}

impl ScpEntry {
    fn has_keyword(&self, k: &str) -> bool {
        self.keywords.iter().any(|v| v.eq_ignore_ascii_case(k))
    }

    pub fn is_pointer(&self) -> bool {
        self.has_keyword(SCP_POINTER_GUID)
    }

    /// A URL entry EWS uses: the URL GUID and at least one serviceBindingInformation value.
    pub fn is_url(&self) -> bool {
        self.has_keyword(SCP_URL_GUID) && !self.bindings.is_empty()
    }

    /// The `Site=` keywords' site names.
    pub fn sites(&self) -> Vec<&str> {
        self.keywords
            .iter()
            .filter_map(|k| {
                k.get(..5)
                    .filter(|p| p.eq_ignore_ascii_case("site="))
                    .map(|_| &k[5..])
            })
            .collect()
    }

    /// Whether a `Domain=<domain>` keyword names `domain`.
    pub fn for_domain(&self, domain: &str) -> bool {
        self.has_keyword(&format!("Domain={domain}"))
    }
}

/// The entries of an SCP search, in result order.
pub fn entries(search: &LdapExchange) -> Vec<ScpEntry> {
    let values = |e: &crate::messages::LdapEntry, name: &str| -> Vec<String> {
        e.entry
            .attributes
            .iter()
            .filter(|(a, _)| a.eq_ignore_ascii_case(name))
            .flat_map(|(_, v)| v.iter().map(|v| String::from_utf8_lossy(v).into_owned()))
            .collect()
    };
    search
        .entries
        .iter()
        .map(|e| ScpEntry {
            dn: e.entry.dn.clone(),
            keywords: values(e, "keywords"),
            bindings: values(e, "serviceBindingInformation"),
            frames: e.frames.clone(),
        })
        .collect()
}

/// The URLs of the URL entries in the order EWS tries them for a client in `site`.
pub fn rank_urls(entries: &[ScpEntry], site: &str) -> Vec<String> {
    let (mut first, mut second, mut third) = (Vec::new(), Vec::new(), Vec::new());
    for e in entries.iter().filter(|e| e.is_url()) {
        let url = e.bindings[0].clone();
        let sites = e.sites();
        if sites.iter().any(|s| s.eq_ignore_ascii_case(site)) {
            first.push(url);
        } else if sites.is_empty() {
            second.insert(0, url);
        } else {
            third.push(url);
        }
    }
    let mut out: Vec<String> = Vec::new();
    for u in first.into_iter().chain(second).chain(third) {
        if !out.iter().any(|o| o.eq_ignore_ascii_case(&u)) {
            out.push(u);
        }
    }
    out
}

/// What the SCP entries mean for the client: ordered URLs, detail lines and notes.
#[derive(Debug, Default)]
pub struct ScpReading {
    /// Every serviceBindingInformation: the URL entries ranked, then the rest in result order.
    pub urls: Vec<String>,
    pub detail: Vec<(&'static str, String)>,
    pub notes: Vec<Cause>,
}

/// The client's site as the CLDAP reply gave it: None when no reply was seen.
pub struct Site {
    pub name: Option<String>,
    pub frames: Vec<u64>,
}

/// Reads one SCP search for a client in `site` looking up `domain` (the SMTP or AD domain).
pub fn read(
    view: &ClientView,
    search: &LdapExchange,
    site: &Site,
    domain: Option<&str>,
) -> ScpReading {
    let mut out = ScpReading::default();
    let all = entries(search);
    let url_entries: Vec<&ScpEntry> = all.iter().filter(|e| e.is_url()).collect();
    let pointers: Vec<&ScpEntry> = all.iter().filter(|e| e.is_pointer()).collect();
    let ranked = rank_urls(&all, site.name.as_deref().unwrap_or(""));
    out.urls = ranked.clone();
    for b in all.iter().flat_map(|e| &e.bindings) {
        if !out.urls.iter().any(|u| u.eq_ignore_ascii_case(b)) {
            out.urls.push(b.clone());
        }
    }
    let search_end = search_last_frame(search);
    if !pointers.is_empty() || !url_entries.is_empty() {
        out.detail.push((
            "entries by keyword",
            format!("{} URL, {} pointer", url_entries.len(), pointers.len()),
        ));
    }
    // Pointers: a Domain= match is followed at once; a bare one only when no URL results.
    let domain_pointer = domain.and_then(|d| pointers.iter().find(|p| p.for_domain(d)));
    if let Some(p) = domain_pointer {
        let target = p.bindings.first().cloned().unwrap_or_default();
        out.detail.push((
            "pointer for the domain",
            format!("{target} (EWS restarts the lookup there)"),
        ));
        out.detail
            .push(("pointer followed", followed_text(view, &target, search_end)));
    }
    if url_entries.is_empty() && !pointers.is_empty() {
        let target = pointers
            .iter()
            .find_map(|p| p.bindings.first().cloned())
            .unwrap_or_default();
        let followed = followed_text(view, &target, search_end);
        if domain_pointer.is_none() {
            out.detail.push(("pointer followed", followed.clone()));
        }
        let summary = format!(
            "The SCP search found only pointer entries ({} of them): the client must follow {target} to the next LDAP server; {followed}.",
            pointers.len()
        );
        let frames = pointers.iter().flat_map(|p| p.frames.clone()).collect();
        out.notes.push(cause("scp.pointer_only", summary, frames));
    }
    let insecure: Vec<&str> = url_entries
        .iter()
        .map(|e| e.bindings[0].as_str())
        .filter(|u| {
            !u.get(..8)
                .is_some_and(|p| p.eq_ignore_ascii_case("https://"))
        })
        .collect();
    if !insecure.is_empty() {
        let summary = format!(
            "SCP URL(s) not https: {}. EWS's SOAP pass keeps only the host (https anyway); the POX pass posts to the URL as it is.",
            insecure.join(", ")
        );
        let frames = url_entries
            .iter()
            .filter(|e| insecure.contains(&e.bindings[0].as_str()))
            .flat_map(|e| e.frames.clone())
            .collect();
        out.notes.push(cause("scp.url_not_https", summary, frames));
    }
    if url_entries.is_empty() {
        return out;
    }
    match site.name.as_deref() {
        None => out.detail.push((
            "client site",
            "not seen (no netlogon reply in the capture); ranked as if no site matched".into(),
        )),
        Some("") => {
            let mut frames = site.frames.clone();
            frames.extend(url_entries.iter().flat_map(|e| e.frames.clone()));
            let next = first_candidate_after(view, search_end, &ranked, domain);
            let then = match &next {
                Some((host, frame, false)) => format!(
                    " The client then went straight to the fallbacks: {host} (frame {frame})."
                ),
                Some((host, frame, true)) => {
                    format!(" The client tried the SCP host {host} anyway (frame {frame}).")
                }
                None => String::new(),
            };
            frames.extend(next.map(|n| n.1));
            let summary = format!(
                "The DC does not know the client's site, so EWS skips all {} SCP URL(s).{then}",
                ranked.len()
            );
            out.detail
                .push(("client site", "(empty): EWS skips every SCP URL".into()));
            out.notes
                .push(cause("scp.urls_skipped_no_site", summary, frames));
            return out;
        }
        Some(s) => out.detail.push(("client site", s.to_string())),
    }
    if let Some(s) = site.name.as_deref().filter(|s| !s.is_empty()) {
        let all_other = url_entries.iter().all(|e| {
            let sites = e.sites();
            !sites.is_empty() && !sites.iter().any(|x| x.eq_ignore_ascii_case(s))
        });
        if all_other {
            let summary = format!(
                "Every SCP URL entry is scoped to other sites than the client's site {s}: EWS still tries them, last."
            );
            let frames = url_entries.iter().flat_map(|e| e.frames.clone()).collect();
            out.notes
                .push(cause("scp.only_other_sites", summary, frames));
        }
    }
    if let Some(first) = ranked.first() {
        out.detail.push(("first by EWS ranking", first.clone()));
        let tried = match first_candidate_after(view, search_end, &ranked, domain) {
            Some((host, frame, _)) if url_host(first).is_some_and(|(h, _)| h == host) => {
                format!("yes (frame {frame})")
            }
            Some((host, frame, _)) => format!("no: it tried {host} first (frame {frame})"),
            None => "no host tried in this capture".into(),
        };
        out.detail.push(("client tried it first", tried));
    }
    out
}

fn search_last_frame(search: &LdapExchange) -> u64 {
    let mut frames = search.frames.clone();
    frames.extend(search.result.iter().flat_map(|r| r.frames.iter().copied()));
    frames.into_iter().max().unwrap_or_default()
}

/// The first Autodiscover candidate host the client looked up (or connected to on 443) after
/// `after`: its name, frame, and whether it is an SCP URL host.
fn first_candidate_after(
    view: &ClientView,
    after: u64,
    scp_urls: &[String],
    domain: Option<&str>,
) -> Option<(String, u64, bool)> {
    let scp_hosts: Vec<String> = scp_urls
        .iter()
        .filter_map(|u| url_host(u))
        .map(|h| h.0)
        .collect();
    let fallbacks: Vec<String> = domain
        .map(|d| {
            vec![
                d.to_ascii_lowercase(),
                format!("autodiscover.{d}").to_ascii_lowercase(),
            ]
        })
        .unwrap_or_default();
    view.dns
        .iter()
        .filter(|d| d.frame > after && matches!(d.qtype.as_str(), "A" | "AAAA"))
        .map(|d| (d.name.trim_end_matches('.').to_ascii_lowercase(), d.frame))
        .find(|(n, _)| scp_hosts.contains(n) || fallbacks.contains(n))
        .map(|(n, f)| {
            let scp = scp_hosts.contains(&n);
            (n, f, scp)
        })
}

/// Whether the client went on to the LDAP server a pointer names, after the search.
fn followed_text(view: &ClientView, pointer: &str, after: u64) -> String {
    let Some((host, _)) = url_host(pointer) else {
        return format!("{pointer} is not an LDAP:// URL");
    };
    let mut ips: Vec<std::net::IpAddr> = host.parse().into_iter().collect();
    let mut lookup = None;
    for d in view
        .dns
        .iter()
        .filter(|d| d.frame > after && d.name.trim_end_matches('.').eq_ignore_ascii_case(&host))
    {
        lookup.get_or_insert(d.frame);
        for a in d.response.iter().flat_map(|r| &r.answers) {
            if let DnsData::Address(ip) = a.data {
                ips.push(ip);
            }
        }
    }
    let ldap = view.tcp.iter().find(|c| {
        c.first_frame > after
            && matches!(c.server.port, 389 | 636 | 3268 | 3269)
            && ips.contains(&c.server.ip)
    });
    match (ldap, lookup) {
        (Some(c), _) => format!(
            "followed: LDAP to {host} at {} (frame {})",
            c.server, c.first_frame
        ),
        (None, Some(f)) => {
            format!("looked up {host} (frame {f}) but no LDAP connection to it followed")
        }
        (None, None) => format!("not followed in this capture (no lookup of or LDAP to {host})"),
    }
}

/// Adds the reading's detail and notes to the SCP stage.
pub fn annotate(stage: &mut Stage, reading: ScpReading) {
    stage.detail.extend(reading.detail);
    stage.notes.extend(reading.notes);
}
