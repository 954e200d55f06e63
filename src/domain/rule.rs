//! The one error shape every domain validator returns.
//!
//! A [`RuleViolation`] names the rule that failed (a stable dotted name such as
//! `iban.checksum`), what was expected and what was found. Callers that know where
//! the value came from (file, line, field) wrap it; the domain never knows about files.

use std::fmt;

/// One failed validation rule, with expected and actual values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub struct RuleViolation {
    /// Stable, dotted rule name, e.g. `iban.checksum` or `amount.decimals`.
    pub rule: &'static str,
    /// What the rule wants, in words an operator understands.
    pub expected: String,
    /// What was found (already normalised where that helps; never a secret).
    pub actual: String,
}

impl RuleViolation {
    pub fn new(rule: &'static str, expected: impl Into<String>, actual: impl Into<String>) -> Self {
        Self {
            rule,
            expected: expected.into(),
            actual: actual.into(),
        }
    }
}

impl fmt::Display for RuleViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "rule {} failed: expected {}, got {}",
            self.rule, self.expected, self.actual
        )
    }
}

/// A [`RuleViolation`] attached to a field path relative to the value being checked
/// (e.g. `counterparty.account.number`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldViolation {
    pub field: String,
    pub violation: RuleViolation,
}

impl fmt::Display for FieldViolation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.field, self.violation)
    }
}

impl FieldViolation {
    pub fn new(field: impl Into<String>, violation: RuleViolation) -> Self {
        Self {
            field: field.into(),
            violation,
        }
    }
}

/// Declares a closed enum with stable upper-case text names, `Display`, `FromStr`
/// (failing with a [`RuleViolation`] naming every allowed value) and `ALL`.
#[macro_export]
macro_rules! named_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name { $($variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            pub const fn as_str(self) -> &'static str {
                match self { $($name::$variant => $text),+ }
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result { f.write_str(self.as_str()) }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::domain::rule::RuleViolation;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($text => Ok($name::$variant),)+
                    _ => Err($crate::domain::rule::RuleViolation::new(
                        $what,
                        concat!("one of ", $($text, " "),+),
                        s,
                    )),
                }
            }
        }
    };
}
