//! The twins against real messages of the lab samples, and against the UTF-8 names and
//! negative sequence numbers `rasn-kerberos` refuses.

use super::*;
use crate::ber::{self, OCTET_STRING, SEQUENCE, context};

/// The first message of type `T` starting anywhere in the sample `name`: each offset whose
/// byte is `tag` is tried (messages split over TCP segments do not decode; one within a
/// segment does).
fn first_in_sample<T: Decode>(name: &str, tag: u8) -> T {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../samples/");
    let bytes = std::fs::read(format!("{path}{name}")).unwrap();
    (0..bytes.len())
        .filter(|&at| bytes[at] == tag)
        .find_map(|at| rasn::ber::decode::<T>(&bytes[at..]).ok())
        .unwrap_or_else(|| panic!("no {} in {name}", std::any::type_name::<T>()))
}

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

fn int(body: &[u8]) -> Vec<u8> {
    tlv(ber::INTEGER, body)
}

fn kstring(bytes: &[u8]) -> Vec<u8> {
    tlv(0x1b, bytes)
}

fn time() -> Vec<u8> {
    tlv(0x18, b"20261207010000Z")
}

fn principal(components: &[&[u8]]) -> Vec<u8> {
    let names: Vec<u8> = components.iter().flat_map(|c| kstring(c)).collect();
    seq(&[(0, int(&[1])), (1, tlv(SEQUENCE, &names))])
}

/// "Weiß" and "Ä" in UTF-8: 0x9F and 0x84 are bytes rasn's GeneralString refuses.
const WEISS: &[u8] = "Weiß".as_bytes();
const UMLAUT: &[u8] = "Ä".as_bytes();

#[test]
fn a_real_as_rep_krb_error_and_ap_req_of_the_lab_decode() {
    let AsRep(as_rep) = first_in_sample::<AsRep>("sasl-sealed.pcap", 0x6b);
    assert_eq!(as_rep.crealm.text(), "CONTOSO.TEST");
    assert_eq!(as_rep.cname.joined(), "crmsvc");
    assert_eq!(as_rep.ticket.sname.joined(), "krbtgt/CONTOSO.TEST");
    let info = padata_value(as_rep.padata.as_deref(), 19).expect("PA-ETYPE-INFO2");
    let entries: EtypeInfo2 = rasn::ber::decode(info).unwrap();
    assert!(entries.iter().any(|e| e.etype == 18 && e.salt.is_some()));

    let error = first_in_sample::<KrbError>("kerberos-preauth-failed.pcap", 0x7e);
    assert_eq!(error.realm.text(), "CONTOSO.TEST");
    assert!([24, 25].contains(&error.error_code), "{}", error.error_code);

    // The first AP-REQ is the TGS-REQ's PA-TGS-REQ, presenting the TGT.
    let ap_req = first_in_sample::<ApReq>("sasl-sealed.pcap", 0x6e);
    assert_eq!(ap_req.ticket.realm.text(), "CONTOSO.TEST");
    assert_eq!(ap_req.ticket.sname.joined(), "krbtgt/CONTOSO.TEST");
    assert_eq!(ap_req.authenticator.etype, 18);
}

#[test]
fn utf8_names_and_salts_come_back_byte_for_byte_where_rasn_kerberos_refuses_them() {
    let crealm = b"CONTOSO.TEST";
    let enc_ticket_part = tlv(
        0x63,
        &seq(&[
            (0, tlv(0x03, &[0, 0x40, 0, 0, 0])),
            (1, seq(&[(0, int(&[18])), (1, tlv(OCTET_STRING, &[7; 32]))])),
            (2, kstring(crealm)),
            (3, principal(&[WEISS, UMLAUT])),
            (4, seq(&[(0, int(&[1])), (1, tlv(OCTET_STRING, b""))])),
            (5, time()),
            (7, time()),
        ]),
    );
    let part: EncTicketPart = rasn::ber::decode(&enc_ticket_part).unwrap();
    assert_eq!(part.cname.name_string[0].bytes(), WEISS);
    assert_eq!(part.cname.joined(), "Weiß/Ä");
    assert_eq!(part.key.value.as_ref(), &[7; 32]);
    assert!(rasn::ber::decode::<rasn_kerberos::EncTicketPart>(&enc_ticket_part).is_err());

    let salt = [&crealm[..], WEISS].concat();
    let etype_info2 = tlv(SEQUENCE, &seq(&[(0, int(&[18])), (1, kstring(&salt))]));
    let entries: EtypeInfo2 = rasn::ber::decode(&etype_info2).unwrap();
    let entry_salt = entries[0].salt.as_ref().map(KerberosString::bytes);
    assert_eq!(entry_salt, Some(&b"CONTOSO.TESTWei\xc3\x9f"[..]));
    assert!(rasn::ber::decode::<rasn_kerberos::EtypeInfo2>(&etype_info2).is_err());
}

#[test]
fn a_negative_seq_number_decodes_to_the_mit_value() {
    let key = seq(&[(0, int(&[18])), (1, tlv(OCTET_STRING, &[3; 32]))]);
    let ap_rep_part = |seq_number: &[u8]| {
        tlv(
            0x7b,
            &seq(&[
                (0, time()),
                (1, int(&[0])),
                (2, key.clone()),
                (3, int(seq_number)),
            ]),
        )
    };
    for (encoded, mit) in [
        (&[0xff][..], 0xffff_ffff),
        (&[0x80, 0, 0, 0], 0x8000_0000),
        (&[0x00, 0xff, 0xff, 0xff, 0xff], 0xffff_ffff),
        (&[0x12, 0x34], 0x1234),
    ] {
        let part: EncApRepPart = rasn::ber::decode(&ap_rep_part(encoded)).unwrap();
        assert_eq!(part.seq_number.and_then(SeqNumber::mit_value), Some(mit));
        assert_eq!(part.subkey.map(|k| k.r#type), Some(18));
    }
    let negative = ap_rep_part(&[0xff]);
    assert!(rasn::ber::decode::<rasn_kerberos::EncApRepPart>(&negative).is_err());
    // Beyond what MIT takes: decoded, but no sequence number.
    let huge: EncApRepPart = rasn::ber::decode(&ap_rep_part(&[0x01, 0, 0, 0, 0])).unwrap();
    assert_eq!(huge.seq_number.and_then(SeqNumber::mit_value), None);

    let authenticator = tlv(
        0x62,
        &seq(&[
            (0, int(&[5])),
            (1, kstring(b"CONTOSO.TEST")),
            (2, principal(&[UMLAUT])),
            (4, int(&[0])),
            (5, time()),
            (6, key.clone()),
            (7, int(&[0xfe])),
        ]),
    );
    let authenticator: Authenticator = rasn::ber::decode(&authenticator).unwrap();
    let seq_number = authenticator.seq_number.and_then(SeqNumber::mit_value);
    assert_eq!(seq_number, Some(0xffff_fffe));
    assert_eq!(authenticator.cname.joined(), "Ä");
}
