//! Helpers shared by integration tests (`mod support;`). Test-only: never part of the
//! crate.

pub mod pain_samples;
