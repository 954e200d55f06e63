//! What the simulated bank remembers between ticks and across restarts, under
//! `<dir>/.bank-sim/`: `state.json` (the files seen and their progress, recent message
//! ids, account balances, entries waiting for a statement) and one `jobs/<key>.json` per
//! accepted file (its transactions and their decided outcomes, written once). Every write
//! goes to a temporary name starting with `.`, is synced, then renamed over the old file,
//! so a crash leaves either the old or the new version, never a torn one.

use std::collections::{BTreeMap, VecDeque};
use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::BankSimError;
use super::decide::Outcome;
use crate::iso20022::initiation::{AccountId, InitiationKind};

/// Version of the state and job files; another version is refused.
pub const STATE_VERSION: u32 = 1;
/// Message ids remembered for duplicate detection (`DU01`), newest last.
pub const MAX_REMEMBERED_MESSAGE_IDS: usize = 10_000;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct State {
    pub version: u32,
    /// Inbox file name → what became of it.
    pub files: BTreeMap<String, FileRecord>,
    /// `MsgId`s of files taken, for `DU01`.
    pub message_ids: VecDeque<String>,
    /// `<account>|<currency>` → the stated balance and statement count.
    pub accounts: BTreeMap<String, AccountState>,
    /// Booked entries not yet on a statement, in booking order.
    pub ledger: Vec<Booking>,
    /// Files published so far: numbers output names and message ids.
    pub published: u64,
    /// Entries booked so far: numbers `AcctSvcrRef`s.
    pub entries: u64,
}

impl Default for State {
    fn default() -> Self {
        Self {
            version: STATE_VERSION,
            files: BTreeMap::new(),
            message_ids: VecDeque::new(),
            accounts: BTreeMap::new(),
            ledger: Vec::new(),
            published: 0,
            entries: 0,
        }
    }
}

impl State {
    pub fn remember_message_id(&mut self, message_id: &str) {
        if self.message_ids.len() >= MAX_REMEMBERED_MESSAGE_IDS {
            self.message_ids.pop_front();
        }
        self.message_ids.push_back(message_id.to_owned());
    }

    pub fn knows_message_id(&self, message_id: &str) -> bool {
        self.message_ids.iter().any(|m| m == message_id)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRecord {
    /// 16 hex digits of the SHA-256 of the name: the job file's name.
    pub key: String,
    pub sha256: String,
    pub size: u64,
    pub received_at: Timestamp,
    pub verdict: Verdict,
    pub done: Stages,
}

impl FileRecord {
    /// Every answer the file gets has been published.
    pub fn finished(&self) -> bool {
        match self.verdict {
            Verdict::Accepted { .. } => {
                self.done.ack && self.done.status && self.done.booking && self.done.returns
            }
            Verdict::Rejected(_) => self.done.ack,
        }
    }
}

/// The stages published for a file.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Stages {
    pub ack: bool,
    pub status: bool,
    pub booking: bool,
    pub returns: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum Verdict {
    /// Taken; its job file holds the transactions.
    Accepted {
        message_id: String,
        transactions: u64,
    },
    /// Refused as a whole (pain.002 `RJCT` at group level).
    Rejected(FileRejection),
}

/// Why a whole file was refused, for its pain.002.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileRejection {
    /// `FF01`, `DU01`, `AM16`..`AM20`.
    pub code: String,
    /// `AddtlInf` lines (each at most 105 characters).
    pub info: Vec<String>,
    /// The file's `MsgId`, when it could be read.
    pub message_id: Option<String>,
    /// The message its namespace names, when it could be read.
    pub message: Option<String>,
    pub number_of_transactions: Option<u64>,
    pub control_sum: Option<Decimal>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AccountState {
    /// Closing balance of the last statement, minor units (negative: overdrawn).
    pub balance: i64,
    /// Statements published for the account (the next one's `ElctrncSeqNb` is this + 1).
    pub statements: u64,
}

/// An accepted file: what the bank answers is computed from this alone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Job {
    pub version: u32,
    pub file: String,
    /// e.g. `pain.001.001.09` (`OrgnlMsgNmId`).
    pub message: String,
    pub kind: InitiationKind,
    pub message_id: String,
    pub number_of_transactions: u64,
    pub control_sum: Option<Decimal>,
    pub blocks: Vec<JobBlock>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobBlock {
    pub id: String,
    pub account: AccountId,
    pub owner: Option<String>,
    pub service_level: Option<String>,
    pub local_instrument: Option<String>,
    pub number_of_transactions: Option<u64>,
    pub control_sum: Option<Decimal>,
    /// Booked as one batch entry.
    pub batch_booked: bool,
    pub transactions: Vec<JobTransaction>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobTransaction {
    pub end_to_end_id: String,
    pub instruction_id: Option<String>,
    pub mandate_id: Option<String>,
    /// Minor units of `currency`.
    pub amount: i64,
    pub currency: String,
    pub remittance: Option<String>,
    pub outcome: Outcome,
}

/// One booked entry, kept until a statement has carried it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Booking {
    pub account: AccountId,
    pub currency: String,
    pub owner: Option<String>,
    pub booked_at: Timestamp,
    pub booking_date: Date,
    /// `NtryRef`.
    pub reference: Option<String>,
    /// `AcctSvcrRef`, unique per simulator.
    pub servicer_reference: String,
    /// Minor units, positive.
    pub amount: i64,
    pub credit: bool,
    /// `Domn/Cd`, `Fmly/Cd`, `SubFmlyCd`.
    pub code: [String; 3],
    pub batch: Option<BatchBooking>,
    pub transaction: Option<TransactionBooking>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchBooking {
    pub message_id: String,
    pub payment_information_id: String,
    pub number_of_transactions: u64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TransactionBooking {
    pub message_id: String,
    pub payment_information_id: String,
    pub instruction_id: Option<String>,
    pub end_to_end_id: String,
    pub mandate_id: Option<String>,
    pub remittance: Option<String>,
    /// A return: its reason and the code of the booking it returns.
    pub returned: Option<ReturnBooking>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReturnBooking {
    pub reason: String,
    pub original_code: [String; 3],
}

/// Where the state lives.
#[derive(Debug, Clone)]
pub struct Paths {
    pub inbox: PathBuf,
    pub outbox: PathBuf,
    pub state_dir: PathBuf,
    pub jobs: PathBuf,
    pub state: PathBuf,
}

impl Paths {
    pub fn new(dir: &Path) -> Self {
        let state_dir = dir.join(".bank-sim");
        Self {
            inbox: dir.join("inbox"),
            outbox: dir.join("outbox"),
            jobs: state_dir.join("jobs"),
            state: state_dir.join("state.json"),
            state_dir,
        }
    }

    pub fn job(&self, key: &str) -> PathBuf {
        self.jobs.join(format!("{key}.json"))
    }

    pub fn create(&self) -> Result<(), BankSimError> {
        for dir in [&self.inbox, &self.outbox, &self.jobs] {
            fs::create_dir_all(dir).map_err(|e| io_error(dir, "creating the directory", e))?;
        }
        Ok(())
    }

    /// Removes the temporary files (`.<name>.tmp`) a crash left in the outbox and the
    /// state directories.
    pub fn remove_leftovers(&self) -> Result<(), BankSimError> {
        for dir in [&self.outbox, &self.state_dir, &self.jobs] {
            let entries =
                fs::read_dir(dir).map_err(|e| io_error(dir, "listing the directory", e))?;
            for entry in entries.flatten() {
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if name.starts_with('.') && name.ends_with(".tmp") {
                    let path = entry.path();
                    fs::remove_file(&path)
                        .map_err(|e| io_error(&path, "removing a temporary file", e))?;
                }
            }
        }
        Ok(())
    }
}

pub fn io_error(path: &Path, action: &'static str, source: io::Error) -> BankSimError {
    BankSimError::Io {
        path: path.display().to_string(),
        action,
        source,
    }
}

/// Loads `state.json`; a missing file is a fresh state.
pub fn load_state(path: &Path) -> Result<State, BankSimError> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(State::default()),
        Err(e) => return Err(io_error(path, "reading the state", e)),
    };
    let state: State = serde_json::from_slice(&bytes).map_err(|e| corrupt(path, e))?;
    check_version(path, state.version)?;
    Ok(state)
}

pub fn load_job(path: &Path) -> Result<Job, BankSimError> {
    let bytes = fs::read(path).map_err(|e| io_error(path, "reading the job", e))?;
    let job: Job = serde_json::from_slice(&bytes).map_err(|e| corrupt(path, e))?;
    check_version(path, job.version)?;
    Ok(job)
}

fn corrupt(path: &Path, error: serde_json::Error) -> BankSimError {
    BankSimError::State {
        file: path.display().to_string(),
        field: format!("line {} column {}", error.line(), error.column()),
        expected: "the bank simulator's JSON state".to_owned(),
        actual: error.to_string(),
    }
}

fn check_version(path: &Path, version: u32) -> Result<(), BankSimError> {
    if version != STATE_VERSION {
        return Err(BankSimError::State {
            file: path.display().to_string(),
            field: "version".to_owned(),
            expected: STATE_VERSION.to_string(),
            actual: version.to_string(),
        });
    }
    Ok(())
}

/// Writes `value` as JSON to `path` atomically.
pub fn save_json(path: &Path, value: &impl Serialize) -> Result<(), BankSimError> {
    let mut bytes = serde_json::to_vec(value).map_err(|e| io_error(path, "encoding", e.into()))?;
    bytes.push(b'\n');
    write_atomically(path, &bytes)
}

/// Writes `bytes` to a temporary `.<name>.tmp` beside `path`, syncs it, renames it to
/// `path` and syncs the directory.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), BankSimError> {
    let dir = path.parent().unwrap_or(Path::new("."));
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let temporary = dir.join(format!(".{name}.tmp"));
    let write = || -> io::Result<()> {
        let mut file = fs::File::create(&temporary)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        fs::rename(&temporary, path)?;
        sync_dir(dir)
    };
    write().map_err(|e| {
        let _ = fs::remove_file(&temporary);
        io_error(path, "writing atomically", e)
    })
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    match fs::File::open(dir).and_then(|d| d.sync_all()) {
        Ok(()) => Ok(()),
        Err(e) if cfg!(unix) => Err(e),
        Err(_) => Ok(()),
    }
}
