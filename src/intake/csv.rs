//! CSV instruction files: a header row, then one instruction per row, with the JSON
//! fields flattened: `counterparty.account.number` is the column
//! `counterparty_account_number`, the first routing entry is `counterparty_routing_type`
//! / `counterparty_routing_value`, the second `counterparty_routing_2_type` / `..._value`,
//! and a structured reference is `reference_structured`. Empty cells are absent fields.

use serde_json::{Map, Value};

use super::Split;
use super::diagnostic::Location;
use crate::domain::rule::{FieldViolation, RuleViolation};

const TOP_LEVEL: &[&str] = &[
    "type",
    "id",
    "source_account",
    "creditor_account",
    "scheme",
    "amount",
    "currency",
    "requested_date",
    "reference",
    "reference.structured",
    "mandate",
    "signed_on",
    "active",
    "reason",
    "charge_bearer",
    "urgent",
    "category_purpose",
    "amendment.original_mandate_id",
    "amendment.original_creditor_id",
    "amendment.debtor_account_changed",
];

const PARTY: &[&str] = &[
    "name",
    "address.country",
    "address.town",
    "address.postal_code",
    "address.street",
    "address.building_number",
    "address.lines[0]",
    "address.lines[1]",
    "account.type",
    "account.number",
    "account.country",
    "routing[0].type",
    "routing[0].value",
    "routing[1].type",
    "routing[1].value",
];

/// Every JSON path a CSV column can stand for.
fn paths() -> Vec<String> {
    let mut all: Vec<String> = TOP_LEVEL.iter().map(|p| (*p).to_owned()).collect();
    for party in ["counterparty", "debtor"] {
        all.extend(PARTY.iter().map(|p| format!("{party}.{p}")));
    }
    all
}

/// The CSV column name for a JSON path (`counterparty.routing[1].value` →
/// `counterparty_routing_2_value`).
pub fn column_for(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut rest = path;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let close = rest[open..].find(']').map_or(rest.len(), |c| open + c);
        let index: usize = rest[open + 1..close].parse().unwrap_or(0);
        if index > 0 {
            out.push_str(&format!("_{}", index + 1));
        }
        rest = rest.get(close + 1..).unwrap_or("");
    }
    out.push_str(rest);
    out.replace('.', "_")
}

/// Splits CSV text into records (as JSON objects) with their line; header and row
/// problems are returned with their location.
pub fn split(text: &str) -> Split {
    let mut records = Vec::new();
    let mut problems = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_reader(text.as_bytes());
    let known = paths();
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            problems.push((Location::Line(1), csv_problem("(header)", &e)));
            return Split { records, problems };
        }
    };
    let mut columns: Vec<Option<&str>> = Vec::new();
    for (position, name) in headers.iter().enumerate() {
        let path = known.iter().find(|p| column_for(p) == name.trim());
        if path.is_none() {
            let mut names: Vec<String> = known.iter().map(|p| column_for(p)).collect();
            names.sort();
            problems.push((
                Location::Line(1),
                FieldViolation::new(
                    format!("(header column {})", position + 1),
                    RuleViolation::new(
                        "csv.column_unknown",
                        format!("one of the known columns: {}", names.join(", ")),
                        name,
                    ),
                ),
            ));
        }
        if columns
            .iter()
            .flatten()
            .any(|c| Some(*c) == path.map(String::as_str))
        {
            problems.push((
                Location::Line(1),
                FieldViolation::new(
                    format!("(header column {})", position + 1),
                    RuleViolation::new("csv.column_duplicate", "each column once", name),
                ),
            ));
        }
        columns.push(path.map(String::as_str));
    }
    if !problems.is_empty() {
        return Split { records, problems };
    }
    for row in reader.records() {
        let row = match row {
            Ok(row) => row,
            Err(e) => {
                let line = e.position().map_or(0, |p| line_at(text, p.byte()));
                problems.push((Location::Line(line), csv_problem("(row)", &e)));
                continue;
            }
        };
        let line = row.position().map_or(0, |p| line_at(text, p.byte()));
        if row.iter().all(|cell| cell.trim().is_empty()) {
            continue;
        }
        let mut object = Value::Object(Map::new());
        for (cell, path) in row.iter().zip(&columns) {
            if let (Some(path), false) = (path, cell.is_empty()) {
                insert(&mut object, path, cell_value(path, cell));
            }
        }
        records.push((Location::Line(line), object));
    }
    Split { records, problems }
}

/// 1-based line where the record starting at `byte` begins. The csv crate's record
/// position can point at blank lines it skipped before the record, so step over them.
fn line_at(text: &str, byte: u64) -> u64 {
    let bytes = text.as_bytes();
    let mut end = usize::try_from(byte).unwrap_or(usize::MAX).min(bytes.len());
    while end < bytes.len() && matches!(bytes[end], b'\n' | b'\r') {
        end += 1;
    }
    bytes[..end].iter().filter(|b| **b == b'\n').count() as u64 + 1
}

fn cell_value(path: &str, cell: &str) -> Value {
    match (path, cell) {
        ("active" | "urgent" | "amendment.debtor_account_changed", "true") => Value::Bool(true),
        ("active" | "urgent" | "amendment.debtor_account_changed", "false") => Value::Bool(false),
        _ => Value::String(cell.to_owned()),
    }
}

/// Inserts `value` at a dotted path with optional `[n]` list indexes.
fn insert(root: &mut Value, path: &str, value: Value) {
    let mut node = root;
    let segments: Vec<&str> = path.split('.').collect();
    for (i, segment) in segments.iter().enumerate() {
        let last = i == segments.len() - 1;
        let (name, index) = match segment.split_once('[') {
            Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
            None => (*segment, None),
        };
        let Value::Object(map) = node else { return };
        match index {
            None if last => {
                map.insert(name.to_owned(), value);
                return;
            }
            None => node = map.entry(name).or_insert_with(|| Value::Object(Map::new())),
            Some(index) => {
                let list = map.entry(name).or_insert_with(|| Value::Array(Vec::new()));
                let Value::Array(items) = list else { return };
                let filler = if last {
                    Value::Null
                } else {
                    Value::Object(Map::new())
                };
                while items.len() <= index {
                    items.push(filler.clone());
                }
                if last {
                    items[index] = value;
                    return;
                }
                node = &mut items[index];
            }
        }
    }
}

fn csv_problem(field: &str, e: &csv::Error) -> FieldViolation {
    FieldViolation::new(
        field,
        RuleViolation::new(
            "csv.syntax",
            "well-formed CSV with one cell per header column",
            e.to_string(),
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names() {
        let check = |path: &str, column: &str| assert_eq!(column_for(path), column);
        check("type", "type");
        check("counterparty.account.number", "counterparty_account_number");
        check(
            "counterparty.routing[0].value",
            "counterparty_routing_value",
        );
        check(
            "counterparty.routing[1].type",
            "counterparty_routing_2_type",
        );
        check("reference.structured", "reference_structured");
    }

    #[test]
    fn rows_become_nested_objects() {
        let text = "type,counterparty_routing_type,counterparty_routing_value,active\ncredit_transfer,BIC,COBADEFFXXX,true\n";
        let Split { records, problems } = split(text);
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(
            records,
            vec![(
                Location::Line(2),
                serde_json::json!({"type": "credit_transfer",
                    "counterparty": {"routing": [{"type": "BIC", "value": "COBADEFFXXX"}]},
                    "active": true})
            )]
        );
    }
}
