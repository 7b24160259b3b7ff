//! The HTML report: well-formed (parsed as XML, so every tag is balanced), self-contained (no
//! script, nothing fetched: no external src/href, no CSS url() or @import), holding the verdict,
//! the fix, the stages, the diagram, the ldp recipe and the DNS table with frame numbers; and
//! capture text that is markup comes out as text, in the HTML, the SVG and the Mermaid.

mod report_support;

use capdiag::chain::ChainStatus;
use capdiag::report::{html, mermaid, sequence::sequence, svg};
use report_support::{EVIL, analyse, hostile, samples, samples_dir};

fn parse(text: &str) -> roxmltree::Document<'_> {
    let opts = roxmltree::ParsingOptions {
        allow_dtd: true,
        ..Default::default()
    };
    match roxmltree::Document::parse_with_options(text, opts) {
        Ok(d) => d,
        Err(e) => panic!("not well-formed: {e}"),
    }
}

/// Every way a page could fetch or run something, as found in the parsed document.
fn external_references(doc: &roxmltree::Document) -> Vec<String> {
    let mut found = Vec::new();
    for n in doc.descendants().filter(|n| n.is_element()) {
        let tag = n.tag_name().name();
        if matches!(
            tag,
            "script" | "link" | "iframe" | "img" | "object" | "embed" | "image" | "use" | "base"
        ) {
            found.push(format!("<{tag}> element"));
        }
        for a in n.attributes() {
            let name = a.name();
            let value = a.value().trim().to_ascii_lowercase();
            if name.starts_with("on") {
                found.push(format!("event handler {name}"));
            }
            if matches!(name, "src" | "href" | "action" | "srcset" | "poster")
                && !value.starts_with('#')
            {
                found.push(format!("{name}={value}"));
            }
            if value.contains("http://") && name != "xmlns" || value.contains("https://") {
                found.push(format!("URL in {name}={value}"));
            }
        }
        if tag == "style" {
            let css = n.text().unwrap_or_default().to_ascii_lowercase();
            if css.contains("url(") || css.contains("@import") {
                found.push("CSS fetch".into());
            }
        }
    }
    found
}

/// Mermaid text without its `#name;` / `#123;` entity codes.
fn strip_entities(s: &str) -> String {
    let mut out = String::new();
    let mut rest = s;
    while let Some(i) = rest.find('#') {
        out.push_str(&rest[..i]);
        let after = &rest[i + 1..];
        match after.find(';') {
            Some(j) if j > 0 && after[..j].chars().all(|c| c.is_ascii_alphanumeric()) => {
                rest = &after[j + 1..];
            }
            _ => {
                out.push('#');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

fn page_text(doc: &roxmltree::Document) -> String {
    doc.descendants()
        .filter(|n| n.is_text())
        .filter_map(|n| n.text())
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn every_sample_page_is_well_formed_and_self_contained() {
    for (name, path) in samples() {
        let a = analyse(&path);
        let page = html::render(&a);
        let doc = parse(&page);
        assert_eq!(doc.root_element().tag_name().name(), "html", "{name}");
        let ext = external_references(&doc);
        assert!(ext.is_empty(), "{name}: {ext:?}");
        // One section per chain, carrying its verdict, with a diagram in it.
        let sections: Vec<_> = doc
            .descendants()
            .filter(|n| n.has_tag_name("section") && n.attribute("data-status").is_some())
            .collect();
        assert_eq!(sections.len(), a.chains.len(), "{name}");
        for (s, c) in sections.iter().zip(&a.chains) {
            assert_eq!(s.attribute("data-status"), Some(c.status.id()), "{name}");
            assert!(s.descendants().any(|n| n.has_tag_name("svg")), "{name}");
        }
    }
}

#[test]
fn page_puts_verdict_cause_and_fix_first_then_stages_recipe_and_dns() {
    let a = analyse(&samples_dir().join("tls-untrusted.pcap"));
    let chain = &a.chains[0];
    assert_eq!(chain.status, ChainStatus::Broken);
    let cause = chain.cause.as_ref().expect("broken chain has a cause");
    let page = html::render(&a);
    let doc = parse(&page);
    let text = page_text(&doc);
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("page text lacks {needle:?}"))
    };
    let verdict = at("BROKEN at tls_handshake: TLS handshake");
    let fix = at(&cause.remediation);
    let stages = at("Stages");
    let diagram = at("Sequence");
    let recipe = at("as ldp.exe would run it");
    let dns = at("DNS lookups");
    assert!(verdict < fix && fix < stages && stages < diagram && diagram < recipe && recipe < dns);
    at(&cause.summary);
    at("frame.number in {55 57 59}");
    for s in &chain.stages {
        at(s.kind.title());
    }
    // The SCP search recipe, and the DNS table with its frames.
    at("(&(objectClass=serviceConnectionPoint)");
    at("autodiscover.contoso.test");
    let dns_rows: Vec<_> = doc
        .descendants()
        .filter(|n| n.has_tag_name("table") && n.attribute("class") == Some("dns"))
        .flat_map(|t| t.descendants().filter(|n| n.has_tag_name("tr")))
        .collect();
    assert_eq!(
        dns_rows.len(),
        1 + 10,
        "header + the ten DNS queries of the capture"
    );
    // Frame numbers of the break are in the diagram, on red arrows.
    assert!(page.contains(r#"<g class="msg break" data-frames="59" data-stage="tls_handshake">"#));
}

#[test]
fn several_chains_get_a_section_each_and_a_table_of_contents() {
    // Two captures of different clients merged into one analysis: rewrite the second's client.
    let mut a = analyse(&samples_dir().join("tls-untrusted.pcap"));
    let b = analyse(&samples_dir().join("srv-nxdomain.pcap"));
    let mut extra = b.chains[0].clone();
    extra.client = "10.99.0.9".parse().expect("address");
    a.chains.push(extra);
    let page = html::render(&a);
    let doc = parse(&page);
    assert!(page.contains(r##"<a href="#chain-1">"##) && page.contains(r##"<a href="#chain-2">"##));
    assert!(
        doc.descendants()
            .any(|n| n.attribute("id") == Some("chain-2"))
    );
    assert!(external_references(&doc).is_empty());
}

#[test]
fn markup_in_capture_text_stays_text_in_html_svg_and_mermaid() {
    let a = hostile();
    let page = html::render(&a);
    let doc = parse(&page);
    let ext = external_references(&doc);
    assert!(ext.is_empty(), "hostile text became markup: {ext:?}");
    assert!(!page.to_ascii_lowercase().contains("<script"));
    assert!(!page.contains("<img"));
    // ...and it is shown, as text, where the capture had it (the DNS name, the DN, the filter).
    let text = page_text(&doc);
    assert!(
        text.contains(&format!("_ldap._tcp.dc._msdcs.{EVIL}")),
        "{text}"
    );
    assert!(text.contains(&format!("CN=Configuration,{EVIL}")));

    for chain in &a.chains {
        let drawing = svg::render(&sequence(&a, chain));
        let sdoc = parse(&drawing);
        assert!(external_references(&sdoc).is_empty());
        assert!(page_text(&sdoc).contains("<script>alert('x')</script>"));

        let mm = mermaid::diagram(&sequence(&a, chain));
        for line in mm.lines().skip(1) {
            let t = line.trim();
            let ok = t == "end"
                || t.starts_with("rect rgb(")
                || t.starts_with("participant ")
                || t.starts_with("Note over ")
                || t.starts_with('C')
                || t.starts_with('P');
            assert!(ok, "unexpected Mermaid statement: {line}");
            // After the arrow or keyword, nothing that ends a statement, opens a comment or
            // injects markup survives outside Mermaid's `#code;` entities.
            let body = strip_entities(t.split_once(": ").map(|x| x.1).unwrap_or_default());
            for bad in [";", "%%", "<", ">", "\"", "{", "}", "#"] {
                assert!(
                    !body.contains(bad),
                    "Mermaid text holds {bad:?} raw: {line}"
                );
            }
        }
        assert!(mm.contains("#lt;script#gt;"));
    }
    let md = mermaid::render(&a);
    assert!(!md.contains("<script"));
}
