//! JSON instruction files: one object, an array of objects, or NDJSON (one object per line).

use serde_json::Value;

use super::Split;
use super::diagnostic::Location;
use crate::domain::rule::{FieldViolation, RuleViolation};

/// Splits a JSON document into records, each with its location; syntax errors become
/// problems at their line. `ndjson` forces line-by-line reading.
pub fn split(text: &str, ndjson: bool) -> Split {
    if text.trim_start().starts_with('[') && !ndjson {
        return match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => Split {
                records: items
                    .into_iter()
                    .enumerate()
                    .map(|(i, v)| (Location::Index(i), v))
                    .collect(),
                problems: Vec::new(),
            },
            Ok(other) => Split {
                records: vec![(Location::Line(1), other)],
                problems: Vec::new(),
            },
            Err(e) => Split {
                records: Vec::new(),
                problems: vec![syntax(e)],
            },
        };
    }
    if !ndjson {
        if let Ok(records) = stream(text) {
            return Split {
                records,
                problems: Vec::new(),
            };
        }
        // A multi-line document that fails is one syntax error; only fall back to
        // line-by-line reading when the first line is a whole value (NDJSON).
        let first = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        if serde_json::from_str::<Value>(first).is_err() {
            let problems = match serde_json::from_str::<Value>(text) {
                Err(e) => vec![syntax(e)],
                Ok(_) => Vec::new(),
            };
            return Split {
                records: Vec::new(),
                problems,
            };
        }
    }
    let mut records = Vec::new();
    let mut problems = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let location = Location::Line(index as u64 + 1);
        match serde_json::from_str::<Value>(line) {
            Ok(value) => records.push((location, value)),
            Err(e) => problems.push((location, syntax_violation(e))),
        }
    }
    Split { records, problems }
}

/// Reads consecutive top-level values, locating each at the line it starts on.
fn stream(text: &str) -> Result<Vec<(Location, Value)>, serde_json::Error> {
    let mut records = Vec::new();
    let mut values = serde_json::Deserializer::from_str(text).into_iter::<Value>();
    // Lines are counted incrementally (from the previous value's end), so a file of n
    // values costs O(length), not O(n * length).
    let (mut end, mut line) = (0, 1u64);
    while let Some(value) = values.next() {
        let value = value?;
        let start = text[end..]
            .find(|c: char| !c.is_whitespace())
            .map_or(end, |offset| end + offset);
        line += text[end..start].bytes().filter(|b| *b == b'\n').count() as u64;
        records.push((Location::Line(line), value));
        let next = values.byte_offset();
        line += text[start..next].bytes().filter(|b| *b == b'\n').count() as u64;
        end = next;
    }
    Ok(records)
}

fn syntax(e: serde_json::Error) -> (Location, FieldViolation) {
    (Location::Line(e.line() as u64), syntax_violation(e))
}

fn syntax_violation(e: serde_json::Error) -> FieldViolation {
    FieldViolation::new(
        "(json)",
        RuleViolation::new("json.syntax", "valid JSON", e.to_string()),
    )
}
