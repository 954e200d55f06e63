//! Instructions handed from intake to the windows in memory, so a payment recorded and
//! approved a moment ago is not parsed a second time from its stored JSON when its file
//! is built.
//!
//! The store stays the source of truth: a window takes from the handoff what is there
//! and reads everything else from the store, exactly as without a handoff. What intake
//! offers was read from the very record the store keeps, with the same configuration
//! (the daemon makes a new handoff whenever a reload changes the configuration), so
//! either way the window builds the same file.
//!
//! Bounded: past [`Handoff::LIMIT`] entries (instructions a window has not taken yet,
//! for instance while a connection is stopped) it is emptied and starts again; nothing
//! is lost, those payments are read from the store.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::domain::instruction::Instruction;

/// Parsed instructions by payment id, shared by intake and the connection workers.
#[derive(Debug, Clone, Default)]
pub struct Handoff {
    /// Boxed: an instruction is several hundred bytes inline, and the map moves its
    /// entries whenever it grows.
    parsed: Arc<Mutex<HashMap<String, Box<Instruction>>>>,
}

impl Handoff {
    /// Most instructions kept (a few thousand are in flight at a time; 20,000 parsed
    /// credit transfers are roughly 10 MB).
    pub const LIMIT: usize = 20_000;

    pub fn new() -> Self {
        Self::default()
    }

    /// Keeps `instructions` (by payment id) for a window to take.
    pub fn offer(&self, instructions: impl IntoIterator<Item = (String, Instruction)>) {
        let mut parsed = self.parsed.lock().unwrap_or_else(PoisonError::into_inner);
        for (id, instruction) in instructions {
            if parsed.len() >= Self::LIMIT {
                tracing::debug!(
                    limit = Self::LIMIT,
                    "Handoff full; emptying it (windows read those payments from the store)."
                );
                parsed.clear();
            }
            parsed.insert(id, Box::new(instruction));
        }
    }

    /// Takes the instructions kept for `ids`, in the same order (`None` where none is).
    pub fn take<'a>(&self, ids: impl IntoIterator<Item = &'a str>) -> Vec<Option<Instruction>> {
        let mut parsed = self.parsed.lock().unwrap_or_else(PoisonError::into_inner);
        let taken = ids
            .into_iter()
            .map(|id| parsed.remove(id).map(|instruction| *instruction))
            .collect();
        if parsed.is_empty() {
            // A map keeps its capacity (room for instructions, inline) when emptied.
            *parsed = HashMap::new();
        }
        taken
    }

    /// Instructions kept now.
    pub fn len(&self) -> usize {
        self.parsed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::instruction::{MandateCancellation, MandateId};

    fn instruction(id: &str) -> Instruction {
        Instruction::MandateCancellation(MandateCancellation {
            mandate: MandateId::parse(id).unwrap(),
            reason: None,
        })
    }

    #[test]
    fn takes_once_in_order_and_stays_bounded() {
        let handoff = Handoff::new();
        handoff.offer(["a", "b"].map(|id| (id.to_owned(), instruction(id))));
        let taken = handoff.take(["b", "x", "a", "b"]);
        let keys: Vec<Option<&str>> = taken.iter().map(|i| i.as_ref().map(|i| i.key())).collect();
        assert_eq!(keys, [Some("b"), None, Some("a"), None]);
        assert!(handoff.is_empty());

        let ids: Vec<String> = (0..=Handoff::LIMIT).map(|n| format!("p{n}")).collect();
        handoff.offer(ids.iter().map(|id| (id.clone(), instruction(id))));
        assert!(handoff.len() <= Handoff::LIMIT, "{}", handoff.len());
        let last = ids.last().map(String::as_str);
        assert!(handoff.take(last)[0].is_some(), "the newest is kept");
    }
}
