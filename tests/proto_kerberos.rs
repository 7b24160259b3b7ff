//! Kerberos decoding on hand-built RFC 4120 messages and on two messages of the lab capture
//! `samples/kerberos-preauth-failed.pcap` (MIT kinit against a Samba KDC).

use capdiag::chain::kerberos_causes::{cause_code, error_meaning};
use capdiag::proto::kerberos::*;

/// One DER element with a minimal length (the decoder crate's own writer).
fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    capdiag::proto::ber::write(&mut out, tag, body);
    out
}

fn int(v: u8) -> Vec<u8> {
    vec![0x02, 0x01, v]
}

/// [n] EXPLICIT
fn ctx(n: u8, body: &[u8]) -> Vec<u8> {
    tlv(0xa0 | n, body)
}

fn kstr(s: &str) -> Vec<u8> {
    tlv(0x1b, s.as_bytes())
}

/// PrincipalName ::= SEQUENCE { name-type [0], name-string [1] SEQUENCE OF KerberosString }
fn pname(kind: u8, parts: &[&str]) -> Vec<u8> {
    let names: Vec<u8> = parts.iter().flat_map(|p| kstr(p)).collect();
    tlv(
        0x30,
        &[ctx(0, &int(kind)), ctx(1, &tlv(0x30, &names))].concat(),
    )
}

fn gtime() -> Vec<u8> {
    tlv(0x18, b"20261127041447Z")
}

/// KDC-REQ-BODY with kdc-options, cname, realm, sname, till, nonce, etype.
fn req_body(cname: Option<&[&str]>, realm: &str, sname: &[&str]) -> Vec<u8> {
    let mut f = ctx(0, &[0x03, 0x05, 0x00, 0x40, 0x81, 0x00, 0x10]);
    if let Some(c) = cname {
        f.extend(ctx(1, &pname(1, c)));
    }
    f.extend(ctx(2, &kstr(realm)));
    f.extend(ctx(3, &pname(2, sname)));
    f.extend(ctx(5, &gtime()));
    f.extend(ctx(7, &[0x02, 0x04, 0x12, 0x34, 0x56, 0x78]));
    f.extend(ctx(8, &tlv(0x30, &[int(18), int(17), int(23)].concat())));
    tlv(0x30, &f)
}

fn pa_data(kind: u8, value: &[u8]) -> Vec<u8> {
    tlv(
        0x30,
        &[ctx(1, &int(kind)), ctx(2, &tlv(0x04, value))].concat(),
    )
}

/// Ticket ::= [APPLICATION 1] SEQUENCE { tkt-vno [0], realm [1], sname [2], enc-part [3] }
fn ticket(realm: &str, sname: &[&str]) -> Vec<u8> {
    let enc = tlv(
        0x30,
        &[ctx(0, &int(18)), ctx(2, &tlv(0x04, &[0xaa; 40]))].concat(),
    );
    tlv(
        0x61,
        &tlv(
            0x30,
            &[
                ctx(0, &int(5)),
                ctx(1, &kstr(realm)),
                ctx(2, &pname(2, sname)),
                ctx(3, &enc),
            ]
            .concat(),
        ),
    )
}

fn krb_error(code: u8, e_text: Option<&str>, e_data: Option<&[u8]>) -> Vec<u8> {
    let mut f = [
        ctx(0, &int(5)),
        ctx(1, &int(30)),
        ctx(4, &gtime()),
        ctx(5, &[0x02, 0x03, 0x0b, 0xdb, 0x79]),
        ctx(6, &int(code)),
        ctx(7, &kstr("CONTOSO.TEST")),
        ctx(8, &pname(1, &["crmsvc"])),
        ctx(9, &kstr("CONTOSO.TEST")),
        ctx(10, &pname(2, &["krbtgt", "CONTOSO.TEST"])),
    ]
    .concat();
    if let Some(t) = e_text {
        f.extend(ctx(11, &kstr(t)));
    }
    if let Some(d) = e_data {
        f.extend(ctx(12, &tlv(0x04, d)));
    }
    tlv(0x7e, &tlv(0x30, &f))
}

#[test]
fn as_req_with_pa_data() {
    let padata = tlv(
        0x30,
        &[
            pa_data(2, &[0x30, 0x03, 0xa0, 0x01, 0x12]),
            pa_data(128, &[0x30, 0x05, 0xa0, 0x03, 0x01, 0x01, 0xff]),
        ]
        .concat(),
    );
    let msg = tlv(
        0x6a,
        &tlv(
            0x30,
            &[
                ctx(1, &int(5)),
                ctx(2, &int(10)),
                ctx(3, &padata),
                ctx(
                    4,
                    &req_body(
                        Some(&["crmsvc"]),
                        "CONTOSO.TEST",
                        &["krbtgt", "CONTOSO.TEST"],
                    ),
                ),
            ]
            .concat(),
        ),
    );
    let m = decode_kerberos(&msg).unwrap();
    assert_eq!(m.kind, KrbMessageKind::AsReq);
    assert_eq!(m.realm.as_deref(), Some("CONTOSO.TEST"));
    assert_eq!(m.client.as_deref(), Some("crmsvc"));
    assert_eq!(m.service.as_deref(), Some("krbtgt/CONTOSO.TEST"));
    assert_eq!(m.error_code, None);
}

#[test]
fn tgs_req_names_the_ldap_service() {
    // A TGS-REQ has no cname in its body; the AP-REQ rides in padata (type 1).
    let padata = tlv(0x30, &pa_data(1, &[0x6e, 0x02, 0x30, 0x00]));
    let msg = tlv(
        0x6c,
        &tlv(
            0x30,
            &[
                ctx(1, &int(5)),
                ctx(2, &int(12)),
                ctx(3, &padata),
                ctx(
                    4,
                    &req_body(None, "CONTOSO.TEST", &["ldap", "dc1.contoso.test"]),
                ),
            ]
            .concat(),
        ),
    );
    let m = decode_kerberos(&msg).unwrap();
    assert_eq!(m.kind, KrbMessageKind::TgsReq);
    assert_eq!(m.client, None);
    assert_eq!(m.service.as_deref(), Some("ldap/dc1.contoso.test"));
    assert_eq!(m.realm.as_deref(), Some("CONTOSO.TEST"));
}

#[test]
fn as_rep_and_tgs_rep_take_the_service_from_the_ticket() {
    let enc = tlv(
        0x30,
        &[ctx(0, &int(18)), ctx(2, &tlv(0x04, &[0x55; 32]))].concat(),
    );
    let rep = |app: u8, msg_type: u8, sname: &[&str]| {
        tlv(
            app,
            &tlv(
                0x30,
                &[
                    ctx(0, &int(5)),
                    ctx(1, &int(msg_type)),
                    ctx(3, &kstr("CONTOSO.TEST")),
                    ctx(4, &pname(1, &["crmsvc"])),
                    ctx(5, &ticket("CONTOSO.TEST", sname)),
                    ctx(6, &enc),
                ]
                .concat(),
            ),
        )
    };
    let m = decode_kerberos(&rep(0x6b, 11, &["krbtgt", "CONTOSO.TEST"])).unwrap();
    assert_eq!(m.kind, KrbMessageKind::AsRep);
    assert_eq!(m.client.as_deref(), Some("crmsvc"));
    assert_eq!(m.realm.as_deref(), Some("CONTOSO.TEST"));
    assert_eq!(m.service.as_deref(), Some("krbtgt/CONTOSO.TEST"));
    let m = decode_kerberos(&rep(0x6d, 13, &["HTTP", "mail.contoso.test"])).unwrap();
    assert_eq!(m.kind, KrbMessageKind::TgsRep);
    assert_eq!(m.service.as_deref(), Some("HTTP/mail.contoso.test"));
}

#[test]
fn krb_error_preauth_required_with_method_data() {
    // e-data = METHOD-DATA: SEQUENCE OF PA-DATA (ENC-TIMESTAMP 2, ETYPE-INFO2 19).
    let method_data = tlv(
        0x30,
        &[
            pa_data(2, &[]),
            pa_data(19, &[0x30, 0x05, 0x30, 0x03, 0xa0, 0x01, 0x12]),
        ]
        .concat(),
    );
    let msg = krb_error(25, Some("Need to use PA-ENC-TIMESTAMP"), Some(&method_data));
    let m = decode_kerberos(&msg).unwrap();
    assert_eq!(m.kind, KrbMessageKind::KrbError);
    assert_eq!(m.error_code, Some(ErrorCode::KdcErrPreauthRequired));
    assert_eq!(
        m.error_text.as_deref(),
        Some("Need to use PA-ENC-TIMESTAMP")
    );
    assert_eq!(m.realm.as_deref(), Some("CONTOSO.TEST"));
    assert_eq!(m.client.as_deref(), Some("crmsvc"));
    assert_eq!(m.service.as_deref(), Some("krbtgt/CONTOSO.TEST"));
    assert_eq!(m.ext_status, None);
    assert!(m.error_code.is_some_and(ErrorCode::is_normal_step));
}

#[test]
fn krb_error_with_windows_extended_status() {
    // KERB-ERROR-DATA { data-type [1] 3, data-value [2] KERB-EXT-ERROR }:
    // status 0xC0000234 (little-endian), reserved 0, flags 1.
    let ext = [0x34, 0x02, 0x00, 0xc0, 0, 0, 0, 0, 0x01, 0, 0, 0];
    let e_data = tlv(0x30, &[ctx(1, &int(3)), ctx(2, &tlv(0x04, &ext))].concat());
    let m = decode_kerberos(&krb_error(18, None, Some(&e_data))).unwrap();
    assert_eq!(m.error_code, Some(ErrorCode::KdcErrClientRevoked));
    assert_eq!(m.error_text, None);
    assert_eq!(m.ext_status, Some(0xC000_0234));
    assert_eq!(
        ntstatus_name(0xC000_0234),
        Some("STATUS_ACCOUNT_LOCKED_OUT")
    );
    assert_eq!(cause_code(ErrorCode::from(18)), "kerberos.client_revoked");
}

#[test]
fn krb_error_with_a_utf8_client_name() {
    // Windows sends non-ASCII account names as UTF-8 ("ä" = c3 a4, "ü" = c3 bc).
    let f = [
        ctx(0, &int(5)),
        ctx(1, &int(30)),
        ctx(4, &gtime()),
        ctx(5, &int(0)),
        ctx(6, &int(6)),
        ctx(8, &pname(1, &["jürgen.ämter"])),
        ctx(9, &kstr("CONTOSO.TEST")),
        ctx(10, &pname(2, &["krbtgt", "CONTOSO.TEST"])),
    ]
    .concat();
    let m = decode_kerberos(&tlv(0x7e, &tlv(0x30, &f))).unwrap();
    assert_eq!(m.error_code, Some(ErrorCode::KdcErrCPrincipalUnknown));
    assert_eq!(m.client.as_deref(), Some("jürgen.ämter"));
    assert_eq!(cause_code(ErrorCode::from(6)), "kerberos.client_unknown");
}

#[test]
fn other_application_tags_and_garbage() {
    // KRB-PRIV [APPLICATION 21]
    let m = decode_kerberos(&tlv(0x75, &tlv(0x30, &ctx(0, &int(5))))).unwrap();
    assert_eq!(m.kind, KrbMessageKind::Other(21));
    // AP-REQ [APPLICATION 14] carries a ticket for the service.
    let apreq = tlv(
        0x6e,
        &tlv(
            0x30,
            &[
                ctx(0, &int(5)),
                ctx(1, &int(14)),
                ctx(2, &[0x03, 0x05, 0x00, 0x20, 0, 0, 0]),
                ctx(3, &ticket("CONTOSO.TEST", &["ldap", "dc1.contoso.test"])),
            ]
            .concat(),
        ),
    );
    let m = decode_kerberos(&apreq).unwrap();
    assert_eq!(m.kind, KrbMessageKind::Other(14));
    assert_eq!(m.service.as_deref(), Some("ldap/dc1.contoso.test"));
    // Not Kerberos at all, empty, truncated.
    assert!(decode_kerberos(&[0x30, 0x03, 0x02, 0x01, 0x05]).is_err());
    assert!(decode_kerberos(&[]).is_err());
    let full = krb_error(24, None, None);
    for cut in [1, 2, 3, 10, full.len() - 1] {
        assert!(decode_kerberos(&full[..cut]).is_err(), "cut at {cut}");
    }
}

#[test]
fn never_panics_on_mangled_bytes() {
    let full = krb_error(37, Some("Clock skew too great"), Some(&[0x30, 0x00]));
    for i in 0..full.len() {
        for v in [0x00, 0x7f, 0x80, 0x84, 0xff] {
            let mut m = full.clone();
            m[i] = v;
            let _ = decode_kerberos(&m);
        }
    }
}

#[test]
fn error_names_meanings_and_causes() {
    assert_eq!(ErrorCode::from(24).to_string(), "KDC_ERR_PREAUTH_FAILED");
    assert_eq!(ErrorCode::from(25).to_string(), "KDC_ERR_PREAUTH_REQUIRED");
    assert_eq!(
        ErrorCode::from(6).to_string(),
        "KDC_ERR_C_PRINCIPAL_UNKNOWN"
    );
    assert_eq!(
        ErrorCode::from(7).to_string(),
        "KDC_ERR_S_PRINCIPAL_UNKNOWN"
    );
    assert_eq!(ErrorCode::from(37).to_string(), "KRB_AP_ERR_SKEW");
    assert_eq!(ErrorCode::from(18).to_string(), "KDC_ERR_CLIENT_REVOKED");
    assert_eq!(ErrorCode::from(68).to_string(), "KDC_ERR_WRONG_REALM");
    assert_eq!(ErrorCode::from(52).to_string(), "KRB_ERR_RESPONSE_TOO_BIG");
    assert_eq!(ErrorCode::from(14).to_string(), "KDC_ERR_ETYPE_NOSUPP");
    assert_eq!(ErrorCode::from(23).to_string(), "KDC_ERR_KEY_EXPIRED");
    assert_eq!(ErrorCode::from(41).to_string(), "KRB_AP_ERR_MODIFIED");
    assert_eq!(ErrorCode::from(30).to_string(), "KRB_ERR_UNKNOWN");
    assert_eq!(ErrorCode::from(-1).to_string(), "KRB_ERR_UNKNOWN");
    for code in 0..=93 {
        assert!(
            error_meaning(ErrorCode::from(code)).ends_with('.'),
            "{code}"
        );
    }
    assert!(error_meaning(ErrorCode::from(24)).contains("password"));
    assert!(ErrorCode::from(52).is_normal_step());
    assert!(!ErrorCode::from(24).is_normal_step());
    assert_eq!(i32::from(ErrorCode::KrbApErrSkew), 37);
    assert_eq!(ErrorCode::from(30), ErrorCode::Unknown(30));
    assert_eq!(cause_code(ErrorCode::from(24)), "kerberos.preauth_failed");
    assert_eq!(cause_code(ErrorCode::from(7)), "kerberos.service_unknown");
    assert_eq!(cause_code(ErrorCode::from(37)), "kerberos.clock_skew");
    assert_eq!(cause_code(ErrorCode::from(68)), "kerberos.wrong_realm");
    assert_eq!(cause_code(ErrorCode::from(23)), "kerberos.key_expired");
    assert_eq!(cause_code(ErrorCode::from(41)), "kerberos.modified");
    assert_eq!(cause_code(ErrorCode::from(14)), "kerberos.etype_nosupp");
    assert_eq!(cause_code(ErrorCode::from(52)), "kerberos.response_too_big");
    assert_eq!(
        cause_code(ErrorCode::from(62)),
        "kerberos.client_not_trusted"
    );
    assert_eq!(cause_code(ErrorCode::from(999)), "kerberos.error_999");
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Frame 12 of samples/kerberos-preauth-failed.pcap: the Samba KDC's KRB-ERROR after
/// `kinit crmsvc@CONTOSO.TEST` with a wrong password (the scenario's expected cause).
#[test]
fn lab_capture_preauth_failed() {
    let m = decode_kerberos(&unhex(
        "7e81bc3081b9a003020105a10302011ea411180f32303236313132373034313434375aa50502030c0241a6\
         03020118a70e1b0c434f4e544f534f2e54455354a8133011a003020101a10a30081b0663726d737663a90e\
         1b0c434f4e544f534f2e54455354aa21301fa003020102a11830161b066b72627467741b0c434f4e544f53\
         4f2e54455354ac36043430323030a103020113a229042730253023a003020112a1141b12434f4e544f534f\
         2e5445535463726d737663a206040400001000",
    ))
    .unwrap();
    assert_eq!(m.kind, KrbMessageKind::KrbError);
    assert_eq!(m.error_code, Some(ErrorCode::KdcErrPreauthFailed));
    assert_eq!(m.client.as_deref(), Some("crmsvc"));
    assert_eq!(m.realm.as_deref(), Some("CONTOSO.TEST"));
    assert_eq!(m.service.as_deref(), Some("krbtgt/CONTOSO.TEST"));
    assert_eq!(cause_code(ErrorCode::from(24)), "kerberos.preauth_failed");
}

/// Frame 9 of the same capture: MIT kinit's first AS-REQ (PA-DATA 150 and 149, no timestamp).
#[test]
fn lab_capture_first_as_req() {
    let m = decode_kerberos(&unhex(
        "6a81b73081b4a103020105a20302010aa31a3018300aa10402020096a2020400300aa10402020095a20204\
         00a4818b308188a00703050000000010a1133011a003020101a10a30081b0663726d737663a20e1b0c434f\
         4e544f534f2e54455354a321301fa003020102a11830161b066b72627467741b0c434f4e544f534f2e5445\
         5354a511180f32303236313132383034313434375aa70602047c9e53bca81a301802011202011102011402\
         011302011002011702011902011a",
    ))
    .unwrap();
    assert_eq!(m.kind, KrbMessageKind::AsReq);
    assert_eq!(m.client.as_deref(), Some("crmsvc"));
    assert_eq!(m.realm.as_deref(), Some("CONTOSO.TEST"));
    assert_eq!(m.service.as_deref(), Some("krbtgt/CONTOSO.TEST"));
}
