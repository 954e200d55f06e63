//! The event record every payment or mandate event leaves behind, applied or not.
//!
//! The state machines in [`super::payment`] and [`super::mandate`] never change a status
//! without returning an [`EventRecord`], and they return one even when bank evidence does
//! not change the status (`applied: false`, with a `note` saying why). The store persists
//! these records as the entity's history; the status column is always the `status_after`
//! of the latest record.
//!
//! Every event falls in one of three groups, and the group decides what happens when it
//! does not fit the current status:
//! - **commands** (customer or workflow actions such as `APPROVED`, `SUBMISSION_STARTED`,
//!   `CANCELLATION_REQUESTED`): a command the status does not allow is a
//!   [`TransitionError`]; repeating the command that led to the current status is a
//!   duplicate and gives a record with `applied: false`;
//! - **observations** (facts reported by the bank or our own transport, such as
//!   `FILE_UPLOADED`, `BANK_STATUS_RECEIVED`, `STATUS_UNKNOWN`): never an error; when they
//!   would regress the status, repeat it, or arrive after a final status they are recorded
//!   with `applied: false`;
//! - **`OPERATOR_FORCE_UPDATE`**: sets any status; it needs an `operator:<name>` actor and a
//!   non-blank reason, otherwise it is a [`TransitionError`].
//!
//! Invariant: `applied` is true exactly when the status changed (`status_before !=
//! status_after`), except for the `CREATED` record, which has no `status_before`.

use std::fmt;
use std::str::FromStr;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::rule::RuleViolation;
use crate::named_enum;

named_enum! {
    /// Which kind of entity an event belongs to.
    EntityKind, "event.entity" {
        Payment = "PAYMENT",
        Mandate = "MANDATE",
    }
}

/// Implements `Serialize`/`Deserialize` through `Display`/`FromStr`, so the stable text
/// names are what a store or an API sees.
macro_rules! serde_as_text {
    ($($ty:ty),+ $(,)?) => {
        $(
            impl ::serde::Serialize for $ty {
                fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                    serializer.collect_str(self)
                }
            }

            impl<'de> ::serde::Deserialize<'de> for $ty {
                fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    let text = String::deserialize(deserializer)?;
                    text.parse().map_err(::serde::de::Error::custom)
                }
            }
        )+
    };
}
pub(crate) use serde_as_text;

serde_as_text!(EntityKind, Actor);

/// Who caused an event. Text form: `system`, `customer:<name>`, `bank:<connection>`,
/// `operator:<name>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Actor {
    /// bankgate itself (queueing, uploading, SLA timers).
    System,
    /// The customer, through the drop folder or an API (approvals, cancellations).
    Customer(String),
    /// Evidence received over a bank connection, named as in the configuration.
    Bank(String),
    /// A human operator; the only actor allowed to force a status.
    Operator(String),
}

impl fmt::Display for Actor {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Actor::System => f.write_str("system"),
            Actor::Customer(name) => write!(f, "customer:{name}"),
            Actor::Bank(connection) => write!(f, "bank:{connection}"),
            Actor::Operator(name) => write!(f, "operator:{name}"),
        }
    }
}

impl FromStr for Actor {
    type Err = RuleViolation;

    /// Parses the text form. Names are taken verbatim (everything after the first `:`),
    /// so every `Actor` survives a round trip through its text form.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "system" {
            return Ok(Actor::System);
        }
        match s.split_once(':') {
            Some(("customer", name)) => Ok(Actor::Customer(name.to_owned())),
            Some(("bank", connection)) => Ok(Actor::Bank(connection.to_owned())),
            Some(("operator", name)) => Ok(Actor::Operator(name.to_owned())),
            _ => Err(RuleViolation::new(
                "event.actor",
                "system, customer:<name>, bank:<connection> or operator:<name>",
                s,
            )),
        }
    }
}

/// Who does something and when. The caller supplies the time: the domain reads no clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventContext {
    pub actor: Actor,
    pub at: Timestamp,
}

impl EventContext {
    pub fn new(actor: Actor, at: Timestamp) -> Self {
        Self { actor, at }
    }
}

/// What the bank (or our transport) said, as plain strings: the domain records codes, it
/// does not interpret them. Mapping a pain.002 or camt code to an outcome is the caller's
/// job.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Evidence {
    /// Status code as reported, e.g. `ACTC`, `ACSC`, `RJCT`, or an Autogiro TK73 code.
    pub status_code: Option<String>,
    /// Reason code as reported, e.g. `AC01`, `MD01`, `MD07`.
    pub reason_code: Option<String>,
    /// Where it came from: file name, `MsgId`, entry reference.
    pub source: Option<String>,
}

impl Evidence {
    /// Evidence with a status code only.
    pub fn status(code: impl Into<String>) -> Self {
        Self {
            status_code: Some(code.into()),
            ..Self::default()
        }
    }

    /// Adds a reason code.
    pub fn with_reason(mut self, code: impl Into<String>) -> Self {
        self.reason_code = Some(code.into());
        self
    }

    /// Adds the source (file name, message id, entry reference).
    pub fn with_source(mut self, source: impl Into<String>) -> Self {
        self.source = Some(source.into());
        self
    }

    pub fn is_empty(&self) -> bool {
        self.status_code.is_none() && self.reason_code.is_none() && self.source.is_none()
    }

    /// `None` for empty evidence, so records do not carry empty objects.
    pub(crate) fn into_option(self) -> Option<Self> {
        (!self.is_empty()).then_some(self)
    }
}

/// One event as the store persists it. `S` is the status type, `K` the event-kind type
/// (see [`super::payment::PaymentRecord`] and [`super::mandate::MandateRecord`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRecord<S, K> {
    pub entity: EntityKind,
    pub entity_id: String,
    pub event: K,
    pub actor: Actor,
    pub at: Timestamp,
    /// `None` only for the `CREATED` record.
    pub status_before: Option<S>,
    pub status_after: S,
    /// Whether the event changed the status.
    pub applied: bool,
    /// Why the event happened, as given by its actor (rejection reason, operator reason).
    pub reason: Option<String>,
    pub evidence: Option<Evidence>,
    /// What the state machine made of the event when that is not obvious: why it was not
    /// applied, or that a rejection after execution was recorded as a return.
    pub note: Option<String>,
}

/// A command or force update the current status does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{entity} {entity_id}: {event} expected {expected}, got {actual}")]
pub struct TransitionError {
    pub entity: EntityKind,
    pub entity_id: String,
    /// Text name of the refused event, e.g. `APPROVED`.
    pub event: String,
    /// What the event needs, e.g. `status CREATED`.
    pub expected: String,
    /// What was found, e.g. `status SENT`.
    pub actual: String,
}

/// What both status types share; the transition helpers below are written against it.
pub(crate) trait Lifecycle: Copy + Eq + fmt::Display {
    const ENTITY: EntityKind;
    const UNKNOWN: Self;
    /// Rank on the happy path; `None` for statuses off it (final and `UNKNOWN`).
    fn rank(self) -> Option<u8>;
    fn is_final(self) -> bool;
}

/// What a state machine decided about one event.
#[derive(Debug)]
pub(crate) enum Decision<S> {
    /// Move to `to`; `note` explains a non-obvious move.
    Apply { to: S, note: Option<String> },
    /// Record, but leave the status where it is.
    Keep { note: String },
}

/// Why an event was refused: the `expected`/`actual` of a [`TransitionError`].
#[derive(Debug)]
pub(crate) struct Refusal {
    pub expected: String,
    pub actual: String,
}

/// A command moving `status` to `to`, allowed only from `from`. Repeating it when the
/// status already is `to` is a duplicate.
pub(crate) fn command<S: Lifecycle>(status: S, from: &[S], to: S) -> Result<Decision<S>, Refusal> {
    if status == to {
        Ok(Decision::Keep {
            note: format!("duplicate: status is already {to}"),
        })
    } else if from.contains(&status) {
        Ok(Decision::Apply { to, note: None })
    } else {
        let names: Vec<String> = from.iter().map(ToString::to_string).collect();
        Err(Refusal {
            expected: format!("status {}", names.join(" or ")),
            actual: format!("status {status}"),
        })
    }
}

/// An observation that moves the status forward to `to`: a duplicate, a regression or a
/// final status is recorded without effect; `UNKNOWN` is left for anything.
pub(crate) fn observe<S: Lifecycle>(status: S, to: S) -> Decision<S> {
    if status == to {
        return Decision::Keep {
            note: format!("duplicate: status is already {to}"),
        };
    }
    if status.is_final() {
        return Decision::Keep {
            note: format!("{status} is final; only OPERATOR_FORCE_UPDATE can leave it"),
        };
    }
    if status == S::UNKNOWN || to.is_final() {
        return Decision::Apply { to, note: None };
    }
    match (status.rank(), to.rank()) {
        (Some(now), Some(next)) if next > now => Decision::Apply { to, note: None },
        _ => Decision::Keep {
            note: format!("{to} would regress {status}; status kept"),
        },
    }
}

/// `STATUS_UNKNOWN`: applies only while an outcome is awaited (`awaiting`).
pub(crate) fn lose_track<S: Lifecycle>(status: S, awaiting: &[S]) -> Decision<S> {
    if status == S::UNKNOWN {
        Decision::Keep {
            note: format!("duplicate: status is already {status}"),
        }
    } else if awaiting.contains(&status) {
        Decision::Apply {
            to: S::UNKNOWN,
            note: None,
        }
    } else {
        Decision::Keep {
            note: format!("{status} is not awaiting an outcome; status kept"),
        }
    }
}

/// `OPERATOR_FORCE_UPDATE`: any status to any status, by a named operator with a reason.
pub(crate) fn force<S: Lifecycle>(
    status: S,
    to: S,
    actor: &Actor,
    reason: &str,
) -> Result<Decision<S>, Refusal> {
    if !matches!(actor, Actor::Operator(name) if !name.trim().is_empty()) {
        return Err(Refusal {
            expected: "actor operator:<name>".to_owned(),
            actual: format!("actor {actor}"),
        });
    }
    if reason.trim().is_empty() {
        return Err(Refusal {
            expected: "a non-blank reason".to_owned(),
            actual: "a blank reason".to_owned(),
        });
    }
    Ok(if status == to {
        Decision::Keep {
            note: format!("status is already {to}"),
        }
    } else {
        Decision::Apply {
            to,
            note: Some(format!("forced from {status}")),
        }
    })
}

/// What an event carries besides its kind, for the record.
#[derive(Default)]
pub(crate) struct Details {
    pub reason: Option<String>,
    pub evidence: Evidence,
}

impl Details {
    pub(crate) fn new(reason: Option<String>, evidence: Evidence) -> Self {
        Self { reason, evidence }
    }
}

/// Carries out `decision` on `status` and returns the record, or the error for a refusal
/// (leaving `status` alone).
pub(crate) fn settle<S: Lifecycle, K: fmt::Display>(
    entity_id: &str,
    status: &mut S,
    event: K,
    ctx: &EventContext,
    decision: Result<Decision<S>, Refusal>,
    details: Details,
) -> Result<EventRecord<S, K>, TransitionError> {
    let decision = decision.map_err(|refusal| TransitionError {
        entity: S::ENTITY,
        entity_id: entity_id.to_owned(),
        event: event.to_string(),
        expected: refusal.expected,
        actual: refusal.actual,
    })?;
    let before = *status;
    let (after, note) = match decision {
        Decision::Apply { to, note } => (to, note),
        Decision::Keep { note } => (before, Some(note)),
    };
    *status = after;
    Ok(EventRecord {
        entity: S::ENTITY,
        entity_id: entity_id.to_owned(),
        event,
        actor: ctx.actor.clone(),
        at: ctx.at,
        status_before: Some(before),
        status_after: after,
        applied: before != after,
        reason: details.reason,
        evidence: details.evidence.into_option(),
        note,
    })
}

/// The `CREATED` record.
pub(crate) fn created<S: Lifecycle, K>(
    entity_id: &str,
    status: S,
    event: K,
    ctx: &EventContext,
) -> EventRecord<S, K> {
    EventRecord {
        entity: S::ENTITY,
        entity_id: entity_id.to_owned(),
        event,
        actor: ctx.actor.clone(),
        at: ctx.at,
        status_before: None,
        status_after: status,
        applied: true,
        reason: None,
        evidence: None,
        note: None,
    }
}
