//! The payment domain: money, identifiers, schemes, calendars, state machines.
//!
//! Invariant: nothing in `domain` does IO, is async, or knows XML. Everything here
//! is a pure function of its inputs, so it can be tested exhaustively.

pub mod account;
pub mod calendar;
pub mod country;
pub mod event;
pub mod instruction;
pub mod mandate;
pub mod money;
pub mod payment;
pub mod remittance;
pub mod rule;
pub mod scheme;
pub mod timing;
