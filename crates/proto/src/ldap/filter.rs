//! RFC 4515 rendering of [`Filter`]: a string that pastes into ldp.exe, ldapsearch or
//! `[adsisearcher]` and selects the same entries as the filter on the wire.
//!
//! Unlike Wireshark and Zeek, n-ary AND/OR stay flat (`(&(a=1)(b=2)(c=3))`), a one-child AND
//! keeps its wrapper (`(&(a=1))`), the absolute true/false filters stay `(&)` / `(|)`, and
//! every assertion value is escaped per RFC 4515 §3 (see [`write_value`]).
//!
//! [`Filter::TooDeep`] (a subtree below the decoder's depth limit) renders as `(...)`: not
//! valid filter syntax, so a truncated filter is visibly partial and cannot be pasted and run
//! by mistake.

use std::fmt::{self, Display, Formatter, Write};

use super::model::Filter;

/// What a subtree cut off by the depth limit renders as.
pub const TOO_DEEP_TEXT: &str = "(...)";

impl Display for Filter {
    fn fmt(&self, f: &mut Formatter<'_>) -> fmt::Result {
        match self {
            Filter::And(children) => set(f, '&', children),
            Filter::Or(children) => set(f, '|', children),
            Filter::Not(inner) => write!(f, "(!{inner})"),
            Filter::Equality { attr, value } => item(f, attr, "=", value),
            Filter::GreaterOrEqual { attr, value } => item(f, attr, ">=", value),
            Filter::LessOrEqual { attr, value } => item(f, attr, "<=", value),
            Filter::Approx { attr, value } => item(f, attr, "~=", value),
            Filter::Present { attr } => write!(f, "({attr}=*)"),
            Filter::Substrings {
                attr,
                initial,
                any,
                final_,
            } => {
                write!(f, "({attr}=")?;
                if let Some(initial) = initial {
                    write_value(f, initial)?;
                }
                f.write_char('*')?;
                for part in any {
                    write_value(f, part)?;
                    f.write_char('*')?;
                }
                if let Some(final_) = final_ {
                    write_value(f, final_)?;
                }
                f.write_char(')')
            }
            Filter::Extensible {
                rule,
                attr,
                value,
                dn_attributes,
            } => {
                f.write_char('(')?;
                if let Some(attr) = attr {
                    f.write_str(attr)?;
                }
                if *dn_attributes {
                    f.write_str(":dn")?;
                }
                if let Some(rule) = rule {
                    write!(f, ":{rule}")?;
                }
                f.write_str(":=")?;
                write_value(f, value)?;
                f.write_char(')')
            }
            Filter::TooDeep => f.write_str(TOO_DEEP_TEXT),
        }
    }
}

fn set(f: &mut Formatter<'_>, op: char, children: &[Filter]) -> fmt::Result {
    write!(f, "({op}")?;
    for child in children {
        write!(f, "{child}")?;
    }
    f.write_char(')')
}

fn item(f: &mut Formatter<'_>, attr: &str, op: &str, value: &[u8]) -> fmt::Result {
    write!(f, "({attr}{op}")?;
    write_value(f, value)?;
    f.write_char(')')
}

/// Writes an assertion value in RFC 4515 form.
///
/// * `*` `(` `)` `\` and NUL always become `\2a` `\28` `\29` `\5c` `\00`.
/// * Other control characters (C0, DEL, C1) become `\xx` per UTF-8 byte, so a value like
///   NtVer `06 00 00 00` reads `\06\00\00\00`.
/// * Valid UTF-8 text stays text (`Müller`, `é`); bytes that are not part of valid UTF-8
///   become `\xx` (lowercase hex) while the text around them stays text.
/// * A value that is invalid UTF-8 with a control byte, or mostly control bytes, is binary (GUIDs,
///   SIDs, flag DWORDs) and every byte is escaped: a DomainGuid reads `\3b\b0\21...` rather
///   than a confusing mix such as `;\b0!...`, and NtVer `06 00 00 20` reads `\06\00\00\20`
///   rather than ending in a bare space that a paste would lose. Both forms mean the same to a
///   server.
pub fn write_value(f: &mut impl Write, value: &[u8]) -> fmt::Result {
    if is_binary(value) {
        return value.iter().try_for_each(|b| write!(f, "\\{b:02x}"));
    }
    for chunk in value.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '*' | '(' | ')' | '\\' => write!(f, "\\{:02x}", c as u32)?,
                c if c.is_control() => {
                    let mut buf = [0u8; 4];
                    for b in c.encode_utf8(&mut buf).bytes() {
                        write!(f, "\\{b:02x}")?;
                    }
                }
                c => f.write_char(c)?,
            }
        }
        for b in chunk.invalid() {
            write!(f, "\\{b:02x}")?;
        }
    }
    Ok(())
}

fn is_binary(value: &[u8]) -> bool {
    let control = value.iter().filter(|&&b| b < 0x20 || b == 0x7f).count();
    (control > 0 && std::str::from_utf8(value).is_err()) || control > value.len() / 2
}

/// A value rendered as [`write_value`] does, as a `String`.
pub fn escape_value(value: &[u8]) -> String {
    let mut out = String::with_capacity(value.len());
    // Writing into a String cannot fail.
    let _ = write_value(&mut out, value);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flag_word_ending_in_a_printable_byte_is_escaped_whole() {
        // Samba's NtVer 0x20000006: the last byte is a space, which must not be left bare.
        assert_eq!(escape_value(&[0x06, 0x00, 0x00, 0x20]), "\\06\\00\\00\\20");
        assert_eq!(escape_value(b"tab\there"), "tab\\09here");
    }

    fn eq(attr: &str, value: &[u8]) -> Filter {
        Filter::Equality {
            attr: attr.into(),
            value: value.to_vec(),
        }
    }

    #[test]
    fn n_ary_and_or_stay_flat() {
        let f = Filter::And(vec![eq("a", b"1"), eq("b", b"2"), eq("c", b"3")]);
        assert_eq!(f.to_string(), "(&(a=1)(b=2)(c=3))");
        let f = Filter::Or(vec![
            eq("a", b"1"),
            eq("b", b"2"),
            eq("c", b"3"),
            eq("d", b"4"),
        ]);
        assert_eq!(f.to_string(), "(|(a=1)(b=2)(c=3)(d=4))");
    }

    #[test]
    fn empty_and_single_child_sets_are_kept() {
        assert_eq!(Filter::And(vec![]).to_string(), "(&)");
        assert_eq!(Filter::Or(vec![]).to_string(), "(|)");
        assert_eq!(Filter::And(vec![eq("a", b"1")]).to_string(), "(&(a=1))");
    }

    #[test]
    fn not() {
        assert_eq!(Filter::Not(Box::new(eq("x", b"1"))).to_string(), "(!(x=1))");
    }

    #[test]
    fn substrings() {
        let s = |initial: Option<&[u8]>, any: &[&[u8]], final_: Option<&[u8]>| {
            Filter::Substrings {
                attr: "cn".into(),
                initial: initial.map(<[u8]>::to_vec),
                any: any.iter().map(|a| a.to_vec()).collect(),
                final_: final_.map(<[u8]>::to_vec),
            }
            .to_string()
        };
        assert_eq!(s(Some(b"ab"), &[b"cd"], Some(b"ef")), "(cn=ab*cd*ef)");
        assert_eq!(s(None, &[b"x"], None), "(cn=*x*)");
        assert_eq!(s(Some(b"abc"), &[], None), "(cn=abc*)");
        assert_eq!(s(None, &[b"a", b"b"], Some(b"c")), "(cn=*a*b*c)");
        assert_eq!(s(Some(b"a*"), &[], None), "(cn=a\\2a*)");
    }

    #[test]
    fn ordering_approx_and_present() {
        let ge = Filter::GreaterOrEqual {
            attr: "uSNChanged".into(),
            value: b"100".to_vec(),
        };
        let le = Filter::LessOrEqual {
            attr: "uSNChanged".into(),
            value: b"200".to_vec(),
        };
        let ap = Filter::Approx {
            attr: "cn".into(),
            value: b"foo".to_vec(),
        };
        let pr = Filter::Present { attr: "x".into() };
        assert_eq!(ge.to_string(), "(uSNChanged>=100)");
        assert_eq!(le.to_string(), "(uSNChanged<=200)");
        assert_eq!(ap.to_string(), "(cn~=foo)");
        assert_eq!(pr.to_string(), "(x=*)");
    }

    #[test]
    fn extensible_forms() {
        let ext = |attr: Option<&str>, dn: bool, rule: Option<&str>, v: &[u8]| {
            Filter::Extensible {
                rule: rule.map(Into::into),
                attr: attr.map(Into::into),
                value: v.to_vec(),
                dn_attributes: dn,
            }
            .to_string()
        };
        assert_eq!(
            ext(Some("cn"), true, Some("1.2.3"), b"v"),
            "(cn:dn:1.2.3:=v)"
        );
        assert_eq!(
            ext(None, false, Some("1.2.840.113556.1.4.803"), b"2"),
            "(:1.2.840.113556.1.4.803:=2)"
        );
        assert_eq!(ext(Some("cn"), false, None, b"x"), "(cn:=x)");
        assert_eq!(ext(None, true, Some("2.5.13.5"), b"x"), "(:dn:2.5.13.5:=x)");
    }

    #[test]
    fn special_characters_are_escaped() {
        assert_eq!(eq("name", b"Test(").to_string(), "(name=Test\\28)");
        assert_eq!(
            eq("name", b"Test(with_a_*)").to_string(),
            "(name=Test\\28with_a_\\2a\\29)"
        );
        assert_eq!(
            eq("cn", b"a*b(c)d\\e\0f").to_string(),
            "(cn=a\\2ab\\28c\\29d\\5ce\\00f)"
        );
    }

    #[test]
    fn utf8_text_stays_text() {
        assert_eq!(eq("sn", b"M\xc3\xbcller").to_string(), "(sn=Müller)");
        assert_eq!(eq("cn", b"\xc3\xa9").to_string(), "(cn=é)");
    }

    #[test]
    fn invalid_bytes_in_text_are_escaped_alone() {
        // "ab", a lone 0xff, "é", a truncated 2-byte sequence 0xc3 then "cd"
        assert_eq!(
            eq("cn", b"ab\xff\xc3\xa9\xc3cd").to_string(),
            "(cn=ab\\ffé\\c3cd)"
        );
    }

    #[test]
    fn binary_guid_is_fully_escaped() {
        let guid = [
            0x3b, 0xb0, 0x21, 0xca, 0xd3, 0x6d, 0xd1, 0x11, 0x8a, 0x7d, 0xb8, 0xdf, 0xb1, 0x56,
            0x87, 0x1f,
        ];
        assert_eq!(
            eq("objectGUID", &guid).to_string(),
            "(objectGUID=\\3b\\b0\\21\\ca\\d3\\6d\\d1\\11\\8a\\7d\\b8\\df\\b1\\56\\87\\1f)"
        );
    }

    #[test]
    fn control_characters_are_escaped_in_text() {
        assert_eq!(
            eq("NtVer", &[6, 0, 0, 0]).to_string(),
            "(NtVer=\\06\\00\\00\\00)"
        );
        assert_eq!(eq("x", b"a\x1bb\x7f").to_string(), "(x=a\\1bb\\7f)");
        assert_eq!(eq("x", "a\u{85}".as_bytes()).to_string(), "(x=a\\c2\\85)");
    }

    #[test]
    fn too_deep_is_visibly_partial() {
        let f = Filter::And(vec![eq("a", b"1"), Filter::Not(Box::new(Filter::TooDeep))]);
        assert_eq!(f.to_string(), "(&(a=1)(!(...)))");
    }
}
