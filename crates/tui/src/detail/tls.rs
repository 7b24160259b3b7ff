//! The detail lines of a TLS session: the hellos, each certificate the server sent (subject,
//! issuer, DNS names, validity, self-signed), the alerts and the application data.

use super::{Line, field, frames_text, side_word};
use crate::analysis::Analysis;
use crate::proto::tls::version_name;
use crate::proto::x509::{decode_certificate, utc_text};

/// The fields of TLS session `i`.
pub(super) fn fields(a: &Analysis, i: usize, out: &mut Vec<Line>) {
    let ex = &a.exchanges;
    let Some(t) = ex.tls.get(i) else { return };
    if let Some(c) = ex.tcp.iter().find(|c| c.id == t.conn) {
        field(out, "client", c.client.to_string());
        field(out, "server", c.server.to_string());
    }
    if let Some((f, sni, versions)) = &t.client_hello {
        field(out, "client hello", format!("frame {f}"));
        field(out, "SNI", sni.clone().unwrap_or_else(|| "(none)".into()));
        let v: Vec<String> = versions.iter().map(|v| version_name(*v)).collect();
        field(out, "offered", v.join(", "));
    }
    if let Some((f, v)) = t.server_hello {
        field(
            out,
            "server hello",
            format!("frame {f}, {}", version_name(v)),
        );
    }
    if let Some((f, chain)) = &t.certificate {
        let sizes: Vec<String> = chain.iter().map(|c| format!("{} bytes", c.len())).collect();
        field(
            out,
            "certificate",
            format!("frame {f}, chain of {}: {}", chain.len(), sizes.join(", ")),
        );
        let at = t.certificate_ts.map(|ns| ns.div_euclid(1_000_000_000));
        for (n, der) in chain.iter().enumerate() {
            certificate(out, n, der, at);
        }
    }
    for (side, f, desc) in &t.alerts {
        let d = match desc {
            Some(d) => format!("{d} ({})", d.value()),
            None => "encrypted".into(),
        };
        field(
            out,
            "alert",
            format!("from the {} in frame {f}: {d}", side_word(*side)),
        );
    }
    if t.client_app_records + t.server_app_records > 0 {
        field(
            out,
            "application data",
            format!(
                "{} record(s) from the client (frames {}), {} from the server{}",
                t.client_app_records,
                frames_text(&t.client_app_frames),
                t.server_app_records,
                t.server_app_last
                    .map(|f| format!(" (last in frame {f})"))
                    .unwrap_or_default()
            ),
        );
    }
}

/// One certificate of the chain (`n` = 0: the server's own); `at`: when it was sent, in seconds
/// since the epoch, to say whether it was valid then.
fn certificate(out: &mut Vec<Line>, n: usize, der: &[u8], at: Option<i64>) {
    let who = if n == 0 {
        "server certificate".to_string()
    } else {
        format!("chain certificate {n}")
    };
    out.push(Line::Heading(format!("{who} ({} bytes)", der.len())));
    let c = match decode_certificate(der) {
        Ok(c) => c,
        Err(e) => {
            out.push(Line::Problem(e.to_string()));
            return;
        }
    };
    field(out, "subject", c.subject.clone());
    field(
        out,
        "issuer",
        if c.self_signed() {
            format!("{} (self-signed)", c.issuer)
        } else {
            c.issuer.clone()
        },
    );
    field(
        out,
        "DNS names (SAN)",
        if c.san_dns.is_empty() {
            "(none: clients match the subject CN)".to_string()
        } else {
            c.san_dns.join(", ")
        },
    );
    let then = match at {
        Some(t) if c.valid_at(t) => " (valid when sent)",
        Some(t) if t < c.not_before => " (NOT YET VALID when sent)",
        Some(_) => " (EXPIRED when sent)",
        None => "",
    };
    field(
        out,
        "valid",
        format!(
            "{} to {}{then}",
            utc_text(c.not_before),
            utc_text(c.not_after)
        ),
    );
}
