//! Deterministic message identifiers.
//!
//! - `MsgId` = `BG` + 24 hex digits of a digest of the file's instructions: the SHA-256
//!   of each instruction's kind, key, amount and currency, added up modulo 2^256 (so the
//!   order does not matter and nothing is kept per instruction), then hashed once more
//!   with the count. The same instructions always give the same MsgId, so a file rendered
//!   twice is a duplicate the bank rejects, never a second payment.
//! - `PmtInfId` = MsgId + `-` + block number (1-based, blocks in a fixed order).
//! - `EndToEndId` = the instruction's `id` when it is a safe SEPA identifier (letters,
//!   digits, `+ ? / - : ( ) . , '`, no leading/trailing or double `/`); otherwise `E2E` +
//!   32 hex digits of SHA-256 of the id. The mapping is returned with every rendered file
//!   so it can be stored and reversed when the bank reports the EndToEndId back.

use std::borrow::Cow;

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
    let mut id = MessageIdDigest::default();
    for instruction in instructions {
        id.add(instruction);
    }
    id.finish()
}

/// [`message_id`] fed one instruction at a time, so planning computes it in the same
/// pass as its checks instead of walking the instructions again.
#[derive(Debug, Clone, Default)]
pub struct MessageIdDigest {
    sum: [u8; 32],
    count: u64,
}

impl MessageIdDigest {
    pub fn add(&mut self, instruction: &Instruction) {
        let mut hasher = Sha256::new();
        hasher.update(instruction.kind().as_str().as_bytes());
        hasher.update([0x1f]);
        hasher.update(instruction.key().as_bytes());
        hasher.update([0x1f]);
        if let Some(amount) = instruction.amount() {
            hasher.update(amount.minor_units().to_be_bytes());
            hasher.update(amount.currency().code().as_bytes());
        }
        add_mod_256(&mut self.sum, &hasher.finalize().into());
        self.count += 1;
    }

    pub fn finish(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"bankgate MsgId v1");
        hasher.update(self.sum);
        hasher.update(self.count.to_be_bytes());
        format!("BG{}", hex(&hasher.finalize(), 24))
    }
}

/// `sum += digest` modulo 2^256, big-endian.
fn add_mod_256(sum: &mut [u8; 32], digest: &[u8; 32]) {
    let mut carry = 0u16;
    for i in (0..32).rev() {
        let total = u16::from(sum[i]) + u16::from(digest[i]) + carry;
        sum[i] = (total & 0xff) as u8;
        carry = total >> 8;
    }
}

/// The PmtInfId of block `index` (0-based) of message `message_id`.
pub fn payment_information_id(message_id: &str, index: usize) -> String {
    format!("{message_id}-{}", index + 1)
}

/// True when `id` can be sent as an EndToEndId unchanged.
pub fn is_safe_identifier(id: &str) -> bool {
    let allowed = |b: u8| {
        b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'+' | b'?' | b'/' | b'-' | b':' | b'(' | b')' | b'.' | b',' | b'\''
            )
    };
    let bytes = id.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if bytes.len() > MAX_ID_LEN || first == b'/' || last == b'/' {
        return false;
    }
    // One pass (no `contains("//")` search): this runs twice per transaction.
    let mut previous_slash = false;
    for &b in bytes {
        let slash = b == b'/';
        if !allowed(b) || (slash && previous_slash) {
            return false;
        }
        previous_slash = slash;
    }
    true
}

/// The EndToEndId for an instruction id; `true` when it is a mapped (hashed) value.
pub fn end_to_end_id(id: &str) -> (Cow<'_, str>, bool) {
    if is_safe_identifier(id) {
        (Cow::Borrowed(id), false)
    } else {
        let digest = Sha256::digest(id.as_bytes());
        (Cow::Owned(format!("E2E{}", hex(&digest, 32))), true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn end_to_end_ids() {
        let check = |id: &str, expected: (&str, bool)| {
            let (e2e, mapped) = end_to_end_id(id);
            assert_eq!((e2e.as_ref(), mapped), expected, "{id:?}");
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
