//! HTTP/1.x messages as a readable byte stream gives them, whatever carried it (clear port 80
//! today, decrypted HTTPS later): framing ([`message_length`]: head, then a Content-Length or
//! chunked body), the request line, Host and Authorization scheme, the status line, Location and
//! the WWW-Authenticate schemes offered, and the bodies Autodiscover and EWS send: the POX request
//! and response ([`autodiscover`]), the v2 JSON endpoint, and EWS SOAP ([`ews`]). Bodies are
//! de-chunked and decompressed (gzip, deflate) before they are read ([`body`]).

pub mod auth;
pub mod autodiscover;
pub mod body;
pub mod ews;
pub mod framing;
pub mod head;

pub use autodiscover::{
    PoxErrorBlock, PoxProtocol, PoxRequest, PoxResponse, V2Request, V2Response,
};
pub use ews::{EmptyBinaryProperty, EwsMessage};
pub use framing::message_length;
pub use head::{Head, MAX_HTTP_HEAD};

/// What a body was read as.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Content {
    /// No body, or one capdiag does not read (HTML, an image, ...).
    #[default]
    None,
    PoxRequest(PoxRequest),
    PoxResponse(PoxResponse),
    V2Response(V2Response),
    Ews(EwsMessage),
}

/// A request: its line, Host, the Authorization scheme (never the credentials) and its body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpRequest {
    pub method: String,
    pub target: String,
    pub host: Option<String>,
    /// Negotiate, NTLM, Basic, Bearer... when the request carried Authorization.
    pub auth_scheme: Option<String>,
    /// The Autodiscover v2 request the target is, if it is one.
    pub v2: Option<V2Request>,
    pub content: Content,
    /// Why the body could not be read, when it could not.
    pub body_problem: Option<String>,
}

/// A response: its status, Location, the schemes a 401 offers and its body.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct HttpResponse {
    pub status: u16,
    pub reason: String,
    pub location: Option<String>,
    /// Every scheme of every WWW-Authenticate field, in order.
    pub auth_offered: Vec<String>,
    pub content: Content,
    pub body_problem: Option<String>,
}

impl HttpResponse {
    pub fn pox(&self) -> Option<&PoxResponse> {
        match &self.content {
            Content::PoxResponse(p) => Some(p),
            _ => None,
        }
    }

    pub fn ews(&self) -> Option<&EwsMessage> {
        match &self.content {
            Content::Ews(e) => Some(e),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HttpMessage {
    Request(HttpRequest),
    Response(HttpResponse),
}

/// Why an HTTP head could not be decoded; the line is kept as sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("http: bad status line {0:?}")]
    BadStatusLine(String),
    #[error("http: bad start line {0:?}")]
    BadStartLine(String),
}

/// Decodes one framed message (as [`message_length`] cut it): head, then body content.
pub fn decode_http(msg: &[u8]) -> Result<HttpMessage, HttpError> {
    let end = head::head_end(msg).unwrap_or(msg.len());
    let head = Head::parse(msg.get(..end).unwrap_or(msg));
    let body = msg.get(end.saturating_add(4)..).unwrap_or_default();
    let first = head.start_line.clone();
    let mut parts = first.splitn(3, ' ');
    let (a, b, c) = (
        parts.next().unwrap_or(""),
        parts.next().unwrap_or(""),
        parts.next(),
    );
    let (content, body_problem) = read_body(&head, body);
    if a.starts_with("HTTP/") {
        let status = b
            .parse()
            .map_err(|_| HttpError::BadStatusLine(first.clone()))?;
        Ok(HttpMessage::Response(HttpResponse {
            status,
            reason: c.unwrap_or("").to_string(),
            location: head.field("location").map(str::to_string),
            auth_offered: head
                .values("www-authenticate")
                .flat_map(auth::challenge_schemes)
                .collect(),
            content,
            body_problem,
        }))
    } else if c.is_some_and(|v| v.starts_with("HTTP/")) {
        Ok(HttpMessage::Request(HttpRequest {
            method: a.to_string(),
            target: b.to_string(),
            host: head.field("host").map(str::to_string),
            auth_scheme: head
                .field("authorization")
                .and_then(auth::authorization_scheme),
            v2: autodiscover::parse_v2_target(b),
            content,
            body_problem,
        }))
    } else {
        Err(HttpError::BadStartLine(first))
    }
}

/// The body read by what it is: an Autodiscover document, an EWS SOAP envelope or a v2 JSON
/// answer; anything else is [`Content::None`]. A problem reading it is said, not an error.
fn read_body(head: &Head, body: &[u8]) -> (Content, Option<String>) {
    if body.is_empty() {
        return (Content::None, None);
    }
    let data = match body::content(head, body) {
        Ok(d) => d,
        Err(e) => return (Content::None, Some(e.to_string())),
    };
    if autodiscover::looks_like_xml(&data) {
        if let Ok(r) = autodiscover::parse_pox_response(&data) {
            // A request body parses as a response with no Response element: tell them apart.
            if r != PoxResponse::default() {
                return (Content::PoxResponse(r), None);
            }
        }
        if let Ok(r) = autodiscover::parse_pox_request(&data) {
            return (Content::PoxRequest(r), None);
        }
        return match ews::parse_ews(&data) {
            Ok(m) => (Content::Ews(m), None),
            Err(ews::EwsError::NotXml(e)) => (Content::None, Some(format!("http: body: {e}"))),
            Err(_) => (Content::None, None),
        };
    }
    if data.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'{')
        && let Ok(r) = autodiscover::parse_v2_response(&data)
    {
        return (Content::V2Response(r), None);
    }
    (Content::None, None)
}

#[cfg(test)]
#[path = "tests.rs"]
mod tests;
