//! Per-connection work. Today: reconciliation, pure (no IO).

pub mod reconcile;
