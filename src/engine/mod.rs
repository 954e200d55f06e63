//! The daemon's work: intake into the store, and reconciliation (pure, no IO).

pub mod intake;
pub mod reconcile;
