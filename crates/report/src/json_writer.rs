//! Writes a JSON object member by member, pretty-printed byte for byte as serde_json's
//! `to_string_pretty` prints the same object (members in key order, two-space indent), so that
//! a document of millions of entries streams out with one entry in memory at a time.

use std::io::{self, Write};

use serde_json::{Map, Value};

/// One member's value: a value, a sequence made on demand (an array), or an object of parts.
pub enum Part<'a> {
    One(Value),
    Many(Box<dyn Iterator<Item = Value> + 'a>),
    Object(Vec<(&'static str, Part<'a>)>),
}

/// The object the parts make, in memory.
pub fn collect(parts: Vec<(&'static str, Part<'_>)>) -> Value {
    let mut map = Map::new();
    for (key, part) in parts {
        let value = match part {
            Part::One(v) => v,
            Part::Many(items) => Value::Array(items.collect()),
            Part::Object(inner) => collect(inner),
        };
        map.insert(key.to_string(), value);
    }
    Value::Object(map)
}

/// Writes the object the parts make, then a newline.
pub fn write(parts: Vec<(&'static str, Part<'_>)>, out: &mut dyn Write) -> io::Result<()> {
    let mut scratch = Vec::new();
    write_object(parts, 0, out, &mut scratch)?;
    out.write_all(b"\n")
}

fn indent(out: &mut dyn Write, level: usize) -> io::Result<()> {
    for _ in 0..level {
        out.write_all(b"  ")?;
    }
    Ok(())
}

fn write_object(
    mut parts: Vec<(&'static str, Part<'_>)>,
    level: usize,
    out: &mut dyn Write,
    scratch: &mut Vec<u8>,
) -> io::Result<()> {
    if parts.is_empty() {
        return out.write_all(b"{}");
    }
    // serde_json's default map is ordered by key.
    parts.sort_by_key(|(key, _)| *key);
    out.write_all(b"{\n")?;
    for (i, (key, part)) in parts.into_iter().enumerate() {
        if i > 0 {
            out.write_all(b",\n")?;
        }
        indent(out, level + 1)?;
        serde_json::to_writer(&mut *out, key)?;
        out.write_all(b": ")?;
        match part {
            Part::One(v) => write_value(&v, level + 1, out, scratch)?,
            Part::Many(items) => write_array(items, level + 1, out, scratch)?,
            Part::Object(inner) => write_object(inner, level + 1, out, scratch)?,
        }
    }
    out.write_all(b"\n")?;
    indent(out, level)?;
    out.write_all(b"}")
}

fn write_array(
    items: impl Iterator<Item = Value>,
    level: usize,
    out: &mut dyn Write,
    scratch: &mut Vec<u8>,
) -> io::Result<()> {
    let mut any = false;
    for item in items {
        out.write_all(if any { b",\n" } else { b"[\n" })?;
        any = true;
        indent(out, level + 1)?;
        write_value(&item, level + 1, out, scratch)?;
    }
    if !any {
        return out.write_all(b"[]");
    }
    out.write_all(b"\n")?;
    indent(out, level)?;
    out.write_all(b"]")
}

/// A value pretty-printed as it would be at `level` inside a larger document: every line after
/// its first indented by `level` steps more.
fn write_value(
    value: &Value,
    level: usize,
    out: &mut dyn Write,
    scratch: &mut Vec<u8>,
) -> io::Result<()> {
    scratch.clear();
    serde_json::to_writer_pretty(&mut *scratch, value)?;
    let mut lines = scratch.split(|b| *b == b'\n');
    if let Some(first) = lines.next() {
        out.write_all(first)?;
    }
    for line in lines {
        out.write_all(b"\n")?;
        indent(out, level)?;
        out.write_all(line)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parts() -> Vec<(&'static str, Part<'static>)> {
        vec![
            ("zeta", Part::One(json!({"b": [1, {"c": "x\ny"}], "a": {}}))),
            (
                "alpha",
                Part::Many(Box::new(
                    vec![json!({"k": [1, 2]}), json!("s"), json!([])].into_iter(),
                )),
            ),
            ("empty", Part::Many(Box::new(std::iter::empty()))),
            (
                "obj",
                Part::Object(vec![
                    ("y", Part::Many(Box::new(vec![json!(null)].into_iter()))),
                    ("x", Part::Object(vec![])),
                ]),
            ),
        ]
    }

    #[test]
    fn streams_what_serde_json_prints_for_the_whole_object() {
        let mut streamed = Vec::new();
        write(parts(), &mut streamed).unwrap();
        let whole = serde_json::to_string_pretty(&collect(parts())).unwrap() + "\n";
        assert_eq!(String::from_utf8(streamed).unwrap(), whole);
    }
}
