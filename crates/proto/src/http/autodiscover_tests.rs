//! Bodies shaped as Microsoft documents them; each test names its source.

use super::*;

/// "Autodiscover Request (POX)", Exchange 2007/2010 reference (learn.microsoft.com bb204189):
/// the documented request body, as written there.
const POX_REQUEST: &str = r#"<Autodiscover xmlns="https://schemas.microsoft.com/exchange/autodiscover/outlook/requestschema/2006">
   <Request>
     <EMailAddress>user@contoso.com</EMailAddress>
     <AcceptableResponseSchema>https://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a</AcceptableResponseSchema>
   </Request>
 </Autodiscover>"#;

#[test]
fn the_documented_pox_request_gives_its_address_and_schema() {
    let r = parse_pox_request(POX_REQUEST.as_bytes()).unwrap();
    assert_eq!(r.email.as_deref(), Some("user@contoso.com"));
    assert_eq!(
        r.acceptable_schema.as_deref(),
        Some("https://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a")
    );
}

/// "POX Autodiscover response for Exchange" (learn.microsoft.com, web-service-reference): the
/// successful response's User, Account/Action settings and EXCH Protocol block as documented;
/// the EXPR block is cut short here and given the EwsUrl element of "EwsUrl (POX)" (a child of
/// Protocol per that reference), which the page's EXPR block carries.
const POX_SETTINGS: &str = r#"<Autodiscover xmlns="https://schemas.microsoft.com/exchange/autodiscover/responseschema/2006">
  <Response xmlns="https://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a">
    <User>
      <DisplayName>First Last</DisplayName>
      <LegacyDN>/o=contoso/ou=First Administrative Group/cn=Recipients/cn=iuser885646</LegacyDN>
      <DeploymentId>644560b8-a1ce-429c-8ace-23395843f701</DeploymentId>
    </User>
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
      <Protocol>
        <Type>EXCH</Type>
        <Server>MBX-SERVER.mail.internal.contoso.com</Server>
        <ServerDN>/o=contoso/ou=Exchange Administrative Group (FYDIBOHF23SPDLT)/cn=Configuration/cn=Servers/cn=MBX-SERVER</ServerDN>
        <ServerVersion>72008287</ServerVersion>
        <ASUrl>https://mail.contoso.com/ews/exchange.asmx</ASUrl>
        <OOFUrl>https://mail.contoso.com/ews/exchange.asmx</OOFUrl>
      </Protocol>
      <Protocol>
        <Type>EXPR</Type>
        <Server>mail.contoso.com</Server>
        <EwsUrl>https://mail.contoso.com/ews/exchange.asmx</EwsUrl>
      </Protocol>
    </Account>
  </Response>
</Autodiscover>"#;

#[test]
fn a_settings_response_gives_protocols_and_the_ews_url() {
    let r = parse_pox_response(POX_SETTINGS.as_bytes()).unwrap();
    assert!(r.action_is("settings"));
    assert_eq!(
        r.response_namespace.as_deref(),
        Some("https://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a")
    );
    let kinds: Vec<_> = r.protocols.iter().map(|p| p.kind.as_str()).collect();
    assert_eq!(kinds, ["EXCH", "EXPR"]);
    assert_eq!(
        r.protocols[0].server.as_deref(),
        Some("MBX-SERVER.mail.internal.contoso.com")
    );
    assert_eq!(
        r.protocols[0].as_url.as_deref(),
        Some("https://mail.contoso.com/ews/exchange.asmx")
    );
    assert_eq!(r.protocols[0].ews_url, None);
    assert_eq!(
        r.ews_url(),
        Some("https://mail.contoso.com/ews/exchange.asmx"),
        "EXCH has none, so EXPR's"
    );
    assert!(r.error.is_none());
}

/// [MS-OXDSCLI] 4.2 "Autodiscover redirect to a new email address" (learn.microsoft.com
/// openspecs 49083e77): the documented redirectAddr response.
const POX_REDIRECT_ADDR: &str = r#"<?xml version="1.0" encoding="utf-8"?> <Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"> <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"> <Account> <Action>redirectAddr</Action> <RedirectAddr>user@subdomain.contoso.com</RedirectAddr> </Account> </Response> </Autodiscover>"#;

#[test]
fn a_redirect_addr_response_names_the_new_address() {
    let r = parse_pox_response(POX_REDIRECT_ADDR.as_bytes()).unwrap();
    assert!(r.action_is("redirectAddr"));
    assert_eq!(
        r.redirect_addr.as_deref(),
        Some("user@subdomain.contoso.com")
    );
    assert_eq!(r.redirect_url, None);
    assert_eq!(r.ews_url(), None);
}

/// "Account (POX)" (learn.microsoft.com bb204152) lists `<RedirectURL/>` under Account and
/// "Action (POX)" the value redirectUrl: the element is matched without case.
#[test]
fn a_redirect_url_response_names_the_new_url() {
    let body = r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Action>redirectUrl</Action><RedirectURL>https://autodiscover.fabrikam.test/autodiscover/autodiscover.xml</RedirectURL></Account></Response></Autodiscover>"#;
    let r = parse_pox_response(body.as_bytes()).unwrap();
    assert!(r.action_is("redirectUrl"));
    assert_eq!(
        r.redirect_url.as_deref(),
        Some("https://autodiscover.fabrikam.test/autodiscover/autodiscover.xml")
    );
}

/// [MS-ASCMD] 4.x "Response - Case Error" example (learn.microsoft.com openspecs feb9c8a3): the
/// error 600 "Invalid Request" answer, with Error under Response, as documented (its Response
/// is in the mobilesync namespace: the top-level shape Exchange gives a request it cannot read).
const ERROR_600: &str = r#"<?xml version="1.0" encoding="utf-8"?> <Autodiscover xmlns ="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"> <Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/mobilesync/responseschema/2006"> <Error Time="16:56:32.6164027" Id="1054084152"> <ErrorCode>600</ErrorCode> <Message>Invalid Request</Message> <DebugData /> </Error> </Response> </Autodiscover>"#;

#[test]
fn the_documented_600_error_is_read_with_its_attributes() {
    let r = parse_pox_response(ERROR_600.as_bytes()).unwrap();
    let e = r.error.expect("the Error block");
    assert_eq!(e.code_number(), Some(600));
    assert_eq!(e.message.as_deref(), Some("Invalid Request"));
    assert_eq!(e.time.as_deref(), Some("16:56:32.6164027"));
    assert_eq!(e.id.as_deref(), Some("1054084152"));
    assert_eq!(e.debug_data, None, "an empty DebugData is no data");
    assert_eq!(r.action, None);
}

/// "Error (POX)" (learn.microsoft.com error-pox: `<Error Time="" Id=""><ErrorCode/><Message/>
/// <DebugData/></Error>`, parent Account) in the outlook 2006a namespace, with code 500 and the
/// description [MS-OXDSCLI] 2.2.4.1.1.3.2 gives it; the top-level 2006 Response namespace of
/// AutodiscoverResponse.xsd ([MS-ASCMD] 6.4) for the 603 internal error.
#[test]
fn errors_in_the_outlook_and_the_top_level_namespace_are_read() {
    let body_500 = r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response xmlns="http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a"><Account><Error Time="08:25:58.1234567" Id="2471456201"><ErrorCode>500</ErrorCode><Message>The email address cannot be found.</Message><DebugData /></Error></Account></Response></Autodiscover>"#;
    let r = parse_pox_response(body_500.as_bytes()).unwrap();
    let e = r.error.expect("Account/Error");
    assert_eq!(e.code_number(), Some(500));
    assert_eq!(
        e.message.as_deref(),
        Some("The email address cannot be found.")
    );

    let body_603 = r#"<Autodiscover xmlns="http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006"><Response><Error Time="10:01:02.0000000" Id="42"><ErrorCode>603</ErrorCode><Message>The Autodiscover server threw an internal error.</Message><DebugData>trace 1</DebugData></Error></Response></Autodiscover>"#;
    let r = parse_pox_response(body_603.as_bytes()).unwrap();
    assert_eq!(
        r.response_namespace.as_deref(),
        Some("http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006")
    );
    let e = r.error.expect("Response/Error");
    assert_eq!(e.code_number(), Some(603));
    assert_eq!(e.debug_data.as_deref(), Some("trace 1"));
}

#[test]
fn bodies_that_are_not_autodiscover_xml_are_errors() {
    assert!(matches!(
        parse_pox_response(b"<html><body>It works</body></html>"),
        Err(AutodiscoverError::NotAutodiscover(n)) if n == "html"
    ));
    assert!(matches!(
        parse_pox_response(b"<Autodiscover><Response>"),
        Err(AutodiscoverError::NotXml(_))
    ));
    assert!(looks_like_xml(b"\xef\xbb\xbf  <?xml?>"));
    assert!(!looks_like_xml(b"{\"Protocol\":\"EWS\"}"));
}

/// The v2 endpoint as issue 17 states it: `/autodiscover/autodiscover.json/v1.0/<email>?Protocol=EWS`
/// answered `{"Protocol":"EWS","Url":...}`.
#[test]
fn the_v2_json_path_and_answer_are_read() {
    let r =
        parse_v2_target("/autodiscover/autodiscover.json/v1.0/user%40contoso.test?Protocol=EWS")
            .unwrap();
    assert_eq!(r.email, "user@contoso.test");
    assert_eq!(r.protocol.as_deref(), Some("EWS"));
    let abs = parse_v2_target(
        "https://autodiscover.contoso.test/Autodiscover/Autodiscover.json/v1.0/a@b.test?protocol=ActiveSync",
    )
    .unwrap();
    assert_eq!(
        (abs.email.as_str(), abs.protocol.as_deref()),
        ("a@b.test", Some("ActiveSync"))
    );
    assert_eq!(parse_v2_target("/autodiscover/autodiscover.xml"), None);
    assert_eq!(
        parse_v2_target("/autodiscover/autodiscover.json/v1.0/"),
        None
    );

    let a = parse_v2_response(
        br#"{"Protocol":"EWS","Url":"https://mail.contoso.test/EWS/Exchange.asmx"}"#,
    )
    .unwrap();
    assert_eq!(a.protocol.as_deref(), Some("EWS"));
    assert_eq!(
        a.url.as_deref(),
        Some("https://mail.contoso.test/EWS/Exchange.asmx")
    );
    assert_eq!(
        parse_v2_response(br#"{"x":1}"#),
        Err(AutodiscoverError::NotV2)
    );
    assert_eq!(
        parse_v2_response(b"not json"),
        Err(AutodiscoverError::NotV2)
    );
}
