//! TLS 1.3 against RFC 8448 §3 (Simple 1-RTT Handshake): the traffic secrets it prints, the
//! keys and IVs derived from them, and its protected records, plus KeyUpdate round trips.

use super::*;
use crate::tls::hex;

const SERVER_HS_SECRET: &str = "b67b7d690cc16c4e75e54213cb2d37b4e9c912bcded9105d42befd59d391ad38";
const CLIENT_HS_SECRET: &str = "b3eddb126e067f35a780b3abf45e2d8f3b1a950738f52e9600746a0e27a55a21";
const SERVER_AP_SECRET: &str = "a11af9f05531f856ad47116b45a950328204b4f44bfb6b3a4b4f1f3fcb631643";
const CLIENT_AP_SECRET: &str = "9e40646ce79a7f9dc05af8889bce6552875afa0b06df0087f792ebb7c17504a5";

/// {server} send handshake record: EncryptedExtensions, Certificate, CertificateVerify,
/// Finished under the server handshake keys (679 octets).
const SERVER_HANDSHAKE_RECORD: &str = "
    17030302a2d1ff334a56f5bff6594a07cc87b580233f500f45e489e7f33af35edf7869fcf40aa40aa2b8ea73
    f848a7ca07612ef9f945cb960b4068905123ea78b111b429ba9191cd05d2a389280f526134aadc7fc78c4b72
    9df828b5ecf7b13bd9aefb0e57f271585b8ea9bb355c7c79020716cfb9b1183ef3ab20e37d57a6b9d7477609
    aee6e122a4cf51427325250c7d0e509289444c9b3a648f1d71035d2ed65b0e3cdd0cbae8bf2d0b227812cbb3
    60987255cc744110c453baa4fcd610928d809810e4b7ed1a8fd991f06aa6248204797e36a6a73b70a2559c09
    ead686945ba246ab66e5edd8044b4c6de3fcf2a89441ac66272fd8fb330ef8190579b3684596c960bd596eea
    520a56a8d650f563aad27409960dca63d3e688611ea5e22f4415cf9538d51a200c27034272968a264ed6540c
    84838d89f72c24461aad6d26f59ecaba9acbbb317b66d902f4f292a36ac1b639c637ce343117b659622245317
    b49eeda0c6258f100d7d961ffb138647e92ea330faeea6dfa31c7a84dc3bd7e1b7a6c7178af36879018e3f25
    2107f243d243dc7339d5684c8b0378bf30244da8c87c843f5e56eb4c5e8280a2b48052cf93b16499a66db7cc
    a71e4599426f7d461e66f99882bd89fc50800becca62d6c74116dbd2972fda1fa80f85df881edbe5a3766893
    6b335583b599186dc5c6918a396fa48a181d6b6fa4f9d62d513afbb992f2b992f67f8afe67f76913fa388cb5
    630c8ca01e0c65d11c66a1e2ac4c85977b7c7a6999bbf10dc35ae69f5515614636c0b9b68c19ed2e31c0b3b6
    6763038ebba42f3b38edc0399f3a9f23faa63978c317fc9fa66a73f60f0504de93b5b845e275592c12335ee3
    40bbc4fddd502784016e4b3be7ef04dda49f4b440a30cb5d2af939828fd4ae3794e44f94df5a631ede42c171
    9bfdabf0253fe5175be898e750edc53370d2b";

/// The plaintext handshake messages of that record, as the RFC prints them.
const ENCRYPTED_EXTENSIONS: &str =
    "080000240022000a00140012001d00170018001901000101010201030104001c0002400100000000";
const SERVER_FINISHED: &str =
    "140000209b9b141d906337fbd2cbdce71df4deda4ab42c309572cb7fffee5454b78f0718";

/// {server} NewSessionTicket, the first record under the server application keys.
const SERVER_TICKET_RECORD: &str = "
    17030300de3a6b8f90414a97d6959c3487680de5134a2b240e6cffac116e95d41d6af8f6b580dcf3d11d63c7
    58db289a015940252f55713e061dc13e078891a38efbcf5753ad8ef170ad3c7353d16d9da773b9ca7f2b9fa1
    b6c0d4a3d03f75e09c30ba1e62972ac46f75f7b981be63439b2999ce13064615139891d5e4c5b406f16e3fc1
    81a77ca475840025db2f0a77f81b5ab05b94c01346755f69232c86519d86cbeeac87aac347d143f9605d64f6
    50db4d023e70e952ca49fe5137121c74bc2697687e248746d6df353005f3bce18696129c8153556b3b6c6779
    b37bf15985684f";

/// {server} send application_data record: 50 octets 00..31, second server application record.
const SERVER_APP_RECORD: &str = "
    17030300432e937e11ef4ac740e538ad36005fc4a46932fc3225d05f82aa1b36e30efaf97d90e6dffc602dcb
    501a59a8fcc49c4bf2e5f0a21c0047c2abf332540dd032e167c2955d";

/// {client} Finished under the client handshake keys.
const CLIENT_FINISHED_RECORD: &str = "
    170303003575ec4dc238cce60b298044a71e219c56cc77b0517fe9b93c7a4bfc44d87f38f80338ac98fc46de
    b384bd1caeacab6867d726c40546";
const CLIENT_FINISHED: &str =
    "14000020a8ec436d677634ae525ac1fcebe11a039ec17694fac6e98527b642f2edd5ce61";

/// {client} send application_data record: 50 octets 00..31, first client application record.
const CLIENT_APP_RECORD: &str = "
    1703030043a23f7054b62c94d0affafe8228ba55cbefacea42f914aa66bcab3f2b9819a8a5b46b395bd54a9a
    20441e2b62974e1f5a6292a2977014bd1e3deae63aeebb21694915e4";

fn aes128() -> CipherSuite {
    CipherSuite::from_id(0x1301).unwrap()
}

fn payload() -> Vec<u8> {
    (0u8..=0x31).collect()
}

#[test]
fn expand_label_gives_the_rfc_handshake_and_application_keys() {
    let h = PrfHash::Sha256;
    let cases = [
        (
            SERVER_HS_SECRET,
            "3fce516009c21727d0f2e4e86ee403bc",
            "5d313eb2671276ee13000b30",
        ),
        (
            CLIENT_HS_SECRET,
            "dbfaa693d1762c5b666af5d950258d01",
            "5bd3c71b836e0b76bb73265f",
        ),
        (
            SERVER_AP_SECRET,
            "9f02283b6c9c07efc26bb9f2ac92e356",
            "cf782b88dd83549aadf1e984",
        ),
        (
            CLIENT_AP_SECRET,
            "17422dda596ed5d9acd890e3c63f5051",
            "5b78923dee08579033e523d9",
        ),
    ];
    for (secret, key, iv) in cases {
        assert_eq!(
            hkdf_expand_label(h, &hex(secret), b"key", b"", 16).unwrap(),
            hex(key)
        );
        assert_eq!(
            hkdf_expand_label(h, &hex(secret), b"iv", b"", 12).unwrap(),
            hex(iv)
        );
    }
}

#[test]
fn server_handshake_record_decrypts_to_the_rfc_messages() {
    assert_eq!(hex(SERVER_HANDSHAKE_RECORD).len(), 679);
    let keys = TrafficKeys::from_secret(&aes128(), &hex(SERVER_HS_SECRET)).unwrap();
    let plain = keys.open(&hex(SERVER_HANDSHAKE_RECORD), 0).unwrap();
    assert_eq!(plain.content_type, CT_HANDSHAKE);
    assert!(plain.data.starts_with(&hex(ENCRYPTED_EXTENSIONS)));
    assert!(plain.data.ends_with(&hex(SERVER_FINISHED)));
    // EE (40) + Certificate (445) + CertificateVerify (136) + Finished (36).
    assert_eq!(plain.data.len(), 40 + 445 + 136 + 36);
    // The wrong sequence number does not authenticate.
    assert_eq!(
        keys.open(&hex(SERVER_HANDSHAKE_RECORD), 1),
        Err(TlsDecryptError::Authentication)
    );
}

#[test]
fn server_direction_switches_from_handshake_to_application_keys() {
    let mut server = Tls13Decryptor::new(
        aes128(),
        Some(&hex(SERVER_HS_SECRET)),
        &hex(SERVER_AP_SECRET),
    )
    .unwrap();
    let hs = server.decrypt(&hex(SERVER_HANDSHAKE_RECORD)).unwrap();
    assert!(hs.data.starts_with(&hex(ENCRYPTED_EXTENSIONS)));
    assert!(!server.in_application_phase());
    let ticket = server.decrypt(&hex(SERVER_TICKET_RECORD)).unwrap();
    assert_eq!(
        (ticket.content_type, ticket.data.first()),
        (CT_HANDSHAKE, Some(&4))
    );
    assert_eq!(ticket.data.len(), 205);
    assert!(server.in_application_phase());
    let app = server.decrypt(&hex(SERVER_APP_RECORD)).unwrap();
    assert_eq!(app.content_type, CT_APPLICATION_DATA);
    assert_eq!(app.data, payload());
    assert_eq!(
        format!("{server:?}"),
        "Tls13Decryptor(suite 0x1301, application, seq 2, 0 key update(s))"
    );
}

#[test]
fn client_direction_finished_then_application_data() {
    let mut client = Tls13Decryptor::new(
        aes128(),
        Some(&hex(CLIENT_HS_SECRET)),
        &hex(CLIENT_AP_SECRET),
    )
    .unwrap();
    let fin = client.decrypt(&hex(CLIENT_FINISHED_RECORD)).unwrap();
    assert_eq!(
        (fin.content_type, fin.data),
        (CT_HANDSHAKE, hex(CLIENT_FINISHED))
    );
    let app = client.decrypt(&hex(CLIENT_APP_RECORD)).unwrap();
    assert_eq!(
        (app.content_type, app.data),
        (CT_APPLICATION_DATA, payload())
    );
}

#[test]
fn without_handshake_secrets_handshake_records_are_skipped() {
    let mut server = Tls13Decryptor::new(aes128(), None, &hex(SERVER_AP_SECRET)).unwrap();
    assert_eq!(
        server.decrypt(&hex(SERVER_HANDSHAKE_RECORD)),
        Err(TlsDecryptError::Authentication)
    );
    assert!(server.decrypt(&hex(SERVER_TICKET_RECORD)).is_ok());
    assert_eq!(
        server.decrypt(&hex(SERVER_APP_RECORD)).unwrap().data,
        payload()
    );
}

#[test]
fn a_wrong_secret_decrypts_nothing_and_says_so() {
    let mut server = Tls13Decryptor::new(
        aes128(),
        Some(&hex(CLIENT_HS_SECRET)),
        &hex(CLIENT_AP_SECRET),
    )
    .unwrap();
    for record in [
        SERVER_HANDSHAKE_RECORD,
        SERVER_TICKET_RECORD,
        SERVER_APP_RECORD,
    ] {
        assert_eq!(
            server.decrypt(&hex(record)),
            Err(TlsDecryptError::Authentication)
        );
    }
    assert!(Tls13Decryptor::new(aes128(), None, &[0; 48]).is_err());
    assert_eq!(
        server.decrypt(&[0x16, 3, 3, 0, 1, 0]),
        Err(TlsDecryptError::NoContentType)
    );
}

/// A TLS 1.3 writer over the same primitives, for the round trips.
fn seal(
    keys_secret: &[u8],
    suite: &CipherSuite,
    seq: u64,
    content_type: u8,
    data: &[u8],
    padding: usize,
) -> Vec<u8> {
    let key =
        hkdf_expand_label(suite.hash, keys_secret, b"key", b"", suite.cipher.key_len()).unwrap();
    let iv: [u8; 12] = hkdf_expand_label(suite.hash, keys_secret, b"iv", b"", 12)
        .unwrap()
        .try_into()
        .unwrap();
    let aead = AeadKey::new(suite.cipher, &key).unwrap();
    let mut inner = data.to_vec();
    inner.push(content_type);
    inner.extend(std::iter::repeat_n(0, padding));
    let header = record_header(23, 0x0303, inner.len() + 16).unwrap();
    let mut record = header.to_vec();
    record.extend(aead.seal(&xor_nonce(&iv, seq), &header, &inner));
    record
}

#[test]
fn chacha_and_aes256_round_trip_with_padding_and_key_update() {
    for id in [0x1302u16, 0x1303] {
        let suite = CipherSuite::from_id(id).unwrap();
        let hs = vec![0x31u8; suite.hash.output_len()];
        let ap0 = vec![0x32u8; suite.hash.output_len()];
        let ap1 = next_traffic_secret(suite.hash, &ap0).unwrap();
        let mut d = Tls13Decryptor::new(suite, Some(&hs), &ap0).unwrap();
        let key_update = [HS_KEY_UPDATE, 0, 0, 1, 0];
        let records = [
            seal(&hs, &suite, 0, CT_HANDSHAKE, b"\x14\x00\x00\x00", 0),
            seal(
                &ap0,
                &suite,
                0,
                CT_APPLICATION_DATA,
                b"GET / HTTP/1.1\r\n\r\n",
                7,
            ),
            seal(&ap0, &suite, 1, CT_HANDSHAKE, &key_update, 0),
            seal(&ap1, &suite, 0, CT_APPLICATION_DATA, b"after update", 3),
        ];
        let opened: Vec<_> = records.iter().map(|r| d.decrypt(r).unwrap()).collect();
        assert_eq!(opened[1].data, b"GET / HTTP/1.1\r\n\r\n", "suite {id:04x}");
        assert_eq!(opened[2].data, key_update);
        assert_eq!(
            (opened[3].content_type, opened[3].data.as_slice()),
            (CT_APPLICATION_DATA, &b"after update"[..])
        );
        assert_eq!(d.key_updates(), 1);
    }
}

#[test]
fn an_all_zero_inner_plaintext_has_no_content_type() {
    let suite = aes128();
    let secret = [7u8; 32];
    let keys = TrafficKeys::from_secret(&suite, &secret).unwrap();
    let record = seal(&secret, &suite, 0, 0, b"", 4);
    assert_eq!(keys.open(&record, 0), Err(TlsDecryptError::NoContentType));
    assert!(format!("{keys:?}").contains("AES-128-GCM"));
}
