//! How the simulated bank behaves: shares of each outcome, delays, limits.

use std::time::Duration;

use super::BankSimError;
use crate::iso20022::read::XmlLimits;

/// When the end-of-day statement (camt.053) for booked entries is published.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StatementSchedule {
    /// Once the booking day (UTC) is over: the first tick at or after midnight after it.
    EndOfDay,
    /// This long after an entry was booked (for quick tests and demos); the statement
    /// still covers one booking date.
    After(Duration),
}

/// The `TxSts` (and block and group status) a status report gives the transactions it
/// does not reject.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AcceptedStatus {
    /// `ACCP`: accepted after the customer-profile check (bankgate: `ACCEPTED`).
    Accp,
    /// `ACSP`: accepted, settlement in process (bankgate: `ACCEPTED`).
    Acsp,
    /// `ACSC`: settlement completed (bankgate: `EXECUTED`, before any booking).
    Acsc,
}

impl AcceptedStatus {
    pub fn code(self) -> &'static str {
        match self {
            AcceptedStatus::Accp => "ACCP",
            AcceptedStatus::Acsp => "ACSP",
            AcceptedStatus::Acsc => "ACSC",
        }
    }
}

/// Bounds on what one tick reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Larger inbox files are rejected (`FF01`) without being read.
    pub max_file_bytes: u64,
    /// Files with more transactions are rejected (`FF01`).
    pub max_transactions: u64,
    /// New inbox files taken per tick; the rest wait for the next tick.
    pub max_files_per_tick: usize,
    pub xml: XmlLimits,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_file_bytes: 64 * 1024 * 1024,
            max_transactions: 100_000,
            max_files_per_tick: 100,
            xml: XmlLimits::default(),
        }
    }
}

/// The simulated bank's behaviour. Shares are per mille of transactions (or of blocks for
/// batch booking), decided per transaction from `sha256(seed, EndToEndId)`. Delays count
/// from the tick that picked the file up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    pub seed: u64,
    /// Rejected with `AC01` (incorrect account number).
    pub reject_ac01: u16,
    /// Rejected with `AM04` (insufficient funds).
    pub reject_am04: u16,
    /// Rejected with `MD01` (no mandate); direct debits only.
    pub reject_md01: u16,
    /// Returned after execution with `AC04` (closed account).
    pub return_ac04: u16,
    /// Returned after execution with `MD06` (refund request); direct debits only.
    pub return_md06: u16,
    /// Blocks booked as one batch entry, among those that asked for batch booking
    /// (`BtchBookg` true or absent) and have no rejected transaction.
    pub batch_booking: u16,
    /// What the status report says about transactions it does not reject.
    pub accepted_status: AcceptedStatus,
    /// List only rejected transactions in the status report (some banks do; bankgate's
    /// `BankBehaviour::reports_only_rejections`). Every block is still listed with its
    /// status: the accepted code when nothing in it was rejected, else `PART` (or `RJCT`).
    pub report_only_rejections: bool,
    /// The group-level `ACTC` (or the rejection of the whole file).
    pub ack_after: Duration,
    /// The transaction statuses (at least `ack_after`).
    pub status_after: Duration,
    /// The camt.054 booking the executed transactions (at least `status_after`).
    pub book_after: Duration,
    /// The camt.054 with the returns (at least `book_after`).
    pub return_after: Duration,
    pub statement: StatementSchedule,
    /// Opening balance (minor units) of every account the first time it is stated.
    pub opening_balance: i64,
    /// The bank's BIC, written as the account servicer in camt files.
    pub bank_bic: Option<String>,
    /// Indent the XML for people to read.
    pub indent: bool,
    pub limits: Limits,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            seed: 0,
            reject_ac01: 20,
            reject_am04: 20,
            reject_md01: 10,
            return_ac04: 10,
            return_md06: 10,
            batch_booking: 500,
            accepted_status: AcceptedStatus::Accp,
            report_only_rejections: false,
            ack_after: Duration::from_secs(5),
            status_after: Duration::from_secs(5),
            book_after: Duration::from_secs(60),
            return_after: Duration::from_secs(120),
            statement: StatementSchedule::EndOfDay,
            opening_balance: 0,
            bank_bic: None,
            indent: false,
            limits: Limits::default(),
        }
    }
}

impl Settings {
    /// Checks the shares add up to at most 1000 and the delays come in order.
    pub fn validate(&self) -> Result<(), BankSimError> {
        let rejections = [self.reject_ac01, self.reject_am04, self.reject_md01];
        let returns = [self.return_ac04, self.return_md06];
        for (field, shares) in [
            ("reject_ac01 + reject_am04 + reject_md01", &rejections[..]),
            ("return_ac04 + return_md06", &returns[..]),
            ("batch_booking", &[self.batch_booking][..]),
        ] {
            let total: u32 = shares.iter().map(|s| u32::from(*s)).sum();
            if total > 1000 {
                return Err(BankSimError::Settings {
                    field,
                    expected: "at most 1000 per mille".to_owned(),
                    actual: total.to_string(),
                });
            }
        }
        let delays = [
            ("ack_after", self.ack_after),
            ("status_after", self.status_after),
            ("book_after", self.book_after),
            ("return_after", self.return_after),
        ];
        for pair in delays.windows(2) {
            let [(before, earlier), (field, later)] = pair else {
                continue;
            };
            if later < earlier {
                return Err(BankSimError::Settings {
                    field,
                    expected: format!("at least {before} ({earlier:?})"),
                    actual: format!("{later:?}"),
                });
            }
        }
        if let Some(bic) = &self.bank_bic {
            let b = bic.as_bytes();
            let ok = (b.len() == 8 || b.len() == 11)
                && b.iter()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                && b[4..6].iter().all(u8::is_ascii_uppercase);
            if !ok {
                return Err(BankSimError::Settings {
                    field: "bank_bic",
                    expected: "a BIC of 8 or 11 upper-case letters and digits".to_owned(),
                    actual: bic.clone(),
                });
            }
        }
        if self.limits.max_files_per_tick == 0 {
            return Err(BankSimError::Settings {
                field: "limits.max_files_per_tick",
                expected: "at least 1".to_owned(),
                actual: "0".to_owned(),
            });
        }
        Ok(())
    }
}
