//! The daemon's work: intake into the store, and per bank connection a worker that runs
//! windows (approved payments into files), submits files through the transport, polls
//! the bank's files and reconciles them.
//!
//! - [`schedule`]: cut-off windows on business days (pure).
//! - [`window`]: claiming payments and building, archiving and recording files.
//! - [`handoff`]: instructions passed from intake to the windows in memory.
//! - [`upload`]: the upload protocol's recorded intent and crash recovery.
//! - [`poll`]: fetching, archiving, parsing, reconciling and recording bank files.
//! - [`worker`]: one connection's loop (ticks, triggers, backoff, stop on fatal errors).
//! - [`reconcile`]: applying parsed bank reports to payments and mandates (pure).

pub mod handoff;
pub mod intake;
pub mod poll;
pub mod reconcile;
pub mod schedule;
pub mod supervisor;
pub mod upload;
pub mod window;
pub mod worker;

use crate::store::StoreError;
use crate::transport::TransportError;

/// Why a step of a connection's work failed.
#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Transport(#[from] TransportError),
    #[error("archive: {0}")]
    Archive(String),
    #[error("{0}")]
    Internal(String),
}

impl EngineError {
    /// Whether trying again later may succeed. A transport error that is not retryable
    /// (host key mismatch, refused authentication, permission denied) stops the connection.
    pub fn retryable(&self) -> bool {
        match self {
            EngineError::Store(e) => e.retryable(),
            EngineError::Transport(e) => e.retryable(),
            EngineError::Archive(_) => true,
            EngineError::Internal(_) => false,
        }
    }
}

/// Environment variable naming a crash point for tests: the process aborts there
/// (`after_claim`, `before_upload`, `after_upload`). Unset in production.
pub const CRASH_POINT_ENV: &str = "BANKGATE_CRASH_POINT";

/// Aborts the process (as a SIGKILL would end it) when `point` is the configured crash
/// point; a no-op otherwise.
pub(crate) fn crash_point(point: &str) {
    static POINT: std::sync::OnceLock<Option<String>> = std::sync::OnceLock::new();
    let configured = POINT.get_or_init(|| std::env::var(CRASH_POINT_ENV).ok());
    if configured.as_deref() == Some(point) {
        tracing::error!(point, "Crash point reached; aborting (test hook).");
        std::process::abort();
    }
}
