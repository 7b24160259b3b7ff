//! Autodiscover bodies: the POX request (EMailAddress, AcceptableResponseSchema), the POX XML
//! response (Account/Action settings, redirectAddr or redirectUrl, Protocol blocks with EwsUrl,
//! ASUrl and Server, Error blocks) read with roxmltree, and the Autodiscover v2 JSON endpoint
//! (`/autodiscover/autodiscover.json/v1.0/<email>?Protocol=EWS` answered `{"Protocol":"EWS",
//! "Url":...}`). Elements are matched by local name: Exchange answers in the outlook 2006a
//! namespace, or in the top-level 2006 one when it could not read the request.

use roxmltree::{Document, Node};

/// Why a body is not the Autodiscover document it looked like.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AutodiscoverError {
    #[error("autodiscover: body is not XML: {0}")]
    NotXml(String),
    #[error("autodiscover: root element is <{0}>, not <Autodiscover>")]
    NotAutodiscover(String),
    #[error("autodiscover: JSON body is not an Autodiscover v2 answer")]
    NotV2,
}

/// A POX Autodiscover request.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoxRequest {
    pub email: Option<String>,
    pub acceptable_schema: Option<String>,
}

/// One `<Protocol>` block of a settings answer.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoxProtocol {
    /// EXCH, EXPR, WEB, ...
    pub kind: String,
    pub ews_url: Option<String>,
    pub as_url: Option<String>,
    pub server: Option<String>,
}

/// An `<Error>` block: ErrorCode and Message as sent (500 "The email address can't be found",
/// 600 "Invalid Request", 603 internal error, ...).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoxErrorBlock {
    pub code: Option<String>,
    pub message: Option<String>,
    pub time: Option<String>,
    pub id: Option<String>,
    pub debug_data: Option<String>,
}

impl PoxErrorBlock {
    /// The ErrorCode as a number, when it is one.
    pub fn code_number(&self) -> Option<u32> {
        self.code.as_deref().and_then(|c| c.trim().parse().ok())
    }
}

/// A POX Autodiscover response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PoxResponse {
    /// The namespace of `<Response>` (outlook/responseschema/2006a, or the top-level one).
    pub response_namespace: Option<String>,
    /// settings, redirectAddr or redirectUrl, as sent.
    pub action: Option<String>,
    pub redirect_addr: Option<String>,
    pub redirect_url: Option<String>,
    pub protocols: Vec<PoxProtocol>,
    pub error: Option<PoxErrorBlock>,
}

impl PoxResponse {
    /// The EWS URL the settings give: the first EwsUrl of an EXCH, EXPR or WEB block, in that order.
    pub fn ews_url(&self) -> Option<&str> {
        ["EXCH", "EXPR", "WEB"].iter().find_map(|kind| {
            self.protocols
                .iter()
                .filter(|p| p.kind.eq_ignore_ascii_case(kind))
                .find_map(|p| p.ews_url.as_deref())
        })
    }

    pub fn action_is(&self, action: &str) -> bool {
        self.action
            .as_deref()
            .is_some_and(|a| a.trim().eq_ignore_ascii_case(action))
    }
}

fn local_is(n: &Node, name: &str) -> bool {
    n.is_element() && n.tag_name().name().eq_ignore_ascii_case(name)
}

fn child<'a, 'i>(n: &Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| local_is(c, name))
}

fn text_of(n: &Node, name: &str) -> Option<String> {
    let c = child(n, name)?;
    Some(c.text().unwrap_or_default().trim().to_string())
}

fn parse(body: &[u8]) -> Result<Document<'_>, AutodiscoverError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| AutodiscoverError::NotXml(e.to_string()))?
        .trim_start_matches('\u{feff}');
    let doc = Document::parse(text).map_err(|e| AutodiscoverError::NotXml(e.to_string()))?;
    let root = doc.root_element();
    if !local_is(&root, "Autodiscover") {
        return Err(AutodiscoverError::NotAutodiscover(
            root.tag_name().name().to_string(),
        ));
    }
    Ok(doc)
}

/// Whether a body starts like an XML document (after a BOM and white space).
pub fn looks_like_xml(body: &[u8]) -> bool {
    let t = body.strip_prefix(b"\xef\xbb\xbf").unwrap_or(body);
    t.iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|b| *b == b'<')
}

/// Reads a POX Autodiscover request body.
pub fn parse_pox_request(body: &[u8]) -> Result<PoxRequest, AutodiscoverError> {
    let doc = parse(body)?;
    let root = doc.root_element();
    let req = child(&root, "Request").unwrap_or(root);
    Ok(PoxRequest {
        email: text_of(&req, "EMailAddress"),
        acceptable_schema: text_of(&req, "AcceptableResponseSchema"),
    })
}

/// Reads a POX Autodiscover response body.
pub fn parse_pox_response(body: &[u8]) -> Result<PoxResponse, AutodiscoverError> {
    let doc = parse(body)?;
    let root = doc.root_element();
    let mut out = PoxResponse::default();
    let Some(response) = child(&root, "Response") else {
        return Ok(out);
    };
    out.response_namespace = response.tag_name().namespace().map(str::to_string);
    // An Error block sits under Response (MS-OXDSCLI 2.2.4.1.1.3) or under Account.
    let account = child(&response, "Account");
    let error = child(&response, "Error").or_else(|| account.and_then(|a| child(&a, "Error")));
    out.error = error.map(|e| PoxErrorBlock {
        code: text_of(&e, "ErrorCode"),
        message: text_of(&e, "Message"),
        time: e.attribute("Time").map(str::to_string),
        id: e.attribute("Id").map(str::to_string),
        debug_data: text_of(&e, "DebugData").filter(|d| !d.is_empty()),
    });
    if let Some(a) = account {
        out.action = text_of(&a, "Action");
        out.redirect_addr = text_of(&a, "RedirectAddr");
        out.redirect_url = text_of(&a, "RedirectUrl");
        out.protocols = a
            .children()
            .filter(|c| local_is(c, "Protocol"))
            .map(|p| PoxProtocol {
                kind: text_of(&p, "Type").unwrap_or_default(),
                ews_url: text_of(&p, "EwsUrl").filter(|u| !u.is_empty()),
                as_url: text_of(&p, "ASUrl").filter(|u| !u.is_empty()),
                server: text_of(&p, "Server").filter(|u| !u.is_empty()),
            })
            .collect();
    }
    Ok(out)
}

/// An Autodiscover v2 request: `GET /autodiscover/autodiscover.json/v1.0/<email>?Protocol=EWS`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct V2Request {
    pub email: String,
    pub protocol: Option<String>,
}

/// The v2 request a target asks for, if it is one.
pub fn parse_v2_target(target: &str) -> Option<V2Request> {
    const PREFIX: &str = "/autodiscover/autodiscover.json/v1.0/";
    let path_start = target.find("://").map_or(0, |i| {
        let after = i.saturating_add(3);
        target
            .get(after..)
            .and_then(|r| r.find('/'))
            .map_or(target.len(), |j| after.saturating_add(j))
    });
    let path_and_query = target.get(path_start..)?;
    let (path, query) = path_and_query
        .split_once('?')
        .unwrap_or((path_and_query, ""));
    let lower = path.to_ascii_lowercase();
    let at = lower.find(PREFIX)?;
    let email = path.get(at.saturating_add(PREFIX.len())..)?;
    let email = percent_decode(email.trim_end_matches('/'));
    if email.is_empty() {
        return None;
    }
    let protocol = query.split('&').find_map(|kv| {
        let (k, v) = kv.split_once('=')?;
        k.eq_ignore_ascii_case("protocol")
            .then(|| percent_decode(v))
    });
    Some(V2Request { email, protocol })
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i.saturating_add(1)..i.saturating_add(3))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i = i.saturating_add(3);
            }
            _ => {
                out.push(b);
                i = i.saturating_add(1);
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// An Autodiscover v2 answer: `{"Protocol":"EWS","Url":"https://.../EWS/Exchange.asmx"}`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct V2Response {
    pub protocol: Option<String>,
    pub url: Option<String>,
}

/// Reads a v2 JSON answer (serde_json); a JSON body with neither field is not one.
pub fn parse_v2_response(body: &[u8]) -> Result<V2Response, AutodiscoverError> {
    let v: serde_json::Value =
        serde_json::from_slice(body).map_err(|_| AutodiscoverError::NotV2)?;
    let field = |name: &str| {
        v.as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string)
    };
    let r = V2Response {
        protocol: field("Protocol"),
        url: field("Url"),
    };
    if r.protocol.is_none() && r.url.is_none() {
        return Err(AutodiscoverError::NotV2);
    }
    Ok(r)
}

#[cfg(test)]
#[path = "autodiscover_tests.rs"]
mod tests;
