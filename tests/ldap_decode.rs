//! End-to-end decoding of hand-built LDAP BER into the shared model, and filter rendering of
//! the searches capdiag cares about (the Exchange SCP lookup and the CLDAP DC-locator ping).

use capdiag::proto::ldap::{
    BindAuth, DerefAliases, Filter, InnerMech, LdapError, LdapOp, MAX_FILTER_DEPTH, ResultCode,
    Scope, decode_datagram, decode_message,
};

/// One DER element with a minimal length (the decoder crate's own writer).
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    capdiag::proto::ber::write(&mut out, tag, body);
    out
}

/// A BER element with Windows' 4-byte long-form length.
fn tlv84(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag, 0x84];
    v.extend_from_slice(&(body.len() as u32).to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn octets(s: &[u8]) -> Vec<u8> {
    tlv(0x04, s)
}

fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

fn message(id: u8, op: &[u8], controls: Option<&[u8]>) -> Vec<u8> {
    let mut body = vec![0x02, 0x01, id];
    body.extend_from_slice(op);
    if let Some(c) = controls {
        body.extend(tlv(0xa0, c));
    }
    tlv(0x30, &body)
}

fn eq(attr: &str, value: &[u8]) -> Vec<u8> {
    tlv(0xa3, &cat(&[&octets(attr.as_bytes()), &octets(value)]))
}

#[allow(clippy::too_many_arguments)]
fn search_op(
    base: &str,
    scope: u8,
    deref: u8,
    size: u8,
    time: u8,
    filter: &[u8],
    attrs: &[&str],
) -> Vec<u8> {
    let attr_list: Vec<u8> = attrs.iter().flat_map(|a| octets(a.as_bytes())).collect();
    tlv(
        0x63,
        &cat(&[
            &octets(base.as_bytes()),
            &[0x0a, 0x01, scope, 0x0a, 0x01, deref],
            &[0x02, 0x01, size, 0x02, 0x01, time, 0x01, 0x01, 0x00],
            filter,
            &tlv(0x30, &attr_list),
        ]),
    )
}

const SCP_FILTER_TEXT: &str = "(&(objectClass=serviceConnectionPoint)(|(keywords=67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68)(keywords=77378F46-2C66-4aa9-A6A6-3E7A48B19596)))";

fn scp_filter() -> Vec<u8> {
    tlv(
        0xa0,
        &cat(&[
            &eq("objectClass", b"serviceConnectionPoint"),
            &tlv(
                0xa1,
                &cat(&[
                    &eq("keywords", b"67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68"),
                    &eq("keywords", b"77378F46-2C66-4aa9-A6A6-3E7A48B19596"),
                ]),
            ),
        ]),
    )
}

#[test]
fn scp_search_decodes_and_renders_byte_identical() {
    let op = search_op(
        "CN=Configuration,DC=contoso,DC=test",
        2,
        0,
        0,
        0,
        &scp_filter(),
        &["keywords", "serviceBindingInformation"],
    );
    // Paged-results control as ADSI sends it (criticality TRUE, value omitted here).
    let control = tlv(
        0x30,
        &cat(&[&octets(b"1.2.840.113556.1.4.319"), &[0x01, 0x01, 0xff]]),
    );
    let msg = decode_message(&message(5, &op, Some(&control))).unwrap();
    assert_eq!(msg.message_id, 5);
    let LdapOp::SearchRequest(s) = msg.op else {
        panic!("not a search: {:?}", msg.op)
    };
    assert_eq!(s.base, "CN=Configuration,DC=contoso,DC=test");
    assert_eq!(s.scope, Scope::Subtree);
    assert_eq!(s.deref, DerefAliases::Never);
    assert_eq!(s.attributes, ["keywords", "serviceBindingInformation"]);
    assert_eq!(s.controls, ["1.2.840.113556.1.4.319"]);
    assert!(!s.types_only);
    assert_eq!(s.filter.to_string(), SCP_FILTER_TEXT);
}

#[test]
fn cldap_ping_filter_renders_like_the_spec() {
    let guid = [
        0x3b, 0xb0, 0x21, 0xca, 0xd3, 0x6d, 0xd1, 0x11, 0x8a, 0x7d, 0xb8, 0xdf, 0xb1, 0x56, 0x87,
        0x1f,
    ];
    let filter = tlv(
        0xa0,
        &cat(&[
            &eq("DnsDomain", b"abcde.corp.microsoft.com"),
            &eq("Host", b"abcdefgh-dev"),
            &eq("User", b"abcdefgh-dev$"),
            &eq("AAC", &[0x80, 0, 0, 0]),
            &eq("DomainGuid", &guid),
            &eq("NtVer", &[0x06, 0, 0, 0]),
        ]),
    );
    let op = search_op("", 0, 0, 0, 0, &filter, &["Netlogon"]);
    let msg = decode_message(&message(1, &op, None)).unwrap();
    let LdapOp::SearchRequest(s) = msg.op else {
        panic!("not a search")
    };
    assert_eq!(s.scope, Scope::Base);
    assert_eq!(
        s.filter.to_string(),
        "(&(DnsDomain=abcde.corp.microsoft.com)(Host=abcdefgh-dev)(User=abcdefgh-dev$)(AAC=\\80\\00\\00\\00)(DomainGuid=\\3b\\b0\\21\\ca\\d3\\6d\\d1\\11\\8a\\7d\\b8\\df\\b1\\56\\87\\1f)(NtVer=\\06\\00\\00\\00))"
    );
}

#[test]
fn windows_four_byte_lengths_everywhere() {
    let filter = tlv84(0x87, b"objectClass");
    let op = tlv84(
        0x63,
        &cat(&[
            &tlv84(0x04, b""),
            &[0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x00],
            &[0x02, 0x01, 0x00, 0x01, 0x01, 0x00],
            &filter,
            &tlv84(0x30, &tlv84(0x04, b"configurationNamingContext")),
        ]),
    );
    let pdu = tlv84(0x30, &cat(&[&[0x02, 0x01, 0x02], &op]));
    let msg = decode_message(&pdu).unwrap();
    let LdapOp::SearchRequest(s) = msg.op else {
        panic!("not a search")
    };
    assert_eq!(s.filter.to_string(), "(objectClass=*)");
    assert_eq!(s.attributes, ["configurationNamingContext"]);
}

#[test]
fn n_ary_and_one_child_and_empty_sets_survive_decoding() {
    let filter = tlv(
        0xa1,
        &cat(&[
            &tlv(
                0xa0,
                &cat(&[&eq("a", b"1"), &eq("b", b"2"), &eq("c", b"3")]),
            ),
            &tlv(0xa0, &eq("d", b"4")),
            &tlv(0xa0, &[]),
            &tlv(0xa2, &tlv(0x87, b"x")),
            &tlv(
                0xa4,
                &cat(&[
                    &octets(b"cn"),
                    &tlv(
                        0x30,
                        &cat(&[&tlv(0x80, b"ab"), &tlv(0x81, b"cd"), &tlv(0x82, b"ef")]),
                    ),
                ]),
            ),
            &tlv(
                0xa9,
                &cat(&[
                    &tlv(0x81, b"1.2.840.113556.1.4.803"),
                    &tlv(0x82, b"userAccountControl"),
                    &tlv(0x83, b"2"),
                    &[0x84, 0x01, 0xff],
                ]),
            ),
        ]),
    );
    let op = search_op("DC=x", 1, 3, 10, 30, &filter, &[]);
    let LdapOp::SearchRequest(s) = decode_message(&message(9, &op, None)).unwrap().op else {
        panic!("not a search")
    };
    assert_eq!(s.scope, Scope::OneLevel);
    assert_eq!(s.deref, DerefAliases::Always);
    assert_eq!((s.size_limit, s.time_limit), (10, 30));
    assert!(s.attributes.is_empty());
    assert_eq!(
        s.filter.to_string(),
        "(|(&(a=1)(b=2)(c=3))(&(d=4))(&)(!(x=*))(cn=ab*cd*ef)(userAccountControl:dn:1.2.840.113556.1.4.803:=2))"
    );
}

#[test]
fn deep_filter_becomes_too_deep_instead_of_failing() {
    let mut filter = eq("cn", b"x");
    for _ in 0..200 {
        filter = tlv(0xa0, &filter);
    }
    let op = search_op("", 2, 0, 0, 0, &filter, &[]);
    let LdapOp::SearchRequest(s) = decode_message(&message(3, &op, None)).unwrap().op else {
        panic!("not a search")
    };
    let mut node = &s.filter;
    let mut depth = 1;
    while let Filter::And(children) = node {
        assert_eq!(children.len(), 1);
        node = &children[0];
        depth += 1;
    }
    assert_eq!(*node, Filter::TooDeep);
    assert_eq!(depth, MAX_FILTER_DEPTH + 1);
    assert!(s.filter.to_string().contains("(&(...))"));
}

#[test]
fn simple_bind_keeps_only_the_password_length() {
    let op = tlv(
        0x60,
        &cat(&[
            &[0x02, 0x01, 0x03],
            &octets(b"CN=svc,CN=Users,DC=contoso,DC=test"),
            &tlv(0x80, b"S3cret!pw"),
        ]),
    );
    let msg = decode_message(&message(1, &op, None)).unwrap();
    let LdapOp::BindRequest(b) = &msg.op else {
        panic!("not a bind")
    };
    assert_eq!(b.version, 3);
    assert_eq!(b.name, "CN=svc,CN=Users,DC=contoso,DC=test");
    assert_eq!(b.auth, BindAuth::Simple { password_len: 9 });
    assert!(!format!("{msg:?}").contains("S3cret"));
}

#[test]
fn sasl_gss_spnego_bind_with_kerberos_inside() {
    let ms_krb5 = [
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x82, 0xf7, 0x12, 0x01, 0x02, 0x02,
    ];
    let spnego = [0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
    let init = tlv(0xa0, &tlv(0x30, &tlv(0xa0, &tlv(0x30, &ms_krb5))));
    let token = tlv(0x60, &cat(&[&spnego, &init]));
    let op = tlv(
        0x60,
        &cat(&[
            &[0x02, 0x01, 0x03],
            &octets(b""),
            &tlv(0xa3, &cat(&[&octets(b"GSS-SPNEGO"), &octets(&token)])),
        ]),
    );
    let LdapOp::BindRequest(b) = decode_message(&message(1, &op, None)).unwrap().op else {
        panic!("not a bind")
    };
    assert_eq!(
        b.auth,
        BindAuth::Sasl {
            mechanism: "GSS-SPNEGO".into(),
            credentials_len: token.len(),
            inner: Some(InnerMech::Kerberos),
        }
    );
}

#[test]
fn sasl_bind_with_raw_ntlmssp() {
    let op = tlv(
        0x60,
        &cat(&[
            &[0x02, 0x01, 0x03],
            &octets(b""),
            &tlv(
                0xa3,
                &cat(&[&octets(b"GSS-SPNEGO"), &octets(b"NTLMSSP\0\x01\0\0\0")]),
            ),
        ]),
    );
    let LdapOp::BindRequest(b) = decode_message(&message(1, &op, None)).unwrap().op else {
        panic!("not a bind")
    };
    assert!(matches!(
        b.auth,
        BindAuth::Sasl {
            inner: Some(InnerMech::Ntlm),
            credentials_len: 12,
            ..
        }
    ));
}

#[test]
fn sicily_binds() {
    for (tag, expected) in [
        (0x89, BindAuth::SicilyPackageDiscovery),
        (0x8a, BindAuth::SicilyNegotiate),
        (0x8b, BindAuth::SicilyResponse),
        (0x81, BindAuth::Other { tag: 1 }),
    ] {
        let op = tlv(
            0x60,
            &cat(&[
                &[0x02, 0x01, 0x03],
                &octets(b"dc1"),
                &tlv(tag, b"NTLMSSP\0"),
            ]),
        );
        let LdapOp::BindRequest(b) = decode_message(&message(1, &op, None)).unwrap().op else {
            panic!("not a bind")
        };
        assert_eq!((b.name.as_str(), b.auth), ("dc1", expected));
    }
}

#[test]
fn bind_response_with_ad_diagnostic_and_sasl_creds() {
    let diag = b"80090308: LdapErr: DSID-0C09042F, comment: AcceptSecurityContext error, data 52e, v4563\0";
    let op = tlv(
        0x61,
        &cat(&[
            &[0x0a, 0x01, 49],
            &octets(b""),
            &octets(diag),
            &tlv(0x87, &[0xa1, 0x00]),
        ]),
    );
    let LdapOp::BindResponse(r) = decode_message(&message(1, &op, None)).unwrap().op else {
        panic!("not a bind response")
    };
    assert_eq!(r.result.code, ResultCode::InvalidCredentials);
    assert!(r.result.diagnostic.starts_with("80090308: LdapErr"));
    assert_eq!(r.server_sasl_creds_len, Some(2));
}

#[test]
fn entries_keep_attribute_and_value_order() {
    let attr = |name: &str, vals: &[&[u8]]| {
        let v: Vec<u8> = vals.iter().flat_map(|v| octets(v)).collect();
        tlv(0x30, &cat(&[&octets(name.as_bytes()), &tlv(0x31, &v)]))
    };
    let op = tlv(
        0x64,
        &cat(&[
            &octets(b"CN=EX1,CN=Autodiscover,CN=Protocols,CN=EX1,CN=Servers"),
            &tlv(
                0x30,
                &cat(&[
                    &attr(
                        "serviceBindingInformation",
                        &[b"https://ex1.contoso.test/Autodiscover/Autodiscover.xml"],
                    ),
                    &attr(
                        "keywords",
                        &[
                            b"Site=Default-First-Site-Name",
                            b"77378F46-2C66-4aa9-A6A6-3E7A48B19596",
                            b"67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68",
                        ],
                    ),
                    &attr("objectGUID", &[&[0xff, 0x00, 0x01]]),
                ]),
            ),
        ]),
    );
    let LdapOp::SearchResultEntry(e) = decode_message(&message(5, &op, None)).unwrap().op else {
        panic!("not an entry")
    };
    assert_eq!(
        e.dn,
        "CN=EX1,CN=Autodiscover,CN=Protocols,CN=EX1,CN=Servers"
    );
    let names: Vec<&str> = e.attributes.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["serviceBindingInformation", "keywords", "objectGUID"]
    );
    assert_eq!(
        e.attributes[1].1,
        [
            b"Site=Default-First-Site-Name".to_vec(),
            b"77378F46-2C66-4aa9-A6A6-3E7A48B19596".to_vec(),
            b"67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68".to_vec()
        ]
    );
    assert_eq!(e.attributes[2].1, [vec![0xff, 0x00, 0x01]]);
}

#[test]
fn reference_done_with_referral_and_unlisted_code() {
    let op = tlv(
        0x73,
        &cat(&[
            &octets(b"ldap://ForestDnsZones.contoso.test/DC=ForestDnsZones,DC=contoso,DC=test"),
            &octets(b"ldap://contoso.test/CN=Configuration,DC=contoso,DC=test"),
        ]),
    );
    let LdapOp::SearchResultReference(refs) = decode_message(&message(5, &op, None)).unwrap().op
    else {
        panic!("not a reference")
    };
    assert_eq!(refs.len(), 2);
    assert!(refs[1].starts_with("ldap://contoso.test/"));

    let op = tlv(
        0x65,
        &cat(&[
            &[0x0a, 0x01, 10],
            &octets(b""),
            &octets(b"0000202B: RefErr: DSID-0310082F, data 0, 1 access points\n\tref 1: 'other.test'\n\0"),
            &tlv(0xa3, &octets(b"ldap://other.test/CN=Configuration,DC=other,DC=test")),
        ]),
    );
    let LdapOp::SearchResultDone(done) = decode_message(&message(5, &op, None)).unwrap().op else {
        panic!("not a done")
    };
    assert_eq!(done.code, ResultCode::Referral);
    assert_eq!(
        done.referral,
        ["ldap://other.test/CN=Configuration,DC=other,DC=test"]
    );

    // resultCode 118 (canceled) is not in rasn-ldap's enum; the number still comes through.
    let op = tlv(
        0x65,
        &cat(&[&[0x0a, 0x01, 118], &octets(b""), &octets(b"")]),
    );
    let LdapOp::SearchResultDone(done) = decode_message(&message(6, &op, None)).unwrap().op else {
        panic!("not a done")
    };
    assert_eq!(done.code, ResultCode::Canceled);
    assert_eq!(done.code.to_string(), "canceled");
}

#[test]
fn start_tls_extended_request_and_response() {
    let op = tlv(0x77, &tlv(0x80, b"1.3.6.1.4.1.1466.20037"));
    let msg = decode_message(&message(1, &op, None)).unwrap();
    assert_eq!(
        msg.op,
        LdapOp::ExtendedRequest {
            name: "1.3.6.1.4.1.1466.20037".into(),
            value_len: 0
        }
    );
    let op = tlv(
        0x78,
        &cat(&[
            &[0x0a, 0x01, 0x00],
            &octets(b""),
            &octets(b""),
            &tlv(0x8a, b"1.3.6.1.4.1.1466.20037"),
        ]),
    );
    let LdapOp::ExtendedResponse { result, name } =
        decode_message(&message(1, &op, None)).unwrap().op
    else {
        panic!("not an extended response")
    };
    assert_eq!(result.code, ResultCode::Success);
    assert_eq!(name.as_deref(), Some("1.3.6.1.4.1.1466.20037"));
}

#[test]
fn unbind_abandon_and_other_ops() {
    assert_eq!(
        decode_message(&message(7, &[0x42, 0x00], None)).unwrap().op,
        LdapOp::UnbindRequest
    );
    assert_eq!(
        decode_message(&message(8, &[0x50, 0x01, 0x05], None))
            .unwrap()
            .op,
        LdapOp::AbandonRequest(5)
    );
    // delRequest [APPLICATION 10] "CN=x"
    assert_eq!(
        decode_message(&message(9, &tlv(0x4a, b"CN=x"), None))
            .unwrap()
            .op,
        LdapOp::Other("delRequest")
    );
    // modifyResponse success
    let op = tlv(
        0x67,
        &cat(&[&[0x0a, 0x01, 0x00], &octets(b""), &octets(b"")]),
    );
    assert_eq!(
        decode_message(&message(9, &op, None)).unwrap().op,
        LdapOp::Other("modifyResponse")
    );
}

#[test]
fn trailing_bytes_and_garbage_are_errors_not_panics() {
    let mut pdu = message(7, &[0x42, 0x00], None);
    pdu.push(0x00);
    assert_eq!(decode_message(&pdu), Err(LdapError::TrailingBytes(1)));
    for garbage in [
        &[][..],
        &[0x30],
        &[0x30, 0x05, 0x02, 0x01],
        &[0x30, 0x80, 0x02, 0x01, 0x01, 0x42, 0x00, 0x00, 0x00],
        &[0x30, 0x03, 0x02, 0x01, 0x01],
        &[0x04, 0x00],
    ] {
        assert!(decode_message(garbage).is_err(), "{garbage:?}");
    }
    // every truncation of a real search fails cleanly
    let full = message(
        5,
        &search_op("DC=x", 2, 0, 0, 0, &scp_filter(), &["keywords"]),
        None,
    );
    for cut in 0..full.len() {
        assert!(decode_message(&full[..cut]).is_err());
    }
}

#[test]
fn datagram_with_entry_and_done_back_to_back() {
    let netlogon = [0x17, 0x00, 0x00, 0x00, 0xfd, 0xf3];
    let entry = tlv(
        0x64,
        &cat(&[
            &octets(b""),
            &tlv(
                0x30,
                &tlv(
                    0x30,
                    &cat(&[&octets(b"netlogon"), &tlv(0x31, &octets(&netlogon))]),
                ),
            ),
        ]),
    );
    let done = tlv(
        0x65,
        &cat(&[&[0x0a, 0x01, 0x00], &octets(b""), &octets(b"")]),
    );
    let mut datagram = message(2, &entry, None);
    datagram.extend(message(2, &done, None));
    let (messages, error) = decode_datagram(&datagram);
    assert_eq!(error, None);
    assert_eq!(messages.len(), 2);
    let LdapOp::SearchResultEntry(e) = &messages[0].op else {
        panic!("not an entry")
    };
    assert_eq!(
        e.attributes,
        [("netlogon".to_string(), vec![netlogon.to_vec()])]
    );
    assert!(
        matches!(messages[1].op, LdapOp::SearchResultDone(ref r) if r.code == ResultCode::Success)
    );

    // a broken tail keeps what decoded before it
    datagram.extend([0x30, 0x05, 0x02]);
    let (messages, error) = decode_datagram(&datagram);
    assert_eq!(messages.len(), 2);
    assert!(error.is_some());
}

#[test]
fn every_single_byte_mutation_is_handled_without_panicking() {
    let search = message(
        5,
        &search_op("DC=x", 2, 0, 0, 0, &scp_filter(), &["keywords"]),
        None,
    );
    let spnego = [0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
    let ntlm = [
        0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a,
    ];
    let init = tlv(0xa0, &tlv(0x30, &tlv(0xa0, &tlv(0x30, &ntlm))));
    let bind = message(
        1,
        &tlv(
            0x60,
            &cat(&[
                &[0x02, 0x01, 0x03],
                &octets(b""),
                &tlv(
                    0xa3,
                    &cat(&[
                        &octets(b"GSS-SPNEGO"),
                        &octets(&tlv(0x60, &cat(&[&spnego, &init]))),
                    ]),
                ),
            ]),
        ),
        None,
    );
    let mut decoded = 0;
    for original in [search, bind] {
        for at in 0..original.len() {
            for byte in 0..=255u8 {
                let mut pdu = original.clone();
                pdu[at] = byte;
                decoded += usize::from(decode_message(&pdu).is_ok());
                let _ = decode_datagram(&pdu);
            }
        }
    }
    // Plenty of mutations (value bytes) still decode; the point is that none panicked.
    assert!(decoded > 0);
}

#[test]
fn a_hundred_thousand_nested_nots_do_not_overflow_the_stack() {
    let leaf = [0x87, 0x02, b'c', b'n'];
    let levels = 100_000usize;
    let mut filter = Vec::with_capacity(levels * 6 + leaf.len());
    for level in (1..=levels).rev() {
        filter.extend([0xa2, 0x84]);
        filter.extend(((6 * (level - 1) + leaf.len()) as u32).to_be_bytes());
    }
    filter.extend(leaf);
    let op = tlv84(
        0x63,
        &cat(&[
            &octets(b""),
            &[0x0a, 0x01, 0x02, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x00],
            &[0x02, 0x01, 0x00, 0x01, 0x01, 0x00],
            &filter,
            &[0x30, 0x00],
        ]),
    );
    let pdu = tlv84(0x30, &cat(&[&[0x02, 0x01, 0x01], &op]));
    let LdapOp::SearchRequest(s) = decode_message(&pdu).unwrap().op else {
        panic!("not a search")
    };
    let text = s.filter.to_string();
    assert_eq!(
        text,
        format!(
            "{}(...){}",
            "(!".repeat(MAX_FILTER_DEPTH),
            ")".repeat(MAX_FILTER_DEPTH)
        )
    );
}
