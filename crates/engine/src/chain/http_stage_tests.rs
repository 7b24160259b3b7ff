//! Hand-built exchanges, decoded from the bytes a server would send.

use super::*;
use crate::chain::model::StageStatus;
use crate::proto::http::{HttpMessage, decode_http};

const SCHEMA: &str =
    "http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a";

fn pox_request(email: &str, auth: Option<&str>) -> Vec<u8> {
    let body = format!(
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006\"><Request><EMailAddress>{email}</EMailAddress><AcceptableResponseSchema>{SCHEMA}</AcceptableResponseSchema></Request></Autodiscover>"
    );
    let auth = auth
        .map(|a| format!("Authorization: {a}\r\n"))
        .unwrap_or_default();
    format!(
        "POST /autodiscover/autodiscover.xml HTTP/1.1\r\nHost: autodiscover.contoso.test\r\n{auth}Content-Type: text/xml\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn response(status: &str, headers: &str, body: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

fn account(inner: &str) -> String {
    format!(
        "<Autodiscover xmlns=\"http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006\"><Response xmlns=\"{SCHEMA}\">{inner}</Response></Autodiscover>"
    )
}

/// An exchange on connection 1: request at `frame`, answer at `frame + 1`.
fn exchange(frame: u64, request: &[u8], answer: Option<&[u8]>) -> HttpExchange {
    let HttpMessage::Request(q) = decode_http(request).unwrap() else {
        panic!("a request")
    };
    let reply = answer.map(|a| match decode_http(a).unwrap() {
        HttpMessage::Response(r) => r,
        HttpMessage::Request(_) => panic!("a response"),
    });
    HttpExchange {
        conn: 1,
        frame,
        method: q.method.clone(),
        target: q.target.clone(),
        host: q.host.clone(),
        response: reply
            .as_ref()
            .map(|r| (frame + 1, r.status, r.location.clone())),
        request: q,
        reply,
        decrypted: false,
    }
}

fn judged(ex: &[HttpExchange]) -> Stage {
    let refs: Vec<&HttpExchange> = ex.iter().collect();
    judge("autodiscover.contoso.test", "http", &refs, &refs).expect("an Autodiscover exchange")
}

fn code(s: &Stage) -> &str {
    s.cause.as_ref().map_or("", |c| c.code.as_str())
}

const SETTINGS: &str = "<Account><AccountType>email</AccountType><Action>settings</Action><Protocol><Type>EXPR</Type><Server>mail.contoso.test</Server><EwsUrl>https://mail.contoso.test/EWS/Exchange.asmx</EwsUrl></Protocol></Account>";

#[test]
fn settings_with_an_ews_url_pass_after_the_negotiate_401() {
    let ex = [
        exchange(
            10,
            &pox_request("user@contoso.test", None),
            Some(&response(
                "401 Unauthorized",
                "WWW-Authenticate: Negotiate\r\nWWW-Authenticate: NTLM\r\n",
                "",
            )),
        ),
        exchange(
            12,
            &pox_request("user@contoso.test", Some("Negotiate YIIGhgYGKwYBBQUC")),
            Some(&response(
                "200 OK",
                "Content-Type: text/xml\r\n",
                &account(SETTINGS),
            )),
        ),
    ];
    let s = judged(&ex);
    assert_eq!(s.status, StageStatus::Ok, "{s:?}");
    assert_eq!(s.frames, vec![12, 13]);
    assert!(s.detail.contains(&(
        "ews_url",
        "https://mail.contoso.test/EWS/Exchange.asmx".into()
    )));
    assert!(s.detail.contains(&("action", "settings".into())));
    assert!(s.detail.contains(&("response", "200 OK".into())));
}

#[test]
fn a_basic_only_401_is_no_usable_scheme_for_a_domain_client() {
    let ex = [exchange(
        10,
        &pox_request("user@contoso.test", None),
        Some(&response(
            "401 Unauthorized",
            "WWW-Authenticate: Basic realm=\"contoso\"\r\n",
            "",
        )),
    )];
    let s = judged(&ex);
    assert_eq!(code(&s), "https.auth_no_usable_scheme");
    let summary = &s.cause.as_ref().unwrap().summary;
    assert!(
        summary.contains("offering Basic") && summary.contains("Negotiate or NTLM"),
        "{summary}"
    );
    assert!(s.detail.contains(&("auth offered", "Basic".into())));
}

#[test]
fn a_401_to_credentials_is_rejected_and_an_unanswered_one_is_said() {
    let rejected = [exchange(
        10,
        &pox_request("user@contoso.test", Some("Negotiate YIIGhgYGKwYBBQUC")),
        Some(&response(
            "401 Unauthorized",
            "WWW-Authenticate: Negotiate\r\n",
            "",
        )),
    )];
    assert_eq!(code(&judged(&rejected)), "https.auth_rejected");
    let unanswered = [exchange(
        10,
        &pox_request("user@contoso.test", None),
        Some(&response(
            "401 Unauthorized",
            "WWW-Authenticate: NTLM\r\n",
            "",
        )),
    )];
    assert_eq!(code(&judged(&unanswered)), "https.auth_unanswered");
}

#[test]
fn statuses_have_causes_of_their_own() {
    for (status, want) in [
        ("403 Forbidden", "https.forbidden"),
        ("404 Not Found", "https.not_found"),
        ("500 Internal Server Error", "https.server_error"),
        ("503 Service Unavailable", "https.server_error"),
        ("400 Bad Request", "https.http_error"),
    ] {
        let ex = [exchange(
            10,
            &pox_request("user@contoso.test", None),
            Some(&response(status, "", "")),
        )];
        let s = judged(&ex);
        assert_eq!(code(&s), want, "{status}");
        assert_eq!(s.frames, vec![10, 11]);
        assert!(
            s.detail
                .contains(&("request", "POST /autodiscover/autodiscover.xml".into()))
        );
    }
    let html = [exchange(
        10,
        &pox_request("user@contoso.test", None),
        Some(&response("200 OK", "", "<html><body>IIS</body></html>")),
    )];
    assert_eq!(code(&judged(&html)), "https.no_settings");
}

#[test]
fn autodiscover_error_codes_show_code_and_message() {
    for (code_no, message, want) in [
        (
            "500",
            "The email address can't be found.",
            "autodiscover.email_not_found",
        ),
        ("600", "Invalid Request", "autodiscover.invalid_request"),
        (
            "603",
            "The Autodiscover server threw an internal error.",
            "autodiscover.error",
        ),
    ] {
        let body = account(&format!(
            "<Error Time=\"16:56:32.6164027\" Id=\"1054084152\"><ErrorCode>{code_no}</ErrorCode><Message>{message}</Message><DebugData /></Error>"
        ));
        let ex = [exchange(
            10,
            &pox_request("nobody@contoso.test", None),
            Some(&response("200 OK", "", &body)),
        )];
        let s = judged(&ex);
        assert_eq!(code(&s), want);
        let summary = &s.cause.as_ref().unwrap().summary;
        assert!(
            summary.contains(message) && summary.contains("nobody@contoso.test"),
            "{summary}"
        );
        assert!(
            s.detail
                .contains(&("autodiscover error", format!("{code_no} {message}")))
        );
    }
}

fn redirect_addr(to: &str) -> String {
    account(&format!(
        "<Account><Action>redirectAddr</Action><RedirectAddr>{to}</RedirectAddr></Account>"
    ))
}

#[test]
fn a_redirect_is_followed_and_a_redirect_addr_loop_is_the_break() {
    let once = [exchange(
        10,
        &pox_request("a@contoso.test", None),
        Some(&response("200 OK", "", &redirect_addr("b@contoso.test"))),
    )];
    let s = judged(&once);
    assert_eq!(s.status, StageStatus::Ok);
    assert_eq!(s.redirect.as_deref(), Some("b@contoso.test"));
    let round = [
        once[0].clone(),
        exchange(
            12,
            &pox_request("b@contoso.test", None),
            Some(&response("200 OK", "", &redirect_addr("a@contoso.test"))),
        ),
    ];
    let s = judged(&round);
    assert_eq!(code(&s), "autodiscover.redirect_loop");
    let c = s.cause.as_ref().unwrap();
    assert!(
        c.summary.contains("a@contoso.test was already asked for"),
        "{}",
        c.summary
    );
    assert!(
        c.summary
            .contains("a@contoso.test → b@contoso.test; b@contoso.test → a@contoso.test"),
        "{}",
        c.summary
    );
    assert_eq!(c.frames, vec![10, 11, 12, 13]);
}

#[test]
fn more_than_ten_redirects_is_a_loop() {
    let ex: Vec<HttpExchange> = (0..11u64)
        .map(|i| {
            exchange(
                10 + 2 * i,
                &pox_request(&format!("u{i}@contoso.test"), None),
                Some(&response(
                    "200 OK",
                    "",
                    &redirect_addr(&format!("u{}@contoso.test", i + 1)),
                )),
            )
        })
        .collect();
    assert_eq!(code(&judged(&ex[..10])), "", "ten redirects are allowed");
    let s = judged(&ex);
    assert_eq!(code(&s), "autodiscover.redirect_loop");
    assert!(s.cause.unwrap().summary.contains("11 redirects"));
}

#[test]
fn a_request_never_answered_and_non_autodiscover_traffic() {
    let ex = [exchange(10, &pox_request("a@contoso.test", None), None)];
    assert_eq!(code(&judged(&ex)), "https.no_response");
    let ews = exchange(
        10,
        b"POST /EWS/Exchange.asmx HTTP/1.1\r\nHost: mail.contoso.test\r\nContent-Length: 0\r\n\r\n",
        Some(&response("200 OK", "", "")),
    );
    assert!(judge("mail.contoso.test", "https", &[&ews], &[&ews]).is_none());
}

#[test]
fn a_302_back_to_a_url_already_visited_is_a_loop() {
    let to = |url: &str| response("302 Found", &format!("Location: {url}\r\n"), "");
    let first = exchange(
        10,
        &pox_request("a@contoso.test", None),
        Some(&to(
            "https://mail.contoso.test/autodiscover/autodiscover.xml",
        )),
    );
    let mut back = exchange(
        20,
        &pox_request("a@contoso.test", None),
        Some(&to(
            "https://autodiscover.contoso.test/autodiscover/autodiscover.xml",
        )),
    );
    back.conn = 2;
    back.host = Some("mail.contoso.test".into());
    let s = judge("mail.contoso.test", "https", &[&back], &[&first, &back]).expect("judged");
    assert_eq!(code(&s), "autodiscover.redirect_loop");
    // The first hop alone is a redirect the client follows.
    let s = judge("autodiscover.contoso.test", "https", &[&first], &[&first]).expect("judged");
    assert_eq!(s.status, StageStatus::Ok);
    assert_eq!(
        s.redirect.as_deref(),
        Some("https://mail.contoso.test/autodiscover/autodiscover.xml")
    );
}

/// A SOAP Autodiscover answer (MS-OXWSADISC GetUserSettingsResponse, the shape of its
/// documented example: Response / ErrorCode / UserResponses / UserResponse / UserSettings /
/// UserSetting Name, Value), with `user_error` as the user's ErrorCode and `settings` inside.
fn soap_settings(user_error: &str, message: &str, settings: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"utf-8\"?><s:Envelope xmlns:s=\"http://schemas.xmlsoap.org/soap/envelope/\"><s:Body><GetUserSettingsResponseMessage xmlns=\"http://schemas.microsoft.com/exchange/2010/Autodiscover\"><Response xmlns:i=\"http://www.w3.org/2001/XMLSchema-instance\"><ErrorCode>NoError</ErrorCode><ErrorMessage/><UserResponses><UserResponse><ErrorCode>{user_error}</ErrorCode><ErrorMessage>{message}</ErrorMessage><RedirectTarget i:nil=\"true\"/><UserSettingErrors/><UserSettings>{settings}</UserSettings></UserResponse></UserResponses></Response></GetUserSettingsResponseMessage></s:Body></s:Envelope>"
    )
}

fn soap_post(frame: u64, answer: &str) -> HttpExchange {
    let request = "POST /autodiscover/autodiscover.svc HTTP/1.1\r\nHost: autodiscover.contoso.test\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: 0\r\n\r\n";
    let reply = response(
        "200 OK",
        "Content-Type: text/xml; charset=utf-8\r\n",
        answer,
    );
    exchange(frame, request.as_bytes(), Some(&reply))
}

#[test]
fn soap_autodiscover_settings_pass_with_their_ews_url_and_an_error_code_is_the_cause() {
    let url = "<UserSetting i:type=\"StringSetting\"><Name>InternalEwsUrl</Name><Value>https://mail.contoso.test/EWS/Exchange.asmx</Value></UserSetting>";
    let ok = judged(&[soap_post(10, &soap_settings("NoError", "No error.", url))]);
    assert_eq!(ok.status, StageStatus::Ok, "{ok:?}");
    assert!(
        ok.detail
            .iter()
            .any(|(k, v)| *k == "ews_url" && v == "https://mail.contoso.test/EWS/Exchange.asmx"),
        "{:?}",
        ok.detail
    );
    let refused = judged(&[soap_post(
        10,
        &soap_settings("InvalidUser", "Invalid user: 'nobody@contoso.test'", ""),
    )]);
    assert_eq!(code(&refused), "autodiscover.error");
    let summary = &refused.cause.as_ref().unwrap().summary;
    assert!(
        summary.contains("InvalidUser") && summary.contains("Invalid user"),
        "{summary}"
    );
}
