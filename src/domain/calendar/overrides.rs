//! One-off calendar changes as data: proclaimed holidays, moved holidays.
//!
//! # Format
//!
//! A TOML document (the caller reads the file; this module only parses text):
//!
//! ```toml
//! # Version of this format; must be 1.
//! format = 1
//!
//! # A day the calendar is closed although its rules say open.
//! [[closed]]
//! calendar = "GB"            # a CalendarId: TARGET2, SE, DK, GB, US_FED, WEEKDAYS, ALWAYS_OPEN
//! date = 2022-09-19          # a TOML local date (no quotes)
//! name = "Bank holiday for the State Funeral of Queen Elizabeth II"
//!
//! # A day the calendar is open although its rules say closed (e.g. a moved holiday,
//! # or a weekend opening).
//! [[open]]
//! calendar = "GB"
//! date = 2022-05-30
//! name = "Spring bank holiday moved to 2 June 2022"
//! ```
//!
//! All three keys are required in every entry; `name` must not be blank. No other
//! keys are allowed. The same calendar and date may appear only once (in `closed` or
//! `open`, not both). Parsing reports **every** problem, each with its 1-based line,
//! the field path (e.g. `closed[0].date`), and expected/actual values.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;

use jiff::civil::Date;
use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::CalendarId;
use crate::domain::rule::RuleViolation;

/// Whether an override closes or opens a day.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OverrideKind {
    Closed,
    Open,
}

impl OverrideKind {
    /// The TOML array name of this kind (`closed` / `open`).
    pub const fn key(self) -> &'static str {
        match self {
            OverrideKind::Closed => "closed",
            OverrideKind::Open => "open",
        }
    }
}

/// One parsed override entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CalendarOverride {
    pub calendar: CalendarId,
    pub date: Date,
    pub kind: OverrideKind,
    pub name: String,
}

/// A parsed, consistent override file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CalendarOverrides {
    entries: Vec<CalendarOverride>,
}

/// One problem in an override file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, {field}: {violation}")]
pub struct OverrideError {
    /// 1-based line of the offending text.
    pub line: usize,
    /// Path of the offending field, e.g. `closed[2].date`; `document` for syntax errors.
    pub field: String,
    pub violation: RuleViolation,
}

/// The format version this parser understands.
pub const FORMAT_VERSION: i64 = 1;

impl CalendarOverrides {
    /// No overrides.
    pub fn empty() -> Self {
        Self::default()
    }

    /// Builds overrides from already-made entries (tests, other sources). Conflicts
    /// (same calendar and date twice) are reported like the parser does, line 0.
    pub fn from_entries(entries: Vec<CalendarOverride>) -> Result<Self, Vec<OverrideError>> {
        let mut errors = Vec::new();
        let mut seen: BTreeMap<(CalendarId, Date), usize> = BTreeMap::new();
        for (i, entry) in entries.iter().enumerate() {
            if let Some(first) = seen.insert((entry.calendar, entry.date), i) {
                errors.push(OverrideError {
                    line: 0,
                    field: format!("entries[{i}]"),
                    violation: duplicate_violation(entry, &format!("entries[{first}]")),
                });
            }
        }
        if errors.is_empty() {
            Ok(Self { entries })
        } else {
            Err(errors)
        }
    }

    /// Parses the TOML text described in the module documentation.
    pub fn parse(text: &str) -> Result<Self, Vec<OverrideError>> {
        let lines = LineIndex(text);
        let (document, syntax_errors) = DeTable::parse_recoverable(text);
        let errors: Vec<OverrideError> = syntax_errors
            .iter()
            .map(|e| OverrideError {
                line: e.span().map_or(0, |s| lines.line(&s)),
                field: "document".into(),
                violation: RuleViolation::new(
                    "overrides.syntax",
                    "valid TOML",
                    e.message().trim().to_string(),
                ),
            })
            .collect();
        if !errors.is_empty() {
            // Report syntax errors alone: checks on a recovered document would mislead.
            return Err(errors);
        }
        let mut errors = errors;
        let mut entries = Vec::new();
        let mut seen: BTreeMap<(CalendarId, Date), String> = BTreeMap::new();
        let mut version_seen = false;

        for (key, value) in document.get_ref().iter() {
            let line = lines.line(&key.span());
            match key.get_ref().as_ref() {
                "format" => {
                    version_seen = true;
                    let ok = matches!(value.get_ref(), DeValue::Integer(i) if i.as_str() == "1" && i.radix() == 10);
                    if !ok {
                        errors.push(OverrideError {
                            line,
                            field: "format".into(),
                            violation: RuleViolation::new(
                                "overrides.format",
                                format!("format = {FORMAT_VERSION}"),
                                describe(value.get_ref()),
                            ),
                        });
                    }
                }
                "closed" | "open" => {
                    let kind = if key.get_ref() == "closed" {
                        OverrideKind::Closed
                    } else {
                        OverrideKind::Open
                    };
                    let DeValue::Array(items) = value.get_ref() else {
                        errors.push(OverrideError {
                            line,
                            field: kind.key().into(),
                            violation: RuleViolation::new(
                                "overrides.type",
                                format!("an array of tables ([[{}]])", kind.key()),
                                describe(value.get_ref()),
                            ),
                        });
                        continue;
                    };
                    for (i, item) in items.iter().enumerate() {
                        let path = format!("{}[{i}]", kind.key());
                        if let Some(entry) = parse_entry(kind, &path, item, &lines, &mut errors) {
                            let item_line = lines.line(&item.span());
                            if let Some(first) =
                                seen.insert((entry.calendar, entry.date), path.clone())
                            {
                                errors.push(OverrideError {
                                    line: item_line,
                                    field: path,
                                    violation: duplicate_violation(&entry, &first),
                                });
                            } else {
                                entries.push(entry);
                            }
                        }
                    }
                }
                other => errors.push(OverrideError {
                    line,
                    field: other.to_string(),
                    violation: RuleViolation::new(
                        "overrides.unknown_key",
                        "one of format, closed, open",
                        other,
                    ),
                }),
            }
        }
        if !version_seen {
            errors.push(OverrideError {
                line: 1,
                field: "format".into(),
                violation: RuleViolation::new(
                    "overrides.format",
                    format!("format = {FORMAT_VERSION}"),
                    "no format key",
                ),
            });
        }
        if errors.is_empty() {
            Ok(Self { entries })
        } else {
            errors.sort_by(|a, b| a.line.cmp(&b.line).then_with(|| a.field.cmp(&b.field)));
            Err(errors)
        }
    }

    /// Every entry, in file order.
    pub fn entries(&self) -> &[CalendarOverride] {
        &self.entries
    }

    /// The entries for one calendar.
    pub fn for_calendar(&self, id: CalendarId) -> impl Iterator<Item = &CalendarOverride> {
        self.entries.iter().filter(move |e| e.calendar == id)
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

fn duplicate_violation(entry: &CalendarOverride, first: &str) -> RuleViolation {
    RuleViolation::new(
        "overrides.duplicate",
        format!(
            "at most one override per calendar and date ({} {} is already set by {first})",
            entry.calendar, entry.date
        ),
        format!("{} {} again", entry.calendar, entry.date),
    )
}

fn parse_entry(
    kind: OverrideKind,
    path: &str,
    item: &Spanned<DeValue<'_>>,
    lines: &LineIndex<'_>,
    errors: &mut Vec<OverrideError>,
) -> Option<CalendarOverride> {
    let item_line = lines.line(&item.span());
    let DeValue::Table(table) = item.get_ref() else {
        errors.push(OverrideError {
            line: item_line,
            field: path.to_string(),
            violation: RuleViolation::new(
                "overrides.type",
                "a table with calendar, date and name",
                describe(item.get_ref()),
            ),
        });
        return None;
    };
    let mut calendar = None;
    let mut date = None;
    let mut name = None;
    let mut push = |line: usize, field: &str, rule, expected: &str, actual: String| {
        errors.push(OverrideError {
            line,
            field: format!("{path}.{field}"),
            violation: RuleViolation::new(rule, expected, actual),
        });
    };
    for (key, value) in table.iter() {
        let line = lines.line(&value.span());
        let field = key.get_ref().as_ref();
        match (field, value.get_ref()) {
            ("calendar", DeValue::String(s)) => match s.parse::<CalendarId>() {
                Ok(id) => calendar = Some(id),
                Err(v) => push(line, field, "overrides.calendar", &v.expected, v.actual),
            },
            ("calendar", other) => push(
                line,
                field,
                "overrides.calendar",
                "a calendar name in quotes, e.g. \"GB\"",
                describe(other),
            ),
            ("date", DeValue::Datetime(dt)) => {
                let civil = match (dt.date, dt.time, dt.offset) {
                    (Some(d), None, None) => {
                        let year = i16::try_from(d.year).ok();
                        let month = i8::try_from(d.month).ok();
                        let day = i8::try_from(d.day).ok();
                        match (year, month, day) {
                            (Some(y), Some(m), Some(d)) => Date::new(y, m, d).ok(),
                            _ => None,
                        }
                    }
                    _ => None,
                };
                match civil {
                    Some(d) => date = Some(d),
                    None => push(
                        line,
                        field,
                        "overrides.date",
                        "a local date such as 2022-09-19 (no time, no offset)",
                        dt.to_string(),
                    ),
                }
            }
            ("date", other) => push(
                line,
                field,
                "overrides.date",
                "a local date such as 2022-09-19 (unquoted)",
                describe(other),
            ),
            ("name", DeValue::String(s)) if !s.trim().is_empty() => {
                name = Some(s.trim().to_string());
            }
            ("name", other) => push(
                line,
                field,
                "overrides.name",
                "a non-blank name of the day in quotes",
                describe(other),
            ),
            (other, _) => push(
                lines.line(&key.span()),
                other,
                "overrides.unknown_key",
                "one of calendar, date, name",
                other.to_string(),
            ),
        }
    }
    let mut missing = |field: &str, present: bool| {
        if !present {
            errors.push(OverrideError {
                line: item_line,
                field: format!("{path}.{field}"),
                violation: RuleViolation::new(
                    "overrides.missing",
                    format!("a {field} in every [[{}]] entry", kind.key()),
                    "nothing",
                ),
            });
        }
    };
    missing("calendar", table.get("calendar").is_some());
    missing("date", table.get("date").is_some());
    missing("name", table.get("name").is_some());
    Some(CalendarOverride {
        calendar: calendar?,
        date: date?,
        kind,
        name: name?,
    })
}

/// A short, safe description of a TOML value for error messages.
fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => format!("the string {s:?}"),
        DeValue::Integer(i) => format!("the integer {}", i.as_str()),
        DeValue::Float(f) => format!("the float {}", f.as_str()),
        DeValue::Boolean(b) => format!("the boolean {b}"),
        DeValue::Datetime(d) => format!("the datetime {d}"),
        DeValue::Array(_) => "an array".into(),
        DeValue::Table(_) => "a table".into(),
    }
}

/// Byte offset → 1-based line number.
struct LineIndex<'a>(&'a str);

impl LineIndex<'_> {
    fn line(&self, span: &Range<usize>) -> usize {
        let bytes = self.0.as_bytes();
        let end = span.start.min(bytes.len());
        bytes[..end].iter().filter(|b| **b == b'\n').count() + 1
    }
}

impl fmt::Display for CalendarOverride {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} ({})",
            self.calendar,
            self.kind.key(),
            self.date,
            self.name
        )
    }
}
