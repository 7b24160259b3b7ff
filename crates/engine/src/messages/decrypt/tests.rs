//! End-to-end tests of the decrypt step: a Kerberos bind built with the crypto crate
//! (keytab fixture → ticket → authenticator → AP-REP → sealed SASL buffers), and the NTLM bind
//! of MS-NLMP section 4.2.4 with its sealed message.

use super::*;
use crate::crypto::kerberos::{Etype, Key, Sender, WrapSpec, encrypt, string_to_key, wrap_cfx};
use crate::crypto::keytab::parse_keytab;
use crate::crypto::passwords::parse_password_file;
use crate::proto::ber::{self, OCTET_STRING, SEQUENCE, context};

/// MIT ktutil's keytab for HTTP/web.example.com@EXAMPLE.COM, password "FixturePass1".
const KEYTAB: &[u8] = include_bytes!("../../../../crypto/tests/fixtures/ktutil-http-web.keytab");
const KRB5_OID: &[u8] = &[0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02];
const SPNEGO_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    ber::write(&mut out, tag, body);
    out
}

fn seq(fields: &[(u8, Vec<u8>)]) -> Vec<u8> {
    let body: Vec<u8> = fields
        .iter()
        .flat_map(|(n, inner)| tlv(context(*n), inner))
        .collect();
    tlv(SEQUENCE, &body)
}

fn int(value: u8) -> Vec<u8> {
    tlv(ber::INTEGER, &[value])
}

fn encryption_key(etype: u8, bytes: &[u8]) -> Vec<u8> {
    seq(&[(0, int(etype)), (1, tlv(OCTET_STRING, bytes))])
}

fn encrypted_data(etype: u8, kvno: u8, cipher: Vec<u8>) -> Vec<u8> {
    seq(&[
        (0, int(etype)),
        (1, int(kvno)),
        (2, tlv(OCTET_STRING, &cipher)),
    ])
}

fn general_string(text: &str) -> Vec<u8> {
    tlv(0x1b, text.as_bytes())
}

fn kerberos_time() -> Vec<u8> {
    tlv(0x18, b"20261207010000Z")
}

fn principal_name(name_type: u8, components: &[&str]) -> Vec<u8> {
    let names: Vec<u8> = components.iter().flat_map(|c| general_string(c)).collect();
    seq(&[(0, int(name_type)), (1, tlv(SEQUENCE, &names))])
}

const SESSION_KEY: [u8; 32] = [0x11; 32];
const INITIATOR_SUBKEY: [u8; 32] = [0x22; 32];
const ACCEPTOR_SUBKEY: [u8; 32] = [0x33; 32];

fn service_key() -> Key {
    string_to_key(
        Etype::Aes256CtsHmacSha1,
        "FixturePass1",
        b"EXAMPLE.COMHTTPweb.example.com",
        None,
    )
    .unwrap()
}

fn session_key() -> Key {
    Key::new(Etype::Aes256CtsHmacSha1, &SESSION_KEY).unwrap()
}

/// SPNEGO NegTokenInit whose mechToken is a GSS-framed AP-REQ for HTTP/web.example.com, from
/// a client "weiß" (0xC3 0x9F, a byte rasn's GeneralString refuses) whose authenticator has a
/// negative seq-number, as old Heimdal and some Windows builds send.
fn client_bind_token() -> Vec<u8> {
    let enc_ticket_part = tlv(
        0x63,
        &seq(&[
            (0, tlv(0x03, &[0, 0, 0, 0, 0])),
            (1, encryption_key(18, &SESSION_KEY)),
            (2, general_string("EXAMPLE.COM")),
            (3, principal_name(1, &["weiß"])),
            (4, seq(&[(0, int(1)), (1, tlv(OCTET_STRING, b""))])),
            (5, kerberos_time()),
            (7, kerberos_time()),
        ]),
    );
    let ticket_cipher = encrypt(&service_key(), 2, &[1; 16], &enc_ticket_part).unwrap();
    let sname = principal_name(2, &["HTTP", "web.example.com"]);
    let ticket = tlv(
        0x61,
        &seq(&[
            (0, int(5)),
            (1, general_string("EXAMPLE.COM")),
            (2, sname),
            (3, encrypted_data(18, 3, ticket_cipher)),
        ]),
    );
    let authenticator = tlv(
        0x62,
        &seq(&[
            (0, int(5)),
            (1, general_string("EXAMPLE.COM")),
            (2, principal_name(1, &["weiß"])),
            (4, int(0)),
            (5, kerberos_time()),
            (6, encryption_key(18, &INITIATOR_SUBKEY)),
            (7, tlv(ber::INTEGER, &[0xff])),
        ]),
    );
    let authenticator_cipher = encrypt(&session_key(), 11, &[2; 16], &authenticator).unwrap();
    let ap_req = tlv(
        0x6e,
        &seq(&[
            (0, int(5)),
            (1, int(14)),
            (2, tlv(0x03, &[0, 0x20, 0, 0, 0])),
            (3, ticket),
            (4, encrypted_data(18, 0, authenticator_cipher)),
        ]),
    );
    let gss = tlv(
        0x60,
        &[tlv(ber::OID, KRB5_OID), vec![0x01, 0x00], ap_req].concat(),
    );
    let mech_types = tlv(SEQUENCE, &tlv(ber::OID, KRB5_OID));
    let neg_token_init = tlv(0xa0, &seq(&[(0, mech_types), (2, tlv(OCTET_STRING, &gss))]));
    tlv(0x60, &[tlv(ber::OID, SPNEGO_OID), neg_token_init].concat())
}

/// SPNEGO NegTokenResp whose responseToken is a GSS-framed AP-REP with the acceptor subkey.
fn server_bind_token() -> Vec<u8> {
    let enc_rep_part = tlv(
        0x7b,
        &seq(&[
            (0, kerberos_time()),
            (1, int(0)),
            (2, encryption_key(18, &ACCEPTOR_SUBKEY)),
        ]),
    );
    let cipher = encrypt(&session_key(), 12, &[3; 16], &enc_rep_part).unwrap();
    let ap_rep = tlv(
        0x6f,
        &seq(&[
            (0, int(5)),
            (1, int(15)),
            (2, encrypted_data(18, 0, cipher)),
        ]),
    );
    let gss = tlv(
        0x60,
        &[tlv(ber::OID, KRB5_OID), vec![0x02, 0x00], ap_rep].concat(),
    );
    tlv(
        0xa1,
        &seq(&[(0, tlv(0x0a, &[0])), (2, tlv(OCTET_STRING, &gss))]),
    )
}

fn sasl_buffer(token: &[u8]) -> Vec<u8> {
    let mut buffer = (token.len() as u32).to_be_bytes().to_vec();
    buffer.extend(token);
    buffer
}

/// An LDAP searchRequest-shaped message, as the plaintext of the sealed buffers.
const LDAP: &[u8] = b"0\x25\x02\x01\x03c\x20\x04\x00\x0a\x01\x00\x0a\x01\x00\x02\x01\x00\x02\x01\x00\x01\x01\x00\x87\x0bobjectClass0\x00";

#[test]
fn keytab_opens_the_ticket_authenticator_and_ap_rep_and_the_sasl_buffers() {
    let keytab = parse_keytab(KEYTAB).unwrap();
    let mut context =
        kerberos_context(&client_bind_token(), &keytab, &TicketKeys::default()).unwrap();
    assert_eq!(context.service, "HTTP/web.example.com@EXAMPLE.COM");
    assert_eq!(context.session_key, session_key());
    assert_eq!(
        context.initiator_subkey,
        Some(Key::new(Etype::Aes256CtsHmacSha1, &INITIATOR_SUBKEY).unwrap())
    );
    context.learn_ap_rep(&server_bind_token()).unwrap();
    let acceptor = Key::new(Etype::Aes256CtsHmacSha1, &ACCEPTOR_SUBKEY).unwrap();
    assert_eq!(context.acceptor_subkey.as_ref(), Some(&acceptor));

    let mut security = SecurityContext::Kerberos(context);
    for (sender, from_client) in [(Sender::Acceptor, false), (Sender::Initiator, true)] {
        let spec = WrapSpec {
            sender,
            sealed: true,
            acceptor_subkey: true,
            rrc: 0,
            sequence_number: 4,
        };
        let token = wrap_cfx(&acceptor, &spec, &[9; 16], LDAP).unwrap();
        assert_eq!(
            security
                .unwrap_sasl_buffer(from_client, &sasl_buffer(&token))
                .unwrap(),
            LDAP
        );
    }
    // Without the AcceptorSubkey flag the initiator's subkey is the context key.
    let initiator = Key::new(Etype::Aes256CtsHmacSha1, &INITIATOR_SUBKEY).unwrap();
    let spec = WrapSpec {
        sender: Sender::Initiator,
        sealed: true,
        acceptor_subkey: false,
        rrc: 28,
        sequence_number: 5,
    };
    let token = wrap_cfx(&initiator, &spec, &[9; 16], LDAP).unwrap();
    assert_eq!(
        security
            .unwrap_sasl_buffer(true, &sasl_buffer(&token))
            .unwrap(),
        LDAP
    );
    assert!(matches!(
        security.unwrap_sasl_buffer(false, &sasl_buffer(&token)),
        Err(DecryptError::Kerberos { .. })
    ));
    assert!(matches!(
        security.unwrap_sasl_buffer(true, &[0, 0, 0, 9, 1]),
        Err(DecryptError::SaslLength {
            declared: 9,
            actual: 1
        })
    ));
}

#[test]
fn a_keytab_without_the_service_key_says_which_service_it_lacks() {
    // Only the aes128 and rc4 entries: the ticket is aes256.
    let keytab: Vec<_> = parse_keytab(KEYTAB)
        .unwrap()
        .into_iter()
        .filter(|e| e.etype != 18)
        .collect();
    let error =
        kerberos_context(&client_bind_token(), &keytab, &TicketKeys::default()).unwrap_err();
    let DecryptError::NoServiceKey(tried) = &error else {
        panic!("{error:?}");
    };
    assert_eq!(
        tried.ticket,
        TicketTried {
            service: "HTTP/web.example.com@EXAMPLE.COM".into(),
            etype: 18,
            kvno: Some(3),
            frame: None,
        }
    );
    assert_eq!(tried.keytab.len(), keytab.len());
    assert!(
        tried.keytab.iter().all(|e| !e.tried && !e.exact),
        "{tried:?}"
    );
    assert_eq!(
        error.in_bind(7, false).to_string(),
        "nothing given opens the ticket for HTTP/web.example.com@EXAMPLE.COM (etype 18, kvno 3) \
         in the AP-REQ of frame 7: the keytab has no entry for HTTP/web.example.com@EXAMPLE.COM \
         kvno 3 etype 18 (0 entries of etype 18 tried, none decrypts it); the keytab's other \
         entries: HTTP/web.example.com@EXAMPLE.COM kvno 3 etype 17, \
         HTTP/web.example.com@EXAMPLE.COM kvno 3 etype 23"
    );
    assert_eq!(
        kerberos_context(b"\x30\x00", &keytab, &TicketKeys::default()).unwrap_err(),
        DecryptError::NoKerberosMessage("AP-REQ")
    );
}

fn hex(text: &str) -> Vec<u8> {
    let digits: Vec<u8> = text.bytes().filter(u8::is_ascii_hexdigit).collect();
    digits
        .chunks(2)
        .map(|p| u8::from_str_radix(std::str::from_utf8(p).unwrap(), 16).unwrap())
        .collect()
}

/// MS-NLMP 4.2.4.3 CHALLENGE_MESSAGE.
const CHALLENGE: &str = "4e544c4d53535000 02000000 0c000c00 38000000 33828ae2 0123456789abcdef
    0000000000000000 24002400 44000000 060070170000000f 530065007200760065007200
    02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000";
/// MS-NLMP 4.2.4.3 AUTHENTICATE_MESSAGE.
const AUTHENTICATE: &str = "4e544c4d53535000 03000000 18001800 6c000000 54005400 84000000
    0c000c00 48000000 08000800 54000000 10001000 5c000000 10001000 d8000000 358288e2
    0501280a0000000f 44006f006d00610069006e00 5500730065007200 43004f004d0050005500540045005200
    86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa
    68cd0ab851e51c96aabc927bebef6a1c 0101000000000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000
    02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000 00000000
    c5dad2544fc9799094ce1ce90bc9d03e";

#[test]
fn ms_nlmp_bind_and_password_file_unseal_the_sasl_buffer() {
    let challenge = parse_challenge(&hex(CHALLENGE)).unwrap();
    assert_eq!(
        challenge.server_challenge,
        [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef]
    );
    let authenticate = parse_authenticate(&hex(AUTHENTICATE)).unwrap();
    assert_eq!(
        (authenticate.user.as_str(), authenticate.domain.as_str()),
        ("User", "Domain")
    );
    assert!(
        !format!("{authenticate:?}").contains("c5"),
        "{authenticate:?}"
    );

    let passwords = parse_password_file("# lab\nDOMAIN\\user:Password\n").unwrap();
    let mut security = ntlm_context(&challenge, &authenticate, &passwords).unwrap();
    let mut buffer = 34u32.to_be_bytes().to_vec();
    buffer.extend(hex(
        "010000007fb38ec5c55d497600000000 54e50165bf1936dc996020c1811b0f06fb5f",
    ));
    let plaintext = security.unwrap_sasl_buffer(true, &buffer).unwrap();
    let expected: Vec<u8> = "Plaintext"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    assert_eq!(plaintext, expected);

    let wrong = parse_password_file("Domain\\User:password\n").unwrap();
    assert_eq!(
        ntlm_context(&challenge, &authenticate, &wrong).unwrap_err(),
        DecryptError::WrongNtlmPassword {
            domain: "Domain".into(),
            user: "User".into(),
            frame: None
        }
    );
    // A Kerberos-style line names the same account: by realm, or by the realm's first
    // label (the NetBIOS name); a wrong password before the right one is passed over.
    for file in [
        "user@DOMAIN:Password\n",
        "User@domain.example:Password\n",
        "Domain\\User:wrong\nuser@DOMAIN.EXAMPLE:Password\n",
    ] {
        let lines = parse_password_file(file).unwrap();
        assert!(
            ntlm_context(&challenge, &authenticate, &lines).is_ok(),
            "{file}"
        );
    }
    let other_realm = parse_password_file("user@OTHER.EXAMPLE:Password\n").unwrap();
    assert!(matches!(
        ntlm_context(&challenge, &authenticate, &other_realm),
        Err(DecryptError::NoPassword { .. })
    ));
    let nobody = parse_password_file("Other\\User:Password\n").unwrap();
    let error = ntlm_context(&challenge, &authenticate, &nobody).unwrap_err();
    assert!(
        matches!(error, DecryptError::NoPassword { .. }),
        "{error:?}"
    );
    assert_eq!(
        error.in_bind(20, true).to_string(),
        "the password file has no password for Domain\\User (the AUTHENTICATE of frame 20); \
         it has lines for Other\\User"
    );
}

/// The bind and a sealed RootDSE search on port 389, as the collector sees them.
fn sealed_ldap_session(secrets: DecryptionSecrets) -> crate::messages::Collector {
    use crate::flow::Side;
    use crate::messages::collect::test_support::{rootdse_search, tcp_session};
    let sasl = seq_plain(&[
        tlv(OCTET_STRING, b"GSS-SPNEGO"),
        tlv(OCTET_STRING, &client_bind_token()),
    ]);
    let bind_request = ldap_message(
        1,
        tlv(
            0x60,
            &[int(3), tlv(OCTET_STRING, b""), retag(0xa3, sasl)].concat(),
        ),
    );
    let bind_response = ldap_message(
        1,
        tlv(
            0x61,
            &[
                tlv(0x0a, &[0]),
                tlv(OCTET_STRING, b""),
                tlv(OCTET_STRING, b""),
                tlv(0x87, &server_bind_token()),
            ]
            .concat(),
        ),
    );
    let acceptor = Key::new(Etype::Aes256CtsHmacSha1, &ACCEPTOR_SUBKEY).unwrap();
    let (search, done) = rootdse_search(2);
    let wrap = |sender, data: &[u8]| {
        let spec = WrapSpec {
            sender,
            sealed: true,
            acceptor_subkey: true,
            rrc: 0,
            sequence_number: 0,
        };
        sasl_buffer(&wrap_cfx(&acceptor, &spec, &[4; 16], data).unwrap())
    };
    let (sealed_search, sealed_done) = (
        wrap(Sender::Initiator, &search),
        wrap(Sender::Acceptor, &done),
    );
    let mut collector = crate::messages::Collector::default();
    collector.decryption = std::sync::Arc::new(secrets);
    tcp_session(
        &mut collector,
        389,
        &[
            (Side::Client, &bind_request),
            (Side::Server, &bind_response),
            (Side::Client, &sealed_search),
            (Side::Server, &sealed_done),
        ],
    );
    collector
}

fn seq_plain(elements: &[Vec<u8>]) -> Vec<u8> {
    tlv(SEQUENCE, &elements.concat())
}

/// `element` with its identifier octet replaced by `tag`.
fn retag(tag: u8, mut element: Vec<u8>) -> Vec<u8> {
    element[0] = tag;
    element
}

fn ldap_message(id: u8, op: Vec<u8>) -> Vec<u8> {
    seq_plain(&[int(id), op])
}

#[test]
fn the_collector_decrypts_a_sealed_ldap_connection_when_given_the_keytab() {
    let secrets = DecryptionSecrets {
        keytab: parse_keytab(KEYTAB).unwrap(),
        passwords: vec![],
    };
    let collector = sealed_ldap_session(secrets);
    let ldap = &collector.exchanges.ldap;
    assert_eq!(ldap.len(), 2, "{ldap:?}");
    assert!(
        matches!(ldap[1].request, crate::messages::LdapRequest::Search(_)),
        "{:?}",
        ldap[1]
    );
    assert!(
        ldap[1].result.is_some(),
        "the sealed SearchResultDone was read"
    );
    let layer = collector.exchanges.tcp[0].sasl.as_ref().unwrap();
    assert!(layer.sealed);
    assert!(
        collector.warnings.warnings().is_empty(),
        "{:?}",
        collector.warnings.warnings()
    );
}

#[test]
fn without_secrets_or_with_the_wrong_keytab_the_sealed_connection_stays_closed() {
    let collector = sealed_ldap_session(DecryptionSecrets::default());
    assert_eq!(collector.exchanges.ldap.len(), 1, "only the bind");
    assert!(collector.exchanges.tcp[0].sasl.as_ref().unwrap().sealed);

    let keytab: Vec<_> = parse_keytab(KEYTAB)
        .unwrap()
        .into_iter()
        .filter(|e| e.etype != 18)
        .collect();
    let collector = sealed_ldap_session(DecryptionSecrets {
        keytab,
        passwords: vec![],
    });
    assert_eq!(collector.exchanges.ldap.len(), 1, "only the bind");
    let warnings = collector.warnings.warnings();
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]
            .message
            .contains("nothing given opens the ticket for HTTP/web.example.com@EXAMPLE.COM"),
        "{warnings:?}"
    );
}

/// A sample capture analysed with `password_file` as the decryption secrets.
fn analyze_sample(name: &str, password_file: &str) -> crate::analysis::Analysis {
    let path =
        std::path::PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples")).join(name);
    let secrets = DecryptionSecrets {
        keytab: vec![],
        passwords: parse_password_file(password_file).unwrap(),
    };
    let opts = crate::chain::ChainOptions {
        ldap_secrets: Some(std::sync::Arc::new(secrets)),
        ..Default::default()
    };
    let (analysis, errors) =
        crate::analysis::analyze_paths_with(&[path], &opts, Default::default());
    assert!(errors.is_empty(), "{errors:?}");
    analysis.expect("the sample opens")
}

/// samples/sasl-sealed.pcap (the Samba lab, samples/lab/make-samples.sh): crmsvc binds with
/// GSSAPI and a confidentiality layer. Its password (SVCPASS there) opens the AS-REP, the TGT
/// session key the FAST-armored TGS-REP for ldap/, that key the AP-REQ; the sealed searches
/// become readable. A wrong password opens nothing.
#[test]
fn the_lab_password_opens_the_sealed_gssapi_searches_of_a_real_samba_capture() {
    let searches = |analysis: &crate::analysis::Analysis| {
        analysis
            .exchanges
            .ldap
            .iter()
            .filter(|e| {
                matches!(e.request, crate::messages::LdapRequest::Search(_)) && e.result.is_some()
            })
            .count()
    };
    let sealed = analyze_sample("sasl-sealed.pcap", "");
    let opened = analyze_sample("sasl-sealed.pcap", "crmsvc@CONTOSO.TEST:Crm-Svc-Pw1!\n");
    assert!(
        searches(&opened) > searches(&sealed),
        "{} vs {}",
        searches(&opened),
        searches(&sealed)
    );
    // The CLDAP ping is clear; the RootDSE, SCP and Sites searches were sealed.
    assert_eq!((searches(&sealed), searches(&opened)), (1, 4));
    let scp_search = opened.exchanges.ldap.iter().any(|e| {
        matches!(&e.request, crate::messages::LdapRequest::Search(s) if s.base == "CN=Configuration,DC=contoso,DC=test")
    });
    assert!(scp_search, "the sealed SCP search is read");
    assert!(opened.warnings.is_empty(), "{:?}", opened.warnings);
    let wrong = analyze_sample("sasl-sealed.pcap", "crmsvc@CONTOSO.TEST:Wrong-Pw-1!\n");
    assert_eq!(searches(&wrong), searches(&sealed));
}

/// The lab's other sealed captures (GSS-SPNEGO sign+seal from Samba's ldb, GSSAPI from
/// ldapsearch) open with the lab passwords: more searches are read, none is left sealed, and
/// where the SCP search was sealed its answer is now there.
#[test]
fn every_sealed_lab_capture_opens_with_the_lab_passwords() {
    let lab = "crmsvc@CONTOSO.TEST:Crm-Svc-Pw1!\nAdministrator@CONTOSO.TEST:Lab-Admin-Pw1!\n";
    let read = |analysis: &crate::analysis::Analysis, base: Option<&str>| {
        analysis
            .exchanges
            .ldap
            .iter()
            .filter(|e| e.result.is_some())
            .filter(|e| match &e.request {
                crate::messages::LdapRequest::Search(s) => base.is_none_or(|b| s.base == b),
                _ => false,
            })
            .count()
    };
    let configuration = Some("CN=Configuration,DC=contoso,DC=test");
    for (name, sealed_scp) in [
        ("sasl-sealed-scp-missing.pcap", true),
        ("sealed-scp-refused.pcap", true),
        ("sealed-scp-unrelated-lookups.pcap", true),
        ("windows-workstation.pcap", false),
    ] {
        let sealed = analyze_sample(name, "");
        let opened = analyze_sample(name, lab);
        assert!(read(&opened, None) > read(&sealed, None), "{name}");
        assert!(opened.warnings.is_empty(), "{name}: {:?}", opened.warnings);
        if sealed_scp {
            assert_eq!(
                (read(&sealed, configuration), read(&opened, configuration)),
                (0, 1),
                "{name}"
            );
        }
    }
    // A signed-only layer was readable already and stays the same.
    let signed = analyze_sample("sasl-signed.pcap", "");
    assert_eq!(
        read(&analyze_sample("sasl-signed.pcap", lab), None),
        read(&signed, None)
    );
}
