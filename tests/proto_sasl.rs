//! SASL security-layer buffers built by hand from RFC 4121 §4.2.6.2, RFC 1964 §1.2.2,
//! RFC 4757 §7.3 and MS-NLMP 2.2.2.9.1.

use capdiag::proto::framing::Framing;
use capdiag::proto::sasl::*;

/// unbindRequest, messageID 3: 30 05 02 01 03 42 00
const UNBIND: [u8; 7] = [0x30, 0x05, 0x02, 0x01, 0x03, 0x42, 0x00];

/// SearchRequest for the rootDSE, messageID 2 (base "", scope base, derefAliases never,
/// sizeLimit 0, timeLimit 0, typesOnly FALSE, filter (objectClass=*), attributes empty).
const SEARCH: [u8; 39] = [
    0x30, 0x25, 0x02, 0x01, 0x02, 0x63, 0x20, 0x04, 0x00, 0x0a, 0x01, 0x00, 0x0a, 0x01, 0x00, 0x02,
    0x01, 0x00, 0x02, 0x01, 0x00, 0x01, 0x01, 0x00, 0x87, 0x0b, b'o', b'b', b'j', b'e', b'c', b't',
    b'C', b'l', b'a', b's', b's', 0x30, 0x00,
];

/// abandonRequest, messageID 4, abandoning 2: 30 06 02 01 04 50 01 02
const ABANDON: [u8; 8] = [0x30, 0x06, 0x02, 0x01, 0x04, 0x50, 0x01, 0x02];

fn buffer(token: &[u8]) -> Vec<u8> {
    let mut b = (token.len() as u32).to_be_bytes().to_vec();
    b.extend_from_slice(token);
    b
}

/// CFX header: 05 04 flags FF EC RRC SND_SEQ
fn cfx_header(flags: u8, ec: u16, rrc: u16) -> Vec<u8> {
    let mut h = vec![0x05, 0x04, flags, 0xff];
    h.extend(ec.to_be_bytes());
    h.extend(rrc.to_be_bytes());
    h.extend([0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78]);
    h
}

#[test]
fn framing_of_security_layer_buffers() {
    assert_eq!(sasl_buffer_length(&[0, 0, 0]), Framing::Incomplete);
    assert_eq!(sasl_buffer_length(&[0, 0, 0, 3, 1, 2]), Framing::Incomplete);
    assert_eq!(
        sasl_buffer_length(&[0, 0, 0, 3, 1, 2, 3, 9, 9]),
        Framing::Complete(7)
    );
    assert!(matches!(
        sasl_buffer_length(&[0, 0, 0, 0]),
        Framing::Invalid(_)
    ));
    // 16 MiB: more than RFC 4752's three-octet maximum buffer size.
    assert!(matches!(
        sasl_buffer_length(&[0x01, 0x00, 0x00, 0x00]),
        Framing::Invalid(_)
    ));
    // The largest allowed body is still waited for.
    assert_eq!(
        sasl_buffer_length(&[0x00, 0xff, 0xff, 0xff]),
        Framing::Incomplete
    );
    // A plain LDAPMessage is not a SASL buffer: 0x30 0x05 ... announces ~800 MB.
    assert!(matches!(sasl_buffer_length(&UNBIND), Framing::Invalid(_)));
}

#[test]
fn cfx_integrity_only_rrc_0_ec_12_mit_samba() {
    // data = plaintext || 12-byte checksum, not rotated.
    let mut token = cfx_header(0x00, 12, 0);
    token.extend(SEARCH);
    token.extend([0xc1; 12]);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Clear(SEARCH.to_vec())
    );
}

#[test]
fn cfx_integrity_only_rrc_12_ec_12_windows() {
    // Windows rotates (plaintext || checksum) right by 12: with a 12-byte checksum the
    // checksum lands exactly in front of the plaintext.
    let mut token = cfx_header(0x04, 12, 12);
    token.extend([
        0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb,
    ]);
    token.extend(SEARCH);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Clear(SEARCH.to_vec())
    );
    // Sent by the acceptor (flags 0x01 | 0x04), an unbind.
    let mut token = cfx_header(0x05, 12, 12);
    token.extend([0xee; 12]);
    token.extend(UNBIND);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Clear(UNBIND.to_vec())
    );
}

#[test]
fn cfx_integrity_only_ec_16_with_and_without_rotation() {
    // checksum k0..k15 (16 bytes, e.g. HMAC-SHA256-128).
    let k: Vec<u8> = (0xd0..=0xdf).collect();
    // RRC 0: UNBIND || k
    let mut token = cfx_header(0x00, 16, 0);
    token.extend(UNBIND);
    token.extend(&k);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Clear(UNBIND.to_vec())
    );
    // RRC 12: rotate (UNBIND || k) right by 12 -> k[4..16] || UNBIND || k[0..4]
    let mut token = cfx_header(0x00, 16, 12);
    token.extend([
        0xd4, 0xd5, 0xd6, 0xd7, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf,
    ]);
    token.extend(UNBIND);
    token.extend([0xd0, 0xd1, 0xd2, 0xd3]);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Clear(UNBIND.to_vec())
    );
}

#[test]
fn cfx_rrc_larger_than_the_data_wraps_around() {
    // 19 data bytes, RRC 19 + 12 = 31 is the same rotation as 12.
    let mut token = cfx_header(0x00, 12, 31);
    token.extend([0xab; 12]);
    token.extend(UNBIND);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Clear(UNBIND.to_vec())
    );
}

#[test]
fn cfx_sealed_and_malformed() {
    let mut token = cfx_header(0x06, 16, 28);
    token.extend([0x9d; 80]);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Sealed {
            mech: "Kerberos (RFC 4121)"
        }
    );
    // Filler not FF.
    let mut token = cfx_header(0x00, 12, 0);
    token[3] = 0x00;
    token.extend(UNBIND);
    token.extend([0; 12]);
    assert_eq!(unwrap_buffer(&buffer(&token)), Unwrapped::NotWrapped);
    // EC larger than the data.
    let mut token = cfx_header(0x00, 40, 0);
    token.extend(UNBIND);
    assert_eq!(unwrap_buffer(&buffer(&token)), Unwrapped::NotWrapped);
    // Header cut short.
    assert_eq!(
        unwrap_buffer(&buffer(&[0x05, 0x04, 0x00, 0xff, 0x00])),
        Unwrapped::NotWrapped
    );
}

/// 60 <len> 06 09 <krb5 OID> then the RFC 1964 token.
fn rfc1964_token(sgn_alg: [u8; 2], seal_alg: [u8; 2], cksum_len: usize, data: &[u8]) -> Vec<u8> {
    let mut inner = vec![
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02,
    ];
    inner.extend([0x02, 0x01]); // TOK_ID wrap
    inner.extend(sgn_alg);
    inner.extend(seal_alg);
    inner.extend([0xff, 0xff]); // filler
    inner.extend([0x5e; 8]); // SND_SEQ
    inner.extend(vec![0xcc; cksum_len]); // SGN_CKSUM
    inner.extend([0x99; 8]); // confounder
    inner.extend(data);
    let mut t = vec![0x60];
    if inner.len() < 0x80 {
        t.push(inner.len() as u8);
    } else {
        t.extend([0x81, inner.len() as u8]);
    }
    t.extend(inner);
    t
}

#[test]
fn rfc1964_des_mac_md5_not_sealed() {
    // 7 bytes of LDAP + 1 byte padding (01) = 8.
    let mut data = UNBIND.to_vec();
    data.push(0x01);
    let token = rfc1964_token([0x00, 0x00], [0xff, 0xff], 8, &data);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Clear(UNBIND.to_vec())
    );
}

#[test]
fn rfc4757_rc4_hmac_not_sealed_with_padding() {
    // confounder 8 + 39 bytes of LDAP + 1 byte of padding (01) = 48.
    let mut data = SEARCH.to_vec();
    data.push(0x01);
    let token = rfc1964_token([0x11, 0x00], [0xff, 0xff], 8, &data);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Clear(SEARCH.to_vec())
    );
    // confounder 8 + 8 bytes of LDAP: a whole block of padding (eight 08 bytes).
    let mut data = ABANDON.to_vec();
    data.extend([0x08; 8]);
    let token = rfc1964_token([0x11, 0x00], [0xff, 0xff], 8, &data);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Clear(ABANDON.to_vec())
    );
}

#[test]
fn rfc1964_des3_has_a_20_byte_checksum() {
    let mut data = UNBIND.to_vec();
    data.push(0x01);
    let token = rfc1964_token([0x04, 0x00], [0xff, 0xff], 20, &data);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Clear(UNBIND.to_vec())
    );
}

#[test]
fn rfc1964_and_4757_sealed() {
    let token = rfc1964_token([0x11, 0x00], [0x10, 0x00], 8, &[0x42; 41]);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Sealed {
            mech: "Kerberos (RFC 1964/4757)"
        }
    );
    let token = rfc1964_token([0x00, 0x00], [0x00, 0x00], 8, &[0x42; 16]);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Sealed {
            mech: "Kerberos (RFC 1964/4757)"
        }
    );
}

#[test]
fn rfc1964_malformed() {
    // MIC token id (01 01) is not a wrap token.
    let mut token = rfc1964_token([0x00, 0x00], [0xff, 0xff], 8, &[1]);
    token[13] = 0x01;
    assert_eq!(unwrap_buffer(&buffer(&token)), Unwrapped::NotWrapped);
    // Wrong OID (SPNEGO 1.3.6.1.5.5.2).
    let token = [0x60, 0x08, 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02];
    assert_eq!(unwrap_buffer(&buffer(&token)), Unwrapped::NotWrapped);
    // GSS length not covering the token.
    let mut token = rfc1964_token([0x00, 0x00], [0xff, 0xff], 8, &[1]);
    token[1] += 1;
    assert_eq!(unwrap_buffer(&buffer(&token)), Unwrapped::NotWrapped);
}

fn ntlm_signature() -> Vec<u8> {
    let mut s = vec![0x01, 0x00, 0x00, 0x00];
    s.extend([0x8a, 0x31, 0x07, 0x2e, 0xf5, 0x11, 0x6d, 0x42]); // checksum
    s.extend([0x02, 0x00, 0x00, 0x00]); // SeqNum 2
    s
}

#[test]
fn ntlm_signed_only_is_clear() {
    let mut token = ntlm_signature();
    token.extend(SEARCH);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Clear(SEARCH.to_vec())
    );
}

#[test]
fn ntlm_sealed_is_guessed_from_non_ldap_bytes() {
    let mut token = ntlm_signature();
    token.extend([0x6f, 0x12, 0xa0, 0x9c, 0x33, 0x01, 0xfe, 0x7d, 0x45]);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Sealed { mech: "NTLM" }
    );
    // 0x30 but a length that does not fill the rest: sealed too.
    let mut token = ntlm_signature();
    token.extend([0x30, 0x05, 0x02, 0x01, 0x03, 0x42, 0x00, 0x17]);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Sealed { mech: "NTLM" }
    );
}

#[test]
fn not_wrapped_cases() {
    // Plain LDAP, wrong length prefix, trailing bytes, empty, unknown token.
    assert_eq!(unwrap_buffer(&UNBIND), Unwrapped::NotWrapped);
    let mut b = buffer(&UNBIND);
    assert_eq!(unwrap_buffer(&b), Unwrapped::NotWrapped);
    b.push(0);
    assert_eq!(unwrap_buffer(&b), Unwrapped::NotWrapped);
    assert_eq!(unwrap_buffer(&[]), Unwrapped::NotWrapped);
    assert_eq!(unwrap_buffer(&[0, 0, 0, 0]), Unwrapped::NotWrapped);
    assert_eq!(
        unwrap_buffer(&buffer(&[0x04, 0x04, 0x00, 0xff])),
        Unwrapped::NotWrapped
    );
}

#[test]
fn never_panics_on_mangled_buffers() {
    let mut cfx = cfx_header(0x00, 12, 12);
    cfx.extend([0xc0; 12]);
    cfx.extend(SEARCH);
    let mut data = SEARCH.to_vec();
    data.push(1);
    let old = rfc1964_token([0x11, 0x00], [0xff, 0xff], 8, &data);
    for token in [cfx, old] {
        let full = buffer(&token);
        for i in 0..full.len() {
            for v in [0x00, 0x01, 0x7f, 0x80, 0xff] {
                let mut m = full.clone();
                m[i] = v;
                let _ = unwrap_buffer(&m);
                let _ = sasl_buffer_length(&m);
            }
            let _ = unwrap_buffer(&full[..i]);
        }
    }
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

/// Frames 49 and 50 of samples/sasl-signed.pcap (MIT client, Samba DC, integrity only): the
/// DC's answer to the rootDSE read arrives as one CFX token with RRC 12 (the checksum rotated
/// in front, as Windows does), holding the entry and the done message back to back; the
/// client's unbind uses RRC 0.
#[test]
fn lab_capture_signed_session() {
    let reply = unwrap_buffer(&unhex(
        "0000007a050405ff000c000c00000000229a5eb26bf5be36c7d8ae45e187181e304e0201046449040030\
         453043041a636f6e66696775726174696f6e4e616d696e67436f6e7465787431250423434e3d436f6e66\
         696775726174696f6e2c44433d636f6e746f736f2c44433d74657374300c02010465070a010004000400",
    ));
    let Unwrapped::Clear(ldap) = reply else {
        panic!("expected clear LDAP, got {reply:?}");
    };
    // SearchResultEntry (0x64) for message 4 naming configurationNamingContext, then
    // SearchResultDone (0x65) success for message 4.
    assert_eq!(&ldap[..7], &[0x30, 0x4e, 0x02, 0x01, 0x04, 0x64, 0x49]);
    assert!(ldap.windows(26).any(|w| w == b"configurationNamingContext"));
    assert_eq!(
        &ldap[80..],
        &[
            0x30, 0x0c, 0x02, 0x01, 0x04, 0x65, 0x07, 0x0a, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00
        ]
    );
    let unbind = unwrap_buffer(&unhex(
        "00000023050404ff000c0000000000003ca6b0983005020105420079a4c20fd14a6518c9731462",
    ));
    assert_eq!(
        unbind,
        Unwrapped::Clear(vec![0x30, 0x05, 0x02, 0x01, 0x05, 0x42, 0x00])
    );
}

#[test]
fn ntlm_signed_buffer_with_two_messages_is_clear() {
    let mut token = ntlm_signature();
    token.extend(SEARCH);
    token.extend(UNBIND);
    assert_eq!(
        unwrap_buffer(&buffer(&token)),
        Unwrapped::Clear([&SEARCH[..], &UNBIND[..]].concat())
    );
    // A signature and nothing after it.
    assert_eq!(
        unwrap_buffer(&buffer(&ntlm_signature())),
        Unwrapped::Sealed { mech: "NTLM" }
    );
}
