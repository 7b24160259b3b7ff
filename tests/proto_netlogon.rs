//! Netlogon attribute values written by hand from MS-ADTS 6.3.1.7–6.3.1.9 (and the field table
//! in docs/autodiscover-on-the-wire.md §3.3). Offsets of compression pointers are counted by
//! hand from the start of the value and noted beside each piece.

use std::net::Ipv4Addr;

use capdiag::proto::netlogon::*;

/// Opcode, Sbz, Flags and the spec's example DomainGuid: bytes 0..24.
fn ex_head(opcode: u8) -> Vec<u8> {
    let mut v = vec![opcode, 0x00, 0x00, 0x00];
    // PDC GC LDAP DS KDC TIMESERV CLOSEST WRITABLE GOOD_TIMESERV WS DS_8 DS_9
    // DNS_CONTROLLER DNS_DOMAIN DNS_FOREST = 0xE000E3FD
    v.extend([0xfd, 0xe3, 0x00, 0xe0]);
    v.extend([
        0x3b, 0xb0, 0x21, 0xca, 0xd3, 0x6d, 0xd1, 0x11, 0x8a, 0x7d, 0xb8, 0xdf, 0xb1, 0x56, 0x87,
        0x1f,
    ]);
    v
}

/// Names at 24..86 for a user-less ping, ending before ClientSiteName.
fn ex_names(user: &[u8]) -> Vec<u8> {
    let mut v = Vec::new();
    // 24: DnsForestName "contoso.test"
    v.extend([
        7, b'c', b'o', b'n', b't', b'o', b's', b'o', 4, b't', b'e', b's', b't', 0,
    ]);
    // 38: DnsDomainName -> pointer to 24 (0x18)
    v.extend([0xc0, 0x18]);
    // 40: DnsHostName "dc1" + pointer to 24
    v.extend([3, b'd', b'c', b'1', 0xc0, 0x18]);
    // 46: NetbiosDomainName "CONTOSO"
    v.extend([7, b'C', b'O', b'N', b'T', b'O', b'S', b'O', 0]);
    // 55: NetbiosComputerName "DC1"
    v.extend([3, b'D', b'C', b'1', 0]);
    // 60: UserName
    v.extend(user);
    // then DcSiteName "Default-First-Site-Name" (23 = 0x17)
    v.push(0x17);
    v.extend(b"Default-First-Site-Name");
    v.push(0);
    v
}

const TRAILER_V1_V5EX: [u8; 8] = [0x05, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff];

fn v5ex_with_client_site() -> Vec<u8> {
    let mut v = ex_head(23);
    v.extend(ex_names(&[0])); // empty user: DcSiteName at 61 (0x3d)
    // 86: ClientSiteName -> pointer to DcSiteName at 61
    v.extend([0xc0, 0x3d]);
    // 88: NtVersion V1|V5EX, LmNtToken, Lm20Token
    v.extend(TRAILER_V1_V5EX);
    assert_eq!(v.len(), 96);
    v
}

#[test]
fn v5ex_reply_in_the_clients_site() {
    let r = decode_netlogon(&v5ex_with_client_site()).unwrap();
    assert_eq!(r.opcode, 23);
    assert_eq!(r.opcode_name, "LOGON_SAM_LOGON_RESPONSE_EX");
    assert_eq!(r.flags, 0xE000_E3FD);
    assert_eq!(
        r.flag_names,
        vec![
            "DS_PDC_FLAG",
            "DS_GC_FLAG",
            "DS_LDAP_FLAG",
            "DS_DS_FLAG",
            "DS_KDC_FLAG",
            "DS_TIMESERV_FLAG",
            "DS_CLOSEST_FLAG",
            "DS_WRITABLE_FLAG",
            "DS_GOOD_TIMESERV_FLAG",
            "DS_WS_FLAG",
            "DS_DS_8_FLAG",
            "DS_DS_9_FLAG",
            "DS_DNS_CONTROLLER_FLAG",
            "DS_DNS_DOMAIN_FLAG",
            "DS_DNS_FOREST_FLAG",
        ]
    );
    assert_eq!(
        r.domain_guid.as_deref(),
        Some("ca21b03b-6dd3-11d1-8a7d-b8dfb156871f")
    );
    assert_eq!(r.forest, "contoso.test");
    assert_eq!(r.domain, "contoso.test");
    assert_eq!(r.dc_host, "dc1.contoso.test");
    assert_eq!(r.netbios_domain, "CONTOSO");
    assert_eq!(r.netbios_host, "DC1");
    assert_eq!(r.user, "");
    assert_eq!(r.dc_site, "Default-First-Site-Name");
    assert_eq!(r.client_site, "Default-First-Site-Name");
    assert_eq!(r.dc_address, None);
    assert_eq!(r.next_closest_site, None);
    assert_eq!(r.nt_version, 5);
    assert_eq!(r.nt_version_names, vec!["V1", "V5EX"]);
}

#[test]
fn v5ex_reply_with_unknown_client_site() {
    let mut v = ex_head(23);
    v.extend(ex_names(&[0]));
    v.push(0); // 86: ClientSiteName "" (no subnet matched the client)
    v.extend(TRAILER_V1_V5EX);
    let r = decode_netlogon(&v).unwrap();
    assert_eq!(r.client_site, "");
    assert_eq!(r.dc_site, "Default-First-Site-Name");
    assert_eq!(r.dc_host, "dc1.contoso.test");
}

#[test]
fn v5ep_reply_with_sockaddr_and_next_closest_site() {
    let mut v = ex_head(23);
    v.extend(ex_names(&[0]));
    v.push(0); // 86: ClientSiteName ""
    // 87: DcSockAddrSize 16, AF_INET (02 00), port 0, 10.99.0.1, 8 zero bytes
    v.extend([
        16, 0x02, 0x00, 0x00, 0x00, 10, 99, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    // 104: NextClosestSiteName "Branch"
    v.extend([6, b'B', b'r', b'a', b'n', b'c', b'h', 0]);
    // NtVersion V1|V5EX|VCS
    v.extend([0x15, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff]);
    let r = decode_netlogon(&v).unwrap();
    assert_eq!(r.dc_address, Some(Ipv4Addr::new(10, 99, 0, 1)));
    assert_eq!(r.next_closest_site.as_deref(), Some("Branch"));
    assert_eq!(r.nt_version_names, vec!["V1", "V5EX", "VCS"]);
    assert_eq!(r.client_site, "");

    // Sockaddr only (no closest site), NtVersion V1|V5EX|V5EP.
    let mut v = ex_head(23);
    v.extend(ex_names(&[0]));
    v.extend([0xc0, 0x3d]); // 86: ClientSiteName -> 61
    v.extend([
        16, 0x02, 0x00, 0x00, 0x00, 127, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0,
    ]);
    v.extend([0x0d, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff]);
    let r = decode_netlogon(&v).unwrap();
    assert_eq!(r.dc_address, Some(Ipv4Addr::LOCALHOST));
    assert_eq!(r.next_closest_site, None);
    assert_eq!(r.client_site, "Default-First-Site-Name");
    assert_eq!(r.nt_version_names, vec!["V1", "V5EX", "V5EP"]);
}

#[test]
fn opcode_25_user_unknown() {
    let mut v = ex_head(25);
    // 60: UserName "nosuch" (8 bytes) -> DcSiteName at 68
    v.extend(ex_names(&[6, b'n', b'o', b's', b'u', b'c', b'h', 0]));
    v.extend([0xc0, 0x44]); // ClientSiteName -> DcSiteName at 68 (0x44)
    v.extend(TRAILER_V1_V5EX);
    let r = decode_netlogon(&v).unwrap();
    assert_eq!(r.opcode, 25);
    assert_eq!(r.opcode_name, "LOGON_SAM_USER_UNKNOWN_EX");
    assert_eq!(r.user, "nosuch");
    assert_eq!(r.client_site, "Default-First-Site-Name");
}

#[test]
fn pointer_loop_is_an_error_not_a_hang() {
    let mut v = ex_head(23);
    // 24: "abc" then a pointer back to 24: a cycle through a label.
    v.extend([3, b'a', b'b', b'c', 0xc0, 0x18]);
    v.extend([0; 7]);
    v.extend(TRAILER_V1_V5EX);
    let e = decode_netlogon(&v).unwrap_err();
    assert_eq!(
        e,
        NetlogonError::Name {
            field: "DnsForestName",
            reason: NameError::TooManyPointers
        }
    );
    assert_eq!(
        e.to_string(),
        "netlogon: DnsForestName (more than 32 compression pointers)"
    );
}

#[test]
fn pointer_to_itself_or_forward_is_an_error() {
    let mut v = ex_head(23);
    v.extend([0xc0, 0x18]); // 24: pointer to 24
    v.extend([0; 7]);
    v.extend(TRAILER_V1_V5EX);
    assert!(decode_netlogon(&v).is_err());
    let mut v = ex_head(23);
    v.extend([0xc0, 0x1a, 0]); // 24: pointer forward to 26
    v.extend([0; 7]);
    v.extend(TRAILER_V1_V5EX);
    assert!(decode_netlogon(&v).is_err());
}

#[test]
fn fourteen_bit_and_one_byte_pointer_forms() {
    // 0xc0 0x18 read either way is 24; 0xc1 0x18 is 0x118 = 280 as a 14-bit offset, beyond this
    // 96-byte value, so the MS-ADTS one-byte reading (24) applies.
    let mut v = v5ex_with_client_site();
    v[38] = 0xc1;
    let r = decode_netlogon(&v).unwrap();
    assert_eq!(r.domain, "contoso.test");
}

#[test]
fn truncated_values_are_errors() {
    let v = v5ex_with_client_site();
    for cut in [0, 1, 2, 23, 24, 39, 50, 87, 95] {
        assert!(decode_netlogon(&v[..cut]).is_err(), "cut at {cut}");
    }
    // A label announcing more bytes than remain before NtVersion.
    let mut v = ex_head(23);
    v.extend([30, b'x', b'y']);
    v.extend([0; 6]);
    v.extend(TRAILER_V1_V5EX);
    assert!(decode_netlogon(&v).is_err());
}

#[test]
fn never_panics_on_mangled_values() {
    let full = v5ex_with_client_site();
    for i in 0..full.len() {
        for b in [0x00, 0x01, 0x3f, 0x40, 0xc0, 0xff] {
            let mut v = full.clone();
            v[i] = b;
            let _ = decode_netlogon(&v);
        }
    }
}

#[test]
fn unknown_opcode_is_an_error() {
    let mut v = v5ex_with_client_site();
    v[0] = 0x12; // LOGON_SAM_LOGON_REQUEST is not a response
    assert!(decode_netlogon(&v).is_err());
}

fn utf16z(s: &str) -> Vec<u8> {
    let mut v: Vec<u8> = s.encode_utf16().flat_map(u16::to_le_bytes).collect();
    v.extend([0, 0]);
    v
}

#[test]
fn opcode_19_logon_response_v5() {
    let mut v = vec![0x13, 0x00]; // 0: opcode 19
    v.extend(utf16z("\\\\DC1")); // 2..14: "\\DC1"
    v.extend(utf16z("")); // 14..16: user
    v.extend(utf16z("CONTOSO")); // 16..32
    v.extend([
        0x3b, 0xb0, 0x21, 0xca, 0xd3, 0x6d, 0xd1, 0x11, 0x8a, 0x7d, 0xb8, 0xdf, 0xb1, 0x56, 0x87,
        0x1f,
    ]); // 32..48 DomainGuid
    v.extend([0; 16]); // 48..64 NullGuid
    // 64 (0x40): "contoso.test"
    v.extend([
        7, b'c', b'o', b'n', b't', b'o', b's', b'o', 4, b't', b'e', b's', b't', 0,
    ]);
    v.extend([0xc0, 0x40]); // 78: domain -> 64
    v.extend([3, b'd', b'c', b'1', 0xc0, 0x40]); // 80: host
    v.extend([10, 99, 0, 1]); // 86: DcIpAddress
    v.extend([0xfd, 0x03, 0x00, 0xe0]); // 90: Flags 0xE00003FD
    v.extend([0x03, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff]); // V1|V5
    let r = decode_netlogon(&v).unwrap();
    assert_eq!(r.opcode_name, "LOGON_SAM_LOGON_RESPONSE");
    assert_eq!(r.netbios_host, "DC1");
    assert_eq!(r.netbios_domain, "CONTOSO");
    assert_eq!(r.user, "");
    assert_eq!(
        r.domain_guid.as_deref(),
        Some("ca21b03b-6dd3-11d1-8a7d-b8dfb156871f")
    );
    assert_eq!(r.forest, "contoso.test");
    assert_eq!(r.domain, "contoso.test");
    assert_eq!(r.dc_host, "dc1.contoso.test");
    assert_eq!(r.dc_address, Some(Ipv4Addr::new(10, 99, 0, 1)));
    assert_eq!(r.flags, 0xE000_03FD);
    assert!(r.flag_names.contains(&"DS_CLOSEST_FLAG"));
    assert_eq!(r.nt_version_names, vec!["V1", "V5"]);
}

#[test]
fn opcode_19_nt40_form() {
    let mut v = vec![0x13, 0x00];
    v.extend(utf16z("\\\\DC1"));
    v.extend(utf16z("alice"));
    v.extend(utf16z("CONTOSO"));
    v.extend([0x01, 0x00, 0x00, 0x00, 0xff, 0xff, 0xff, 0xff]);
    let r = decode_netlogon(&v).unwrap();
    assert_eq!(r.netbios_host, "DC1");
    assert_eq!(r.user, "alice");
    assert_eq!(r.netbios_domain, "CONTOSO");
    assert_eq!(r.dc_host, "");
    assert_eq!(r.domain_guid, None);
    assert_eq!(r.nt_version_names, vec!["V1"]);
    // Missing terminator.
    assert!(
        decode_netlogon(&[
            0x13, 0x00, b'D', 0, b'C', 0, 1, 0, 0, 0, 0xff, 0xff, 0xff, 0xff
        ])
        .is_err()
    );
}

#[test]
fn request_value_renderers() {
    assert_eq!(
        guid_text(&[
            0x3b, 0xb0, 0x21, 0xca, 0xd3, 0x6d, 0xd1, 0x11, 0x8a, 0x7d, 0xb8, 0xdf, 0xb1, 0x56,
            0x87, 0x1f
        ])
        .as_deref(),
        Some("ca21b03b-6dd3-11d1-8a7d-b8dfb156871f")
    );
    assert_eq!(guid_text(&[0; 15]), None);
    // S-1-5-21-1004336348-1177238915-682003330: revision 1, 4 sub-authorities,
    // authority 5, then 21 and three domain RIDs, little-endian.
    let sid = [
        0x01, 0x04, 0x00, 0x00, 0x00, 0x00, 0x00, 0x05, // header
        0x15, 0x00, 0x00, 0x00, // 21
        0xdc, 0xf4, 0xdc, 0x3b, // 1004336348 = 0x3BDCF4DC
        0x83, 0x3d, 0x2b, 0x46, // 1177238915 = 0x462B3D83
        0x82, 0x8b, 0xa6, 0x28, // 682003330 = 0x28A68B82
    ];
    assert_eq!(
        sid_text(&sid).as_deref(),
        Some("S-1-5-21-1004336348-1177238915-682003330")
    );
    assert_eq!(sid_text(&sid[..sid.len() - 1]), None);
    assert_eq!(
        sid_text(&[0x01, 0x00, 0, 0, 0, 0, 0, 0x05]).as_deref(),
        Some("S-1-5")
    );
    assert_eq!(sid_text(&[]), None);
    assert_eq!(ntver_names(0x0000_0006), vec!["V5", "V5EX"]);
    assert_eq!(
        ntver_names(0xF100_001F),
        vec![
            "V1", "V5", "V5EX", "V5EP", "VCS", "VNT4", "VPDC", "VIP", "VL", "VGC"
        ]
    );
    assert!(ntver_names(0).is_empty());
}

/// The Netlogon value of frame 8 of samples/complete.pcap: the lab's Samba DC answering a
/// V5EX ping from a client in its own site (the same layout as the hand-built reply above).
#[test]
fn lab_capture_samba_reply() {
    let hex = "17000000fd13000092600506bc045f44aab9729b7e3c583f07636f6e746f736f047465737400c01803\
               646331c01807434f4e544f534f000344433100001744656661756c742d46697273742d536974652d4e\
               616d6500c03d05000000ffffffff";
    let v: Vec<u8> = (0..hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&hex[i..i + 2], 16).unwrap())
        .collect();
    assert_eq!(v.len(), 96);
    let r = decode_netlogon(&v).unwrap();
    assert_eq!(r.opcode, 23);
    // 0x13FD: PDC GC LDAP DS KDC TIMESERV CLOSEST WRITABLE GOOD_TIMESERV FULL_SECRET_DOMAIN_6
    assert_eq!(r.flags, 0x13fd);
    assert!(r.flag_names.contains(&"DS_CLOSEST_FLAG"));
    // 92 60 05 06 | bc 04 | 5f 44 | aa b9 | 72 9b 7e 3c 58 3f
    assert_eq!(
        r.domain_guid.as_deref(),
        Some("06056092-04bc-445f-aab9-729b7e3c583f")
    );
    assert_eq!(r.dc_host, "dc1.contoso.test");
    assert_eq!(r.domain, "contoso.test");
    assert_eq!(r.netbios_domain, "CONTOSO");
    assert_eq!(r.netbios_host, "DC1");
    assert_eq!(r.dc_site, "Default-First-Site-Name");
    assert_eq!(r.client_site, "Default-First-Site-Name");
    assert_eq!(r.nt_version_names, vec!["V1", "V5EX"]);
}
