//! bankgate: a bank-connectivity gateway.
//!
//! # Layout
//! - [`domain`]: money, identifiers, schemes, calendars, payment and mandate state machines (pure).
//! - [`intake`]: instruction files (JSON, NDJSON, CSV) parsed into validated instructions.
//! - [`config`]: the TOML configuration with `BANKGATE__` environment overrides.
//! - [`fields`]: reading loosely-typed trees field by field, collecting every problem.
//! - [`iso20022`]: ISO 20022 messages (pain.001, pain.008) and the SEPA character set.
//! - [`engine`]: per-connection work; today reconciling bank reports with payments (pure).
//! - [`store`]: the durable store (`Store` trait; embedded SQLite with embedded migrations).
//! - [`transport`]: how files reach a bank and come back (`Transport`; local directories, SFTP).
//! - [`bank_sim`]: a simulated bank over an inbox/outbox directory pair (tests, demos).
//! - [`cli`]: the command-line interface; `main.rs` only calls [`cli::main`].
#![forbid(unsafe_code)]

pub mod bank_sim;
pub mod cli;
pub mod config;
pub mod domain;
pub mod engine;
pub mod fields;
pub mod intake;
pub mod iso20022;
pub mod store;
pub mod transport;
