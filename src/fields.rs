//! Reading loosely-typed trees (JSON instructions, CSV rows, the TOML configuration)
//! field by field, collecting every problem instead of stopping at the first.
//!
//! A [`Fields`] wraps one JSON object. Every key the reader asks for becomes a known
//! key; [`Fields::finish`] reports the keys nobody asked for as unknown fields, so a
//! typo (`ammount`) never passes silently. `null` counts as absent.

use serde_json::{Map, Value};

use crate::domain::rule::{FieldViolation, RuleViolation};

/// A reader over one object, with the path of that object for error messages.
pub struct Fields<'a> {
    map: &'a Map<String, Value>,
    path: String,
    known: Vec<&'static str>,
    problems: Vec<FieldViolation>,
}

/// Describes a JSON value for an error message, without dumping large structures.
pub fn describe(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => format!("the boolean {b}"),
        Value::Number(n) => format!("the number {n}"),
        Value::String(s) => format!("the text {s:?}"),
        Value::Array(a) => format!("a list of {} items", a.len()),
        Value::Object(_) => "an object".to_owned(),
    }
}

impl<'a> Fields<'a> {
    /// Starts reading `value`, which must be an object; `path` names it (may be empty).
    pub fn new(value: &'a Value, path: &str) -> Result<Self, FieldViolation> {
        match value {
            Value::Object(map) => Ok(Self {
                map,
                path: path.to_owned(),
                known: Vec::new(),
                problems: Vec::new(),
            }),
            other => Err(FieldViolation::new(
                if path.is_empty() { "(record)" } else { path },
                RuleViolation::new("field.type", "an object", describe(other)),
            )),
        }
    }

    /// Full path of a field of this object.
    pub fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Records a problem with a field of this object.
    pub fn problem(&mut self, key: &str, violation: RuleViolation) {
        let field = self.path_of(key);
        self.problems.push(FieldViolation::new(field, violation));
    }

    /// The raw value of `key`, marking it known; `null` is treated as absent.
    pub fn value(&mut self, key: &'static str) -> Option<&'a Value> {
        if !self.known.contains(&key) {
            self.known.push(key);
        }
        self.map.get(key).filter(|v| !v.is_null())
    }

    /// Marks keys as known without reading them (e.g. fields another kind uses).
    pub fn allow(&mut self, keys: &[&'static str]) {
        for key in keys {
            if !self.known.contains(key) {
                self.known.push(key);
            }
        }
    }

    /// A text field. Absent: `None`, plus a `field.required` problem when `required`.
    pub fn text(&mut self, key: &'static str, required: bool) -> Option<&'a str> {
        match self.value(key) {
            Some(Value::String(s)) => Some(s.as_str()),
            Some(other) => {
                let v = RuleViolation::new("field.type", "a text (JSON string)", describe(other));
                self.problem(key, v);
                None
            }
            None => {
                if required {
                    self.missing(key);
                }
                None
            }
        }
    }

    /// A text field run through `parse`; its error is recorded against the field.
    pub fn parsed<T>(
        &mut self,
        key: &'static str,
        required: bool,
        parse: impl FnOnce(&str) -> Result<T, RuleViolation>,
    ) -> Option<T> {
        let text = self.text(key, required)?;
        match parse(text) {
            Ok(value) => Some(value),
            Err(violation) => {
                self.problem(key, violation);
                None
            }
        }
    }

    /// A boolean field.
    pub fn boolean(&mut self, key: &'static str) -> Option<bool> {
        match self.value(key) {
            Some(Value::Bool(b)) => Some(*b),
            Some(other) => {
                let v = RuleViolation::new("field.type", "true or false", describe(other));
                self.problem(key, v);
                None
            }
            None => None,
        }
    }

    /// A whole number within `min..=max`.
    pub fn number(&mut self, key: &'static str, min: u64, max: u64) -> Option<u64> {
        match self.value(key) {
            None => None,
            Some(Value::Number(n)) if n.as_u64().is_some_and(|v| (min..=max).contains(&v)) => {
                n.as_u64()
            }
            Some(other) => {
                let v = RuleViolation::new(
                    "config.number",
                    format!("a whole number from {min} to {max}"),
                    describe(other),
                );
                self.problem(key, v);
                None
            }
        }
    }

    /// A list of texts, each run through `parse` (problems named `key[i]`).
    pub fn texts<T>(
        &mut self,
        key: &'static str,
        mut parse: impl FnMut(&str) -> Result<T, RuleViolation>,
    ) -> Option<Vec<T>> {
        let items = self.list(key)?;
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let field = format!("{key}[{i}]");
            match item {
                Value::String(s) => match parse(s) {
                    Ok(v) => out.push(v),
                    Err(violation) => self.problem(&field, violation),
                },
                other => {
                    let v = RuleViolation::new("field.type", "a text", describe(other));
                    self.problem(&field, v);
                }
            }
        }
        Some(out)
    }

    /// A nested object; read it with the returned reader and hand it back to [`Self::absorb`].
    pub fn object(&mut self, key: &'static str, required: bool) -> Option<Fields<'a>> {
        let path = self.path_of(key);
        match self.value(key) {
            Some(value) => match Fields::new(value, &path) {
                Ok(fields) => Some(fields),
                Err(problem) => {
                    self.problems.push(problem);
                    None
                }
            },
            None => {
                if required {
                    self.missing(key);
                }
                None
            }
        }
    }

    /// A list field.
    pub fn list(&mut self, key: &'static str) -> Option<&'a [Value]> {
        match self.value(key) {
            Some(Value::Array(items)) => Some(items.as_slice()),
            Some(other) => {
                let v = RuleViolation::new("field.type", "a list (JSON array)", describe(other));
                self.problem(key, v);
                None
            }
            None => None,
        }
    }

    /// Takes over the problems of a nested reader (including its unknown fields).
    pub fn absorb(&mut self, child: Fields<'a>) {
        let problems = child.finish();
        self.problems.extend(problems);
    }

    /// Takes over problems found elsewhere.
    pub fn extend(&mut self, problems: impl IntoIterator<Item = FieldViolation>) {
        self.problems.extend(problems);
    }

    pub fn has_problems(&self) -> bool {
        !self.problems.is_empty()
    }

    fn missing(&mut self, key: &str) {
        let v = RuleViolation::new("field.required", "a value", "nothing");
        self.problem(key, v);
    }

    /// Ends reading: every problem found, plus one per key nobody asked for.
    pub fn finish(mut self) -> Vec<FieldViolation> {
        let mut known: Vec<&str> = self.known.clone();
        known.sort_unstable();
        for key in self.map.keys() {
            if !self.known.contains(&key.as_str()) {
                let v = RuleViolation::new(
                    "field.unknown",
                    format!("one of the known fields: {}", known.join(", ")),
                    key.clone(),
                );
                self.problem(&key.clone(), v);
            }
        }
        self.problems
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn collects_every_problem_and_unknown_fields() {
        let value = json!({"id": 5, "name": "x", "ammount": "1", "nested": {"a": true, "b": 1}});
        let mut fields = Fields::new(&value, "").unwrap();
        assert_eq!(fields.text("id", true), None);
        assert_eq!(fields.text("name", true), Some("x"));
        assert_eq!(fields.text("amount", true), None);
        let mut nested = fields.object("nested", true).unwrap();
        assert_eq!(nested.boolean("a"), Some(true));
        fields.absorb(nested);
        let got: Vec<(String, &str)> = fields
            .finish()
            .into_iter()
            .map(|p| (p.field, p.violation.rule))
            .collect();
        assert_eq!(
            got,
            vec![
                ("id".to_owned(), "field.type"),
                ("amount".to_owned(), "field.required"),
                ("nested.b".to_owned(), "field.unknown"),
                ("ammount".to_owned(), "field.unknown"),
            ]
        );
    }

    #[test]
    fn null_is_absent_and_non_objects_are_refused() {
        let value = json!({"x": null});
        let mut fields = Fields::new(&value, "").unwrap();
        assert_eq!(fields.text("x", false), None);
        assert!(fields.finish().is_empty());
        let err = Fields::new(&json!([1]), "counterparty").err().unwrap();
        assert_eq!(err.field, "counterparty");
        assert_eq!(err.violation.rule, "field.type");
    }
}
