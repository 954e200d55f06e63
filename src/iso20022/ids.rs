//! Deterministic message identifiers.
//!
//! - `MsgId` = `BG` + 24 hex digits of SHA-256 over the file's instructions (kind, key,
//!   amount and currency of each, sorted): the same instructions always give the same
//!   MsgId, so a file rendered twice is a duplicate the bank rejects, never a second payment.
//! - `PmtInfId` = MsgId + `-` + block number (1-based, blocks in a fixed order).
//! - `EndToEndId` = the instruction's `id` when it is a safe SEPA identifier (letters,
//!   digits, `+ ? / - : ( ) . , '`, no leading/trailing or double `/`); otherwise `E2E` +
//!   32 hex digits of SHA-256 of the id. The mapping is returned with every rendered file
//!   so it can be stored and reversed when the bank reports the EndToEndId back.

use sha2::{Digest, Sha256};

use crate::domain::instruction::Instruction;

/// Longest ISO 20022 identifier (Max35Text).
pub const MAX_ID_LEN: usize = 35;

fn hex(bytes: &[u8], digits: usize) -> String {
    bytes
        .iter()
        .flat_map(|b| [b >> 4, b & 0x0f])
        .take(digits)
        .map(|n| {
            char::from_digit(u32::from(n), 16)
                .unwrap_or('0')
                .to_ascii_uppercase()
        })
        .collect()
}

/// The MsgId of a file holding exactly these instructions.
pub fn message_id<'a>(instructions: impl IntoIterator<Item = &'a Instruction>) -> String {
    let mut prints: Vec<String> = instructions
        .into_iter()
        .map(|i| {
            let amount = i.amount().map(|a| a.to_string()).unwrap_or_default();
            format!("{}\u{1f}{}\u{1f}{amount}", i.kind(), i.key())
        })
        .collect();
    prints.sort_unstable();
    let mut hasher = Sha256::new();
    for print in &prints {
        hasher.update(print.as_bytes());
        hasher.update(b"\n");
    }
    format!("BG{}", hex(&hasher.finalize(), 24))
}

/// The PmtInfId of block `index` (0-based) of message `message_id`.
pub fn payment_information_id(message_id: &str, index: usize) -> String {
    format!("{message_id}-{}", index + 1)
}

/// True when `id` can be sent as an EndToEndId unchanged.
pub fn is_safe_identifier(id: &str) -> bool {
    let allowed = |c: char| c.is_ascii_alphanumeric() || "+?/-:().,'".contains(c);
    !id.is_empty()
        && id.len() <= MAX_ID_LEN
        && id.chars().all(allowed)
        && !id.starts_with('/')
        && !id.ends_with('/')
        && !id.contains("//")
}

/// The EndToEndId for an instruction id; `true` when it is a mapped (hashed) value.
pub fn end_to_end_id(id: &str) -> (String, bool) {
    if is_safe_identifier(id) {
        (id.to_owned(), false)
    } else {
        let digest = Sha256::digest(id.as_bytes());
        (format!("E2E{}", hex(&digest, 32)), true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_to_end_ids() {
        let check = |id: &str, expected: (&str, bool)| {
            assert_eq!(
                end_to_end_id(id),
                (expected.0.to_owned(), expected.1),
                "{id:?}"
            );
        };
        check("inv-2026-0001", ("inv-2026-0001", false));
        check("A+?/-:().,'Z", ("A+?/-:().,'Z", false));
        let (mapped, true) = end_to_end_id("Faktura 17") else {
            panic!("expected a mapping")
        };
        assert_eq!(mapped.len(), 35);
        assert!(mapped.starts_with("E2E"));
        for id in [
            "/lead",
            "trail/",
            "a//b",
            "å",
            "with space",
            &"x".repeat(36),
        ] {
            assert!(end_to_end_id(id).1, "{id:?} should be mapped");
        }
        assert_eq!(end_to_end_id("Faktura 17"), end_to_end_id("Faktura 17"));
        assert_ne!(end_to_end_id("Faktura 17"), end_to_end_id("Faktura 18"));
    }

    #[test]
    fn ids_have_the_right_shape() {
        let msg = message_id(std::iter::empty());
        assert_eq!(msg.len(), 26);
        assert!(msg.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(payment_information_id(&msg, 99_999_998).len() <= MAX_ID_LEN);
    }
}
