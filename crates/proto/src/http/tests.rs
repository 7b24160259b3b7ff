use super::*;

#[test]
fn a_redirect_response_keeps_status_and_location() {
    let m = b"HTTP/1.1 302 Found\r\nLocation: https://mail.contoso.test/autodiscover/autodiscover.xml\r\nContent-Length: 5\r\n\r\nhello";
    let HttpMessage::Response(r) = decode_http(m).unwrap() else {
        panic!("a response")
    };
    assert_eq!((r.status, r.reason.as_str()), (302, "Found"));
    assert_eq!(
        r.location.as_deref(),
        Some("https://mail.contoso.test/autodiscover/autodiscover.xml")
    );
    assert_eq!(r.content, Content::None);
}

#[test]
fn a_pox_post_gives_host_scheme_and_address_never_credentials() {
    let body = "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request><EMailAddress>user@contoso.test</EMailAddress><AcceptableResponseSchema>http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema></Request></Autodiscover>";
    let m = format!(
        "POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: autodiscover.contoso.test\r\nAuthorization: Basic dXNlcjpzZWNyZXQ=\r\nContent-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let HttpMessage::Request(r) = decode_http(m.as_bytes()).unwrap() else {
        panic!("a request")
    };
    assert_eq!(r.method, "POST");
    assert_eq!(r.host.as_deref(), Some("autodiscover.contoso.test"));
    assert_eq!(r.auth_scheme.as_deref(), Some("Basic"));
    assert!(
        !format!("{r:?}").contains("dXNlcjpzZWNyZXQ"),
        "no credentials kept"
    );
    let Content::PoxRequest(p) = r.content else {
        panic!("the POX request: {:?}", r.content)
    };
    assert_eq!(p.email.as_deref(), Some("user@contoso.test"));
}

#[test]
fn a_401_lists_every_offered_scheme() {
    let m = b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\nWWW-Authenticate: Basic realm=\"autodiscover.contoso.test\"\r\nContent-Length: 0\r\n\r\n";
    let HttpMessage::Response(r) = decode_http(m).unwrap() else {
        panic!("a response")
    };
    assert_eq!(r.auth_offered, ["Negotiate", "NTLM", "Basic"]);
}

#[test]
fn a_gzip_chunked_xml_answer_is_read() {
    use std::io::Write;
    let xml = br#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>settings</Action><Protocol><Type>EXPR</Type><EwsUrl>https://mail.contoso.test/EWS/Exchange.asmx</EwsUrl></Protocol></Account></Response></Autodiscover>"#;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(xml).unwrap();
    let gz = e.finish().unwrap();
    let mut m = b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n".to_vec();
    for part in gz.chunks(10) {
        m.extend_from_slice(format!("{:x}\r\n", part.len()).as_bytes());
        m.extend_from_slice(part);
        m.extend_from_slice(b"\r\n");
    }
    m.extend_from_slice(b"0\r\n\r\n");
    assert_eq!(
        message_length(&m),
        crate::framing::Framing::Complete(m.len())
    );
    let HttpMessage::Response(r) = decode_http(&m).unwrap() else {
        panic!("a response")
    };
    assert_eq!(
        r.pox().and_then(|p| p.ews_url()),
        Some("https://mail.contoso.test/EWS/Exchange.asmx")
    );
}

#[test]
fn a_v2_get_and_its_json_answer() {
    let HttpMessage::Request(q) = decode_http(
        b"GET /autodiscover/autodiscover.json/v1.0/user@contoso.test?Protocol=EWS HTTP/1.1\r\nHost: autodiscover.contoso.test\r\n\r\n",
    )
    .unwrap() else {
        panic!("a request")
    };
    assert_eq!(q.v2.map(|v| v.email).as_deref(), Some("user@contoso.test"));
    let body = r#"{"Protocol":"EWS","Url":"https://mail.contoso.test/EWS/Exchange.asmx"}"#;
    let m = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let HttpMessage::Response(r) = decode_http(m.as_bytes()).unwrap() else {
        panic!("a response")
    };
    assert!(
        matches!(&r.content, Content::V2Response(v) if v.url.as_deref() == Some("https://mail.contoso.test/EWS/Exchange.asmx"))
    );
}

#[test]
fn bad_start_lines_are_errors_and_bad_bodies_are_said() {
    let e = decode_http(b"HTTP/1.1 abc Nope\r\n\r\n").unwrap_err();
    assert_eq!(e, HttpError::BadStatusLine("HTTP/1.1 abc Nope".into()));
    assert_eq!(
        e.to_string(),
        r#"http: bad status line "HTTP/1.1 abc Nope""#
    );
    let e = decode_http(b"hello there\r\n\r\n").unwrap_err();
    assert_eq!(e.to_string(), r#"http: bad start line "hello there""#);
    let HttpMessage::Response(r) =
        decode_http(b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: 4\r\n\r\nnope")
            .unwrap()
    else {
        panic!("a response")
    };
    assert_eq!(r.content, Content::None);
    assert!(r.body_problem.is_some_and(|p| p.contains("gzip")));
}

/// Every prefix of real messages, and every one with a byte changed, frames and decodes to a
/// value or an error: never a panic (a capture can cut or corrupt a message anywhere).
#[test]
fn cut_and_corrupted_messages_never_panic() {
    let xml = r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectAddr</Action><RedirectAddr>a@b.test</RedirectAddr></Account></Response></Autodiscover>"#;
    let chunked = format!(
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nWWW-Authenticate: Negotiate, Basic realm=\"x\"\r\n\r\n{:x}\r\n{xml}\r\n0\r\n\r\n",
        xml.len()
    );
    let post = format!(
        "POST /autodiscover/autodiscover.json/v1.0/a%40b.test?Protocol=EWS HTTP/1.1\r\nHost: h\r\nContent-Length: {}\r\n\r\n{xml}",
        xml.len()
    );
    for m in [chunked.as_bytes(), post.as_bytes()] {
        for cut in 0..=m.len() {
            let part = &m[..cut];
            let _ = message_length(part);
            let _ = decode_http(part);
        }
        for at in 0..m.len() {
            for b in [0u8, b'\r', b'<', b'%', 0xff] {
                let mut bad = m.to_vec();
                bad[at] = b;
                let _ = message_length(&bad);
                let _ = decode_http(&bad);
            }
        }
    }
}
