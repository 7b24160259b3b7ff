//! EWS SOAP bodies (POST /EWS/Exchange.asmx): which operation a request or response is (GetFolder,
//! FindItem, GetItem and their responses are named; others are kept by their element name), the
//! ResponseClass of each response message, and, in GetItem/FindItem responses, each
//! ExtendedProperty whose ExtendedFieldURI has a binary PropertyType (Binary, BinaryArray) but an
//! empty or missing Value: the item it is on (ItemId, Subject) and the property's tag or name.

use roxmltree::{Document, Node};

/// The operations named in findings; any other SOAP body keeps its first Body element's name.
pub const KNOWN_OPERATIONS: [&str; 3] = ["GetFolder", "FindItem", "GetItem"];

/// A binary extended property with no value in an item of a response.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EmptyBinaryProperty {
    pub item_id: Option<String>,
    pub subject: Option<String>,
    /// `PropertyTag 0x0FFF`, `PropertyName X in set Y`, `PropertyId 0x8501 in set Y`.
    pub property: String,
    /// Binary or BinaryArray.
    pub property_type: String,
}

/// A SOAP message to or from EWS.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EwsMessage {
    /// The first element of soap:Body (`GetItem`, `GetItemResponse`, ...).
    pub operation: String,
    /// ResponseClass of each response message, in order (Success, Warning, Error).
    pub response_classes: Vec<String>,
    /// ResponseCode of each response message that is not NoError.
    pub response_codes: Vec<String>,
    /// Items in the response (elements with an ItemId child).
    pub items: usize,
    pub empty_binary: Vec<EmptyBinaryProperty>,
    /// SOAP Autodiscover (`GetUserSettingsResponseMessage`, POST /autodiscover/autodiscover.svc,
    /// what the EWS Managed API asks first): each UserSetting's Name and Value, in order.
    pub user_settings: Vec<(String, String)>,
    /// SOAP Autodiscover: each ErrorCode that is not NoError (the response's, then each
    /// user's), with its ErrorMessage.
    pub autodiscover_errors: Vec<(String, String)>,
}

impl EwsMessage {
    /// The operation without its `Response` suffix.
    pub fn base_operation(&self) -> &str {
        self.operation
            .strip_suffix("Response")
            .unwrap_or(&self.operation)
    }

    pub fn is_response(&self) -> bool {
        self.operation.ends_with("Response")
    }

    /// The EWS URL a SOAP Autodiscover answer gives: ExternalEwsUrl, else InternalEwsUrl.
    pub fn autodiscover_ews_url(&self) -> Option<&str> {
        ["ExternalEwsUrl", "InternalEwsUrl"]
            .iter()
            .find_map(|want| {
                self.user_settings
                    .iter()
                    .find(|(name, value)| name == want && !value.is_empty())
                    .map(|(_, value)| value.as_str())
            })
    }
}

/// A SOAP Autodiscover answer's settings and errors (MS-OXWSADISC GetUserSettingsResponse).
fn read_user_settings(op: &Node<'_, '_>, out: &mut EwsMessage) {
    for setting in op.descendants().filter(|n| local_is(n, "UserSetting")) {
        let text = |name: &str| {
            child(&setting, name)
                .and_then(|c| c.text())
                .map(|t| t.trim().to_string())
        };
        if let Some(name) = text("Name") {
            out.user_settings
                .push((name, text("Value").unwrap_or_default()));
        }
    }
    for code in op.descendants().filter(|n| local_is(n, "ErrorCode")) {
        let Some(value) = code.text().map(str::trim).filter(|v| *v != "NoError") else {
            continue;
        };
        let message = code
            .parent()
            .and_then(|p| child(&p, "ErrorMessage"))
            .and_then(|m| m.text())
            .map(|m| m.trim().to_string())
            .unwrap_or_default();
        out.autodiscover_errors.push((value.to_string(), message));
    }
}

/// Why a body is not an EWS SOAP message.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EwsError {
    #[error("ews: body is not XML: {0}")]
    NotXml(String),
    #[error("ews: not a SOAP envelope with a body")]
    NotSoap,
}

fn local_is(n: &Node, name: &str) -> bool {
    n.is_element() && n.tag_name().name() == name
}

fn child<'a, 'i>(n: &Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| local_is(c, name))
}

/// Reads a SOAP body as an EWS message.
pub fn parse_ews(body: &[u8]) -> Result<EwsMessage, EwsError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| EwsError::NotXml(e.to_string()))?
        .trim_start_matches('\u{feff}');
    let doc = Document::parse(text).map_err(|e| EwsError::NotXml(e.to_string()))?;
    let envelope = doc.root_element();
    if !local_is(&envelope, "Envelope") {
        return Err(EwsError::NotSoap);
    }
    let soap_body = child(&envelope, "Body").ok_or(EwsError::NotSoap)?;
    let op = soap_body
        .children()
        .find(|c| c.is_element())
        .ok_or(EwsError::NotSoap)?;
    let mut out = EwsMessage {
        operation: op.tag_name().name().to_string(),
        ..EwsMessage::default()
    };
    for m in op
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name().ends_with("ResponseMessage"))
    {
        if let Some(class) = m.attribute("ResponseClass") {
            out.response_classes.push(class.to_string());
        }
        if let Some(code) = child(&m, "ResponseCode").and_then(|c| c.text())
            && code.trim() != "NoError"
        {
            out.response_codes.push(code.trim().to_string());
        }
    }
    if out.operation == "GetUserSettingsResponseMessage" {
        read_user_settings(&op, &mut out);
        return Ok(out);
    }
    if !out.is_response() {
        return Ok(out);
    }
    out.items = op
        .descendants()
        .filter(|n| n.is_element() && child(n, "ItemId").is_some())
        .count();
    if matches!(out.base_operation(), "GetItem" | "FindItem") {
        out.empty_binary = op
            .descendants()
            .filter(|n| local_is(n, "ExtendedProperty"))
            .filter_map(|p| empty_binary(&p))
            .collect();
    }
    Ok(out)
}

fn empty_binary(prop: &Node) -> Option<EmptyBinaryProperty> {
    let uri = child(prop, "ExtendedFieldURI")?;
    let ptype = uri.attribute("PropertyType")?;
    if !matches!(ptype, "Binary" | "BinaryArray") {
        return None;
    }
    let has_text = |n: &Node| n.text().is_some_and(|t| !t.trim().is_empty());
    let has_value = match child(prop, "Value") {
        Some(v) => has_text(&v),
        None => child(prop, "Values").is_some_and(|vs| {
            vs.children()
                .filter(|c| local_is(c, "Value"))
                .any(|v| has_text(&v))
        }),
    };
    if has_value {
        return None;
    }
    let set = uri
        .attribute("DistinguishedPropertySetId")
        .or_else(|| uri.attribute("PropertySetId"));
    let in_set = |s: String| match set {
        Some(set) => format!("{s} in set {set}"),
        None => s,
    };
    let property = if let Some(tag) = uri.attribute("PropertyTag") {
        format!("PropertyTag {tag}")
    } else if let Some(name) = uri.attribute("PropertyName") {
        in_set(format!("PropertyName {name}"))
    } else if let Some(id) = uri.attribute("PropertyId") {
        in_set(format!("PropertyId {id}"))
    } else {
        "(no tag, name or id)".to_string()
    };
    // The item is the nearest ancestor that carries an ItemId.
    let item = prop.ancestors().find(|a| child(a, "ItemId").is_some());
    Some(EmptyBinaryProperty {
        item_id: item
            .and_then(|i| child(&i, "ItemId"))
            .and_then(|id| id.attribute("Id"))
            .map(str::to_string),
        subject: item
            .and_then(|i| child(&i, "Subject"))
            .and_then(|s| s.text())
            .map(|s| s.trim().to_string()),
        property,
        property_type: ptype.to_string(),
    })
}

#[cfg(test)]
#[path = "ews_tests.rs"]
mod tests;
