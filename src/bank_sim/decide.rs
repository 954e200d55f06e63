//! Deterministic outcomes: every decision is a pure function of the seed, what is
//! decided, and the reference it is about (`EndToEndId`, `PmtInfId`). No random state is
//! kept, so a rerun, a restart or a second simulator with the same seed decides the same.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::settings::Settings;
use crate::iso20022::initiation::InitiationKind;

/// What happens to one transaction.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "reason", rename_all = "snake_case")]
pub enum Outcome {
    /// Accepted, booked, never returned.
    Executed,
    /// Rejected before execution (pain.002 `RJCT`), with the reason code.
    Rejected(String),
    /// Booked, then returned (camt.054 return entry), with the reason code.
    Returned(String),
}

impl Outcome {
    pub fn is_booked(&self) -> bool {
        !matches!(self, Outcome::Rejected(_))
    }
}

/// A number in `0..1000` drawn from `sha256(seed, topic, key)`.
pub fn per_mille(seed: u64, topic: &str, key: &str) -> u16 {
    let mut hash = Sha256::new();
    hash.update(seed.to_be_bytes());
    hash.update(topic.as_bytes());
    hash.update([0]);
    hash.update(key.as_bytes());
    let digest = hash.finalize();
    let mut first = [0_u8; 8];
    first.copy_from_slice(&digest[..8]);
    (u64::from_be_bytes(first) % 1000) as u16
}

/// Picks the code whose share (per mille, in order) the draw falls into.
fn pick<'a>(draw: u16, shares: &[(&'a str, u16)]) -> Option<&'a str> {
    let mut upper = 0_u32;
    for (code, share) in shares {
        upper += u32::from(*share);
        if u32::from(draw) < upper {
            return Some(code);
        }
    }
    None
}

/// The outcome of the transaction `end_to_end_id` in a message of `kind`. Rejections are
/// drawn first (`AC01`, `AM04`, and for direct debits `MD01`), then, independently,
/// returns of what was executed (`AC04`, and for direct debits `MD06`). A share that does
/// not apply to the kind (`MD01`, `MD06` for credit transfers) leaves its range accepted.
pub fn outcome(settings: &Settings, kind: InitiationKind, end_to_end_id: &str) -> Outcome {
    let debit = kind == InitiationKind::DirectDebit;
    let reject = per_mille(settings.seed, "reject", end_to_end_id);
    let rejections = [
        ("AC01", settings.reject_ac01),
        ("AM04", settings.reject_am04),
        ("MD01", settings.reject_md01),
    ];
    if let Some(code) = pick(reject, &rejections)
        && (debit || code != "MD01")
    {
        return Outcome::Rejected(code.to_owned());
    }
    let returned = per_mille(settings.seed, "return", end_to_end_id);
    let returns = [
        ("AC04", settings.return_ac04),
        ("MD06", settings.return_md06),
    ];
    if let Some(code) = pick(returned, &returns)
        && (debit || code != "MD06")
    {
        return Outcome::Returned(code.to_owned());
    }
    Outcome::Executed
}

/// Whether the block `payment_information_id` is booked as one batch entry (when it may
/// be at all: the file asked for batch booking and nothing in it was rejected).
pub fn batch_booked(settings: &Settings, payment_information_id: &str) -> bool {
    per_mille(settings.seed, "batch", payment_information_id) < settings.batch_booking
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_are_stable_and_spread() {
        assert_eq!(per_mille(7, "reject", "E1"), per_mille(7, "reject", "E1"));
        assert_ne!(
            (0..20)
                .map(|s| per_mille(s, "reject", "E1"))
                .collect::<Vec<_>>(),
            vec![per_mille(0, "reject", "E1"); 20]
        );
        let below_half = (0..2000)
            .filter(|i| per_mille(1, "reject", &format!("E{i}")) < 500)
            .count();
        assert!((900..1100).contains(&below_half), "{below_half}");
    }

    #[test]
    fn shares_decide_the_outcomes() {
        let all = |settings: &Settings, kind| -> Vec<Outcome> {
            (0..1000)
                .map(|i| outcome(settings, kind, &format!("E2E-{i}")))
                .collect()
        };
        let none = Settings {
            reject_ac01: 0,
            reject_am04: 0,
            reject_md01: 0,
            return_ac04: 0,
            return_md06: 0,
            ..Settings::default()
        };
        assert!(
            all(&none, InitiationKind::CreditTransfer)
                .iter()
                .all(|o| *o == Outcome::Executed)
        );
        let every = Settings {
            reject_ac01: 1000,
            ..none.clone()
        };
        assert!(
            all(&every, InitiationKind::DirectDebit)
                .iter()
                .all(|o| *o == Outcome::Rejected("AC01".into()))
        );
        // MD01 and MD06 apply to direct debits only.
        let mandates = Settings {
            reject_md01: 1000,
            ..none.clone()
        };
        assert!(
            all(&mandates, InitiationKind::CreditTransfer)
                .iter()
                .all(|o| *o == Outcome::Executed)
        );
        let refunds = Settings {
            return_md06: 1000,
            ..none.clone()
        };
        assert!(
            all(&refunds, InitiationKind::DirectDebit)
                .iter()
                .all(|o| *o == Outcome::Returned("MD06".into()))
        );
        let mixed = Settings {
            reject_ac01: 100,
            reject_am04: 100,
            return_ac04: 500,
            ..none
        };
        let outcomes = all(&mixed, InitiationKind::CreditTransfer);
        let count = |o: Outcome| outcomes.iter().filter(|x| **x == o).count();
        assert!((60..140).contains(&count(Outcome::Rejected("AC01".into()))));
        assert!((60..140).contains(&count(Outcome::Rejected("AM04".into()))));
        // Half of the 80 % not rejected.
        assert!((330..470).contains(&count(Outcome::Returned("AC04".into()))));
    }
}
