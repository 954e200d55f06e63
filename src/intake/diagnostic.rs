//! Diagnostics: one problem found in an instruction file, with where and why.

use std::fmt;

use serde::Serialize;

use crate::domain::rule::FieldViolation;

/// Where in a file a record or problem sits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    /// The file as a whole (e.g. it is not UTF-8, or a CSV header is wrong).
    File,
    /// 1-based line (NDJSON, CSV, a single JSON object).
    Line(u64),
    /// 0-based position in a top-level JSON array.
    Index(usize),
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => f.write_str("file"),
            Location::Line(line) => write!(f, "line {line}"),
            Location::Index(index) => write!(f, "index {index}"),
        }
    }
}

/// One problem: file, location, field, rule, expected and actual.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    pub file: String,
    pub location: Location,
    /// The instruction's `id` (or mandate reference) when it could be read.
    pub id: Option<String>,
    /// The field as the file names it: a JSON path or a CSV column.
    pub field: Option<String>,
    pub rule: String,
    pub expected: String,
    pub actual: String,
}

impl Diagnostic {
    /// A problem of the file as a whole (its name, size, encoding): no record, id or field.
    pub fn of_file(file: &str, rule: &str, expected: String, actual: String) -> Self {
        Self {
            file: file.to_owned(),
            location: Location::File,
            id: None,
            field: None,
            rule: rule.to_owned(),
            expected,
            actual,
        }
    }

    pub fn from_field(
        file: &str,
        location: Location,
        id: Option<&str>,
        problem: FieldViolation,
    ) -> Self {
        Self {
            file: file.to_owned(),
            location,
            id: id.map(str::to_owned),
            field: Some(problem.field),
            rule: problem.violation.rule.to_owned(),
            expected: problem.violation.expected,
            actual: problem.violation.actual,
        }
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.file, self.location)?;
        if let Some(field) = &self.field {
            write!(f, ": field {field}")?;
        }
        write!(
            f,
            ": expected {}, got {} (rule {})",
            self.expected, self.actual, self.rule
        )
    }
}
