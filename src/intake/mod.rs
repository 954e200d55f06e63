//! Instruction intake: instruction files (JSON, NDJSON, CSV) read into validated
//! instructions, with every problem reported as a [`Diagnostic`] naming file, line (or
//! array index), field, rule, expected and actual.
//!
//! Reading never stops at the first problem. CSV rows are turned into the same JSON
//! shape and go through the same reader, so a CSV file and a JSON file holding the
//! same instructions get the same verdicts.

pub mod csv;
pub mod diagnostic;
pub mod folder;
pub mod instruction;
pub mod json;

use std::collections::HashMap;

use serde_json::Value;

pub use diagnostic::{Diagnostic, Location};
pub use instruction::{AccountBook, AccountFacts};

use crate::domain::instruction::{Instruction, InstructionKind};
use crate::domain::rule::{FieldViolation, RuleViolation};

/// A file split into records (each with its location) and problems of the file itself.
#[derive(Debug, Default)]
pub struct Split {
    pub records: Vec<(Location, Value)>,
    pub problems: Vec<(Location, FieldViolation)>,
}

/// Size limits for one instruction file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_file_bytes: usize,
    pub max_instructions: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 64 * 1024 * 1024,
            max_instructions: 100_000,
        }
    }
}

/// The verdict on one record of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordReport {
    pub location: Location,
    pub kind: Option<InstructionKind>,
    /// The instruction's `id` (or the mandate reference of a cancellation), if readable.
    pub key: Option<String>,
    pub outcome: Result<Instruction, Vec<Diagnostic>>,
    /// The record as read (a CSV row as its JSON equivalent): what the store keeps so
    /// the instruction can be read again later.
    pub raw: Raw,
}

/// A record as read: parsed, or already in the form the store keeps (after
/// [`FileReport::prepare_to_store`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Raw {
    Parsed(Value),
    Stored(RawRecord),
}

impl Raw {
    /// The form the store keeps.
    pub fn to_stored(&self) -> RawRecord {
        match self {
            Raw::Parsed(value) => RawRecord::of(value),
            Raw::Stored(stored) => stored.clone(),
        }
    }
}

/// A record as the store keeps it: its JSON text and the SHA-256 of its content (keys
/// sorted, no whitespace; [`crate::store::content_sha256`]), which decides idempotency.
/// The drop folder makes them while the file is read (on the reading thread, files ahead
/// of the one being recorded), so recording only copies them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRecord {
    pub json: String,
    pub content_sha256: String,
}

impl RawRecord {
    pub fn of(record: &Value) -> Self {
        Self {
            json: record.to_string(),
            content_sha256: crate::store::content_sha256(record),
        }
    }
}

/// The verdict on one file: its records, and problems of the file as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileReport {
    pub file: String,
    pub records: Vec<RecordReport>,
    pub file_problems: Vec<Diagnostic>,
}

impl FileReport {
    /// Makes every valid record's stored form ([`RawRecord`]) and drops its parsed JSON.
    pub fn prepare_to_store(&mut self) {
        for record in self.records.iter_mut().filter(|r| r.outcome.is_ok()) {
            if let Raw::Parsed(value) = &record.raw {
                record.raw = Raw::Stored(RawRecord::of(value));
            }
        }
    }

    /// True when the file can be recorded as a whole: no file problem, no invalid record.
    pub fn is_valid(&self) -> bool {
        self.file_problems.is_empty() && self.records.iter().all(|r| r.outcome.is_ok())
    }

    /// Every diagnostic of the file, file problems first, then by record.
    pub fn diagnostics(&self) -> Vec<&Diagnostic> {
        let records = self.records.iter().filter_map(|r| r.outcome.as_ref().err());
        self.file_problems.iter().chain(records.flatten()).collect()
    }

    /// The valid instructions, in file order.
    pub fn instructions(&self) -> impl Iterator<Item = &Instruction> {
        self.records.iter().filter_map(|r| r.outcome.as_ref().ok())
    }
}

/// The file formats intake reads, chosen by file name extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Ndjson,
    Csv,
}

impl Format {
    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        if lower.ends_with(".json") {
            Some(Format::Json)
        } else if lower.ends_with(".ndjson") || lower.ends_with(".jsonl") {
            Some(Format::Ndjson)
        } else if lower.ends_with(".csv") {
            Some(Format::Csv)
        } else {
            None
        }
    }
}

/// Reads one instruction file's bytes. `name` is used for messages and to pick the format.
pub fn read_file(name: &str, bytes: &[u8], accounts: &AccountBook, limits: Limits) -> FileReport {
    let mut report = FileReport {
        file: name.to_owned(),
        records: Vec::new(),
        file_problems: Vec::new(),
    };
    let file_problem = |rule: &'static str, expected: String, actual: String| {
        Diagnostic::of_file(name, rule, expected, actual)
    };
    let Some(format) = Format::from_name(name) else {
        report.file_problems.push(file_problem(
            "file.format",
            "a name ending in .json, .ndjson or .csv".to_owned(),
            name.to_owned(),
        ));
        return report;
    };
    if bytes.len() > limits.max_file_bytes {
        report.file_problems.push(file_problem(
            "file.size",
            format!("at most {} bytes", limits.max_file_bytes),
            format!("{} bytes", bytes.len()),
        ));
        return report;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let line = bytes[..e.valid_up_to()]
                .iter()
                .filter(|b| **b == b'\n')
                .count()
                + 1;
            report.file_problems.push(Diagnostic {
                location: Location::Line(line as u64),
                ..file_problem(
                    "file.encoding",
                    "UTF-8 text".to_owned(),
                    format!("an invalid byte at offset {}", e.valid_up_to()),
                )
            });
            return report;
        }
    };
    let Split { records, problems } = match format {
        Format::Json => json::split(text, false),
        Format::Ndjson => json::split(text, true),
        Format::Csv => csv::split(text),
    };
    for (location, problem) in problems {
        report
            .file_problems
            .push(Diagnostic::from_field(name, location, None, problem));
    }
    if records.is_empty() && report.file_problems.is_empty() {
        report.file_problems.push(file_problem(
            "file.empty",
            "at least one instruction".to_owned(),
            "none".to_owned(),
        ));
    }
    if records.len() > limits.max_instructions {
        report.file_problems.push(file_problem(
            "file.instructions",
            format!("at most {} instructions", limits.max_instructions),
            format!("{} instructions", records.len()),
        ));
        return report;
    }
    let mut first_seen: HashMap<(u8, String), Location> = HashMap::new();
    for (location, value) in records {
        report.records.push(read_one(
            name,
            location,
            value,
            accounts,
            format,
            &mut first_seen,
        ));
    }
    report
}

fn read_one(
    file: &str,
    location: Location,
    value: Value,
    accounts: &AccountBook,
    format: Format,
    first_seen: &mut HashMap<(u8, String), Location>,
) -> RecordReport {
    let record = instruction::read_record(&value, accounts);
    let mut problems = match record.outcome {
        Ok(_) => Vec::new(),
        Err(ref problems) => problems.clone(),
    };
    // Ids are idempotency keys: once per file within their namespace.
    if let (Some(kind), Some(key)) = (record.kind, &record.key) {
        let namespace = match kind {
            InstructionKind::CreditTransfer | InstructionKind::DirectDebit => 0,
            InstructionKind::Mandate => 1,
            InstructionKind::MandateCancellation => 2,
        };
        let field = if namespace == 2 { "mandate" } else { "id" };
        if let Some(first) = first_seen.get(&(namespace, key.clone())) {
            problems.push(FieldViolation::new(
                field,
                RuleViolation::new(
                    "id.duplicate_in_file",
                    "each id once per file",
                    format!("{key:?}, already used at {first}"),
                ),
            ));
        } else {
            first_seen.insert((namespace, key.clone()), location);
        }
    }
    let outcome = match record.outcome {
        Ok(instruction) if problems.is_empty() => Ok(instruction),
        _ => Err(problems
            .into_iter()
            .map(|mut p| {
                if format == Format::Csv {
                    p.field = csv::column_for(&p.field);
                }
                Diagnostic::from_field(file, location, record.key.as_deref(), p)
            })
            .collect()),
    };
    RecordReport {
        location,
        kind: record.kind,
        key: record.key,
        outcome,
        raw: Raw::Parsed(value),
    }
}
