//! From captured bytes to a recipe: a Windows-style simple bind and SCP search, decoded and
//! turned into ldp / ldapsearch / PowerShell text, with the password nowhere in the output.

use capdiag::proto::ldap::{LdapOp, decode_message};
use capdiag::report::recipe::{ldapsearch_command, ldp_recipe, powershell_snippet};

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut v = vec![tag, 0x84];
    v.extend_from_slice(&(body.len() as u32).to_be_bytes());
    v.extend_from_slice(body);
    v
}

fn message(id: u8, op: &[u8]) -> Vec<u8> {
    tlv(0x30, &[&[0x02, 0x01, id][..], op].concat())
}

#[test]
fn captured_simple_bind_and_filter_with_quote_become_safe_recipes() {
    let bind = message(
        1,
        &tlv(
            0x60,
            &[
                &[0x02, 0x01, 0x03][..],
                &tlv(0x04, b"CN=svc,CN=Users,DC=contoso,DC=test"),
                &tlv(0x80, b"Pa'ss(word)"),
            ]
            .concat(),
        ),
    );
    // (&(objectClass=serviceConnectionPoint)(displayName=O'Brien*))
    let filter = tlv(
        0xa0,
        &[
            tlv(
                0xa3,
                &[
                    tlv(0x04, b"objectClass"),
                    tlv(0x04, b"serviceConnectionPoint"),
                ]
                .concat(),
            ),
            tlv(
                0xa4,
                &[tlv(0x04, b"displayName"), tlv(0x30, &tlv(0x80, b"O'Brien"))].concat(),
            ),
        ]
        .concat(),
    );
    let search = message(
        2,
        &tlv(
            0x63,
            &[
                &tlv(0x04, b"CN=Configuration,DC=contoso,DC=test")[..],
                &[0x0a, 0x01, 0x02, 0x0a, 0x01, 0x00, 0x02, 0x01, 0x00],
                &[0x02, 0x01, 0x78, 0x01, 0x01, 0x00],
                &filter,
                &tlv(0x30, &tlv(0x04, b"keywords")),
            ]
            .concat(),
        ),
    );
    let LdapOp::BindRequest(b) = decode_message(&bind).unwrap().op else {
        panic!("not a bind")
    };
    let LdapOp::SearchRequest(s) = decode_message(&search).unwrap().op else {
        panic!("not a search")
    };

    let ldp = ldp_recipe("dc1.contoso.test", 389, false, Some(&b), &s);
    assert_eq!(
        ldp.bind,
        "Simple bind as CN=svc,CN=Users,DC=contoso,DC=test; password not shown"
    );
    assert_eq!(
        ldp.filter,
        "(&(objectClass=serviceConnectionPoint)(displayName=O'Brien*))"
    );
    assert_eq!((ldp.scope, ldp.time_limit), ("Subtree", 120));

    let cmd = ldapsearch_command("dc1.contoso.test", 389, Some(&b), &s);
    assert_eq!(
        cmd,
        "ldapsearch -H ldap://dc1.contoso.test:389 -x -D 'CN=svc,CN=Users,DC=contoso,DC=test' -W -b 'CN=Configuration,DC=contoso,DC=test' -s sub -l 120 '(&(objectClass=serviceConnectionPoint)(displayName=O'\\''Brien*))' keywords"
    );

    let ps = powershell_snippet("dc1.contoso.test", 389, &s);
    assert!(ps.starts_with(
        "$s = [adsisearcher]'(&(objectClass=serviceConnectionPoint)(displayName=O''Brien*))'\n"
    ));
    assert!(ps.contains("$s.ServerTimeLimit = [TimeSpan]::FromSeconds(120)"));

    for text in [format!("{ldp:?}"), cmd, ps] {
        assert!(!text.contains("Pa'ss"), "{text}");
    }
}
