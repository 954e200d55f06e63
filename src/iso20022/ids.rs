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

use super::charset::{self, words};
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
    /// The sum of the instructions' digests modulo 2^256, as four 64-bit limbs, most
    /// significant first (the digests read as big-endian numbers).
    sum: [u64; 4],
    count: u64,
}

impl MessageIdDigest {
    /// Adds the SHA-256 of the instruction's kind, key, amount and currency.
    ///
    /// The message is laid out and padded here and hashed with `sha2::compress256`: one
    /// or two blocks for every instruction whose key is not extremely long, without the
    /// buffering of the `Sha256` hasher (a test checks the digest against `Sha256`).
    pub fn add(&mut self, instruction: &Instruction) {
        let kind = instruction.kind().as_str().as_bytes();
        let key = instruction.key().as_bytes();
        let amount = instruction.amount();
        let tail = if amount.is_some() { 8 + 3 } else { 0 };
        let len = kind.len() + 1 + key.len() + 1 + tail;
        let state = if len + 9 <= 2 * BLOCK {
            let mut blocks = [0u8; 2 * BLOCK];
            let mut at = 0;
            for part in [kind, &[0x1f], key, &[0x1f]] {
                blocks[at..at + part.len()].copy_from_slice(part);
                at += part.len();
            }
            if let Some(amount) = amount {
                blocks[at..at + 8].copy_from_slice(&amount.minor_units().to_be_bytes());
                blocks[at + 8..at + 11].copy_from_slice(amount.currency().code().as_bytes());
            }
            sha256_padded(&mut blocks, len)
        } else {
            let mut hasher = Sha256::new();
            hasher.update(kind);
            hasher.update([0x1f]);
            hasher.update(key);
            hasher.update([0x1f]);
            if let Some(amount) = amount {
                hasher.update(amount.minor_units().to_be_bytes());
                hasher.update(amount.currency().code().as_bytes());
            }
            state_of(&hasher.finalize().into())
        };
        add_mod_256(&mut self.sum, &state);
        self.count += 1;
    }

    pub fn finish(&self) -> String {
        let mut sum = [0u8; 32];
        for (bytes, limb) in sum.chunks_exact_mut(8).zip(self.sum) {
            bytes.copy_from_slice(&limb.to_be_bytes());
        }
        let mut hasher = Sha256::new();
        hasher.update(b"bankgate MsgId v1");
        hasher.update(sum);
        hasher.update(self.count.to_be_bytes());
        format!("BG{}", hex(&hasher.finalize(), 24))
    }
}

/// SHA-256 block size.
const BLOCK: usize = 64;

/// SHA-256's initial hash value (FIPS 180-4, 5.3.3).
const SHA256_INITIAL: [u32; 8] = [
    0x6a09_e667,
    0xbb67_ae85,
    0x3c6e_f372,
    0xa54f_f53a,
    0x510e_527f,
    0x9b05_688c,
    0x1f83_d9ab,
    0x5be0_cd19,
];

/// The SHA-256 of the first `len` bytes of `blocks` (the rest zero, `len + 9` at most
/// 128): appends the padding (FIPS 180-4, 5.1.1) and compresses the one or two blocks.
/// Returns the final state, whose words read big-endian are the digest.
fn sha256_padded(blocks: &mut [u8; 2 * BLOCK], len: usize) -> [u32; 8] {
    use sha2::digest::generic_array::GenericArray;
    blocks[len] = 0x80;
    let used = if len + 9 <= BLOCK { BLOCK } else { 2 * BLOCK };
    let bits = (len as u64) * 8;
    blocks[used - 8..used].copy_from_slice(&bits.to_be_bytes());
    let mut state = SHA256_INITIAL;
    for block in blocks[..used].chunks_exact(BLOCK) {
        sha2::compress256(
            &mut state,
            std::slice::from_ref(GenericArray::from_slice(block)),
        );
    }
    state
}

/// A digest as the state words it was read from.
fn state_of(digest: &[u8; 32]) -> [u32; 8] {
    let mut state = [0; 8];
    for (word, bytes) in state.iter_mut().zip(digest.chunks_exact(4)) {
        *word = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]);
    }
    state
}

/// `sum += digest` modulo 2^256, both big-endian (most significant limb or word first).
fn add_mod_256(sum: &mut [u64; 4], digest: &[u32; 8]) {
    let mut carry = false;
    for i in (0..4).rev() {
        let limb = (u64::from(digest[2 * i]) << 32) | u64::from(digest[2 * i + 1]);
        let (total, overflow) = sum[i].overflowing_add(limb);
        let (total, overflow_carry) = total.overflowing_add(u64::from(carry));
        sum[i] = total;
        carry = overflow || overflow_carry;
    }
}

/// The PmtInfId of block `index` (0-based) of message `message_id`.
pub fn payment_information_id(message_id: &str, index: usize) -> String {
    format!("{message_id}-{}", index + 1)
}

/// True when `id` can be sent as an EndToEndId unchanged: 1 to 35 of the SEPA
/// characters but space, no leading, trailing or double `/`.
pub fn is_safe_identifier(id: &str) -> bool {
    let bytes = id.as_bytes();
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return false;
    };
    if bytes.len() > MAX_ID_LEN || first == b'/' || last == b'/' {
        return false;
    }
    // 8 bytes at a time (see `charset::is_clean`): this runs for every transaction.
    words(bytes, |word, previous| {
        let slashes = word.eq(b'/');
        let doubled = slashes & charset::word::after(slashes, previous == b'/');
        word.sepa() & !word.eq(b' ') == charset::word::ALL && doubled == 0
    })
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

    /// The MsgId as it was first defined: the `Sha256` hasher per instruction and a
    /// byte-wise sum.
    fn reference_message_id(instructions: &[Instruction]) -> String {
        let mut sum = [0u8; 32];
        for instruction in instructions {
            let mut hasher = Sha256::new();
            hasher.update(instruction.kind().as_str().as_bytes());
            hasher.update([0x1f]);
            hasher.update(instruction.key().as_bytes());
            hasher.update([0x1f]);
            if let Some(amount) = instruction.amount() {
                hasher.update(amount.minor_units().to_be_bytes());
                hasher.update(amount.currency().code().as_bytes());
            }
            let digest: [u8; 32] = hasher.finalize().into();
            let mut carry = 0u16;
            for i in (0..32).rev() {
                let total = u16::from(sum[i]) + u16::from(digest[i]) + carry;
                sum[i] = (total & 0xff) as u8;
                carry = total >> 8;
            }
        }
        let mut hasher = Sha256::new();
        hasher.update(b"bankgate MsgId v1");
        hasher.update(sum);
        hasher.update((instructions.len() as u64).to_be_bytes());
        format!("BG{}", hex(&hasher.finalize(), 24))
    }

    #[test]
    fn padded_blocks_hash_as_sha256() {
        for len in 0..=(2 * BLOCK - 9) {
            let message: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
            let mut blocks = [0u8; 2 * BLOCK];
            blocks[..len].copy_from_slice(&message);
            let state = sha256_padded(&mut blocks, len);
            assert_eq!(
                state,
                state_of(&Sha256::digest(&message).into()),
                "{len} bytes"
            );
        }
    }

    #[test]
    fn the_sum_carries_across_limbs() {
        let mut sum = [0, 0, u64::MAX, u64::MAX];
        add_mod_256(&mut sum, &[0, 0, 0, 0, 0, 0, 0, 1]);
        assert_eq!(sum, [0, 1, 0, 0]);
        let mut sum = [u64::MAX; 4];
        add_mod_256(&mut sum, &[0, 0, 0, 0, 0, 0, 0, 2]);
        assert_eq!(sum, [0, 0, 0, 1]);
    }

    /// Instructions of every kind with keys of every length up to the longest (35
    /// four-byte characters), read through intake.
    fn instructions() -> Vec<Instruction> {
        use crate::intake::{AccountBook, Limits, read_file};
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let config =
            crate::config::load_with_env(&root.join("fixtures/bankgate.toml"), Default::default())
                .expect("fixture configuration");
        let book = AccountBook::from_config(&config);
        let mut all = Vec::new();
        for fixture in [
            "credit-transfers.json",
            "direct-debits-core.ndjson",
            "direct-debits-b2b.ndjson",
        ] {
            let bytes = std::fs::read(root.join("fixtures/render").join(fixture)).expect("fixture");
            let report = read_file(fixture, &bytes, &book, Limits::default());
            all.extend(report.instructions().cloned());
        }
        let template = std::fs::read_to_string(root.join("fixtures/render/credit-transfers.json"))
            .expect("fixture");
        let mut records: Vec<serde_json::Value> =
            serde_json::from_str(&template).expect("fixture JSON");
        records.truncate(1);
        let first = records[0].clone();
        for (n, c) in ["a", "é", "€", "😀"]
            .into_iter()
            .cycle()
            .take(4 * 35)
            .enumerate()
        {
            let mut record = first.clone();
            record["id"] = c.repeat(n / 4 + 1).into();
            records.push(record);
        }
        let bytes = serde_json::to_vec(&records).expect("JSON");
        let report = read_file("ids.json", &bytes, &book, Limits::default());
        assert!(
            report.diagnostics().is_empty(),
            "{:?}",
            report.diagnostics()
        );
        all.extend(report.instructions().cloned());
        all
    }

    #[test]
    fn message_ids_are_what_they_were() {
        let all = instructions();
        assert!(all.len() > 140, "{}", all.len());
        for n in 0..=all.len() {
            assert_eq!(
                message_id(&all[..n]),
                reference_message_id(&all[..n]),
                "{n}"
            );
        }
    }

    /// [`is_safe_identifier`] byte by byte, as it was first written.
    fn is_safe_bytewise(id: &str) -> bool {
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
        !id.contains("//") && bytes.iter().all(|&b| allowed(b))
    }

    #[test]
    fn safe_identifier_check_by_chunks_is_the_bytewise_check() {
        for len in 1..=40 {
            for position in 0..len {
                for special in ["/", "//", " ", ".", "é", "*", "_", "a", "'", "\u{0}"] {
                    for fill in ["a", "/", "9"] {
                        let mut id = fill.repeat(len);
                        id.replace_range(position..position + 1, special);
                        assert_eq!(is_safe_identifier(&id), is_safe_bytewise(&id), "{id:?}");
                    }
                }
            }
        }
        for b in 0..=u8::MAX {
            let id = format!("a{}b", char::from(b));
            assert_eq!(is_safe_identifier(&id), is_safe_bytewise(&id), "{id:?}");
        }
    }

    #[test]
    fn ids_have_the_right_shape() {
        let msg = message_id(std::iter::empty());
        assert_eq!(msg.len(), 26);
        assert!(msg.chars().all(|c| c.is_ascii_alphanumeric()));
        assert!(payment_information_id(&msg, 99_999_998).len() <= MAX_ID_LEN);
    }
}
