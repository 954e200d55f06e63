//! A simulated bank over a directory pair, for tests and demos (no network: the SFTP
//! server in front of it lives in `transport`).
//!
//! The customer uploads pain.001 and pain.008 files into `<dir>/inbox/` (names starting
//! with `.` and ending in `.part`, `.tmp`, `.filepart` or `~` are uploads in progress and
//! are never read). Each [`BankSim::tick`] takes new files and publishes the bank's
//! answers into `<dir>/outbox/`, each written under a temporary name starting with `.`
//! and then renamed, so a reader never sees half a file:
//!
//! | When (after the tick that took the file) | File | bankgate's reconcile makes of it |
//! |---|---|---|
//! | `ack_after` | pain.002 `GrpSts` `ACTC` | `PENDING_AT_BANK` |
//! | `status_after` | pain.002 per transaction: `RJCT` + `AC01`/`AM04`/`MD01`, else `ACCP` (or the configured `ACSP`/`ACSC`); `GrpSts`/`PmtInfSts` `PART` when mixed | `FAILED`; `ACCEPTED` (`ACSC`: `EXECUTED`) |
//! | `book_after` | camt.054 booking the executed transactions: one entry per transaction (`TxDtls/Refs` `EndToEndId`, `PmtInfId`, `MsgId`) or, for batch-booked blocks, one entry with `Btch` (`PmtInfId`, `NbOfTxs`, `TtlAmt`) | `EXECUTED` |
//! | `return_after` | camt.054 with the returns: `PMNT/ICDT/RRTN` `CRDT` (credit transfers) or `PMNT/IDDT/UPDD` `DBIT` (direct debits) with `RtrInf/Rsn/Cd` `AC04`/`MD06` | `RETURNED` (`AC04` also cancels the mandate) |
//! | end of the booking day (or [`StatementSchedule::After`]) | camt.053 with every entry booked that day, per account and currency, with opening and closing balances | `RECONCILED` |
//!
//! A file that cannot be read (not XML, not a pain.001/pain.008, a value the reader
//! refuses, too large, too many transactions) is answered at `ack_after` by a pain.002
//! `RJCT` at group level with `FF01` and the file name and the problem in `AddtlInf`;
//! a `MsgId` seen before gets `DU01`; counts and control sums that do not add up get
//! `AM18`/`AM10` (group header) or `AM20`/`AM17` (payment information block).
//!
//! Outcomes are decided per transaction from `sha256(seed, EndToEndId)` (see [`decide`]):
//! the same seed and files give the same outcomes, and with the same `now` values
//! byte-identical files. Output names are `<n>-<kind>-<inbox file stem>.xml` (statements
//! `<n>-camt053-<date>.xml`) with `n` counting publications, so names sort in the order
//! the files were published.
//!
//! The state (`<dir>/.bank-sim/`, see [`state`]) is written atomically after every step,
//! so a restarted simulator neither takes a file twice nor answers twice; a step cut off
//! by a crash between publishing and recording is published again under the same name.
//! A record is forgotten once all its answers are out and its file has left the inbox.
//! One simulator process per directory.

mod answer;
pub mod decide;
mod settings;
pub mod state;

use std::collections::BTreeSet;
use std::future::Future;
use std::io;
use std::path::{Path, PathBuf};
use std::time::Duration;

use jiff::{Timestamp, ToSpan};
use serde::Serialize;
use sha2::{Digest, Sha256};
use tracing::{info, warn};

pub use settings::{AcceptedStatus, Limits, Settings, StatementSchedule};

use crate::iso20022::bank_report::{AccountMessage, ReportWriteError, STATUS_REPORT_MESSAGE};
use answer::{EntryCounter, Publication};
use state::{FileRecord, Paths, State, Verdict, io_error, save_json, write_atomically};

/// Why the simulator could not go on.
#[derive(Debug, thiserror::Error)]
pub enum BankSimError {
    #[error("{path}: {action} failed: {source}")]
    Io {
        path: String,
        action: &'static str,
        source: io::Error,
    },
    #[error("{file}: {field}: expected {expected}, got {actual}")]
    State {
        file: String,
        field: String,
        expected: String,
        actual: String,
    },
    #[error("settings: {field}: expected {expected}, got {actual}")]
    Settings {
        field: &'static str,
        expected: String,
        actual: String,
    },
    #[error("{file}: writing the {message} failed: {source}")]
    Report {
        file: String,
        message: &'static str,
        source: ReportWriteError,
    },
    #[error("the tick stopped unexpectedly: {0}")]
    Task(String),
}

/// What one published file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishedKind {
    /// pain.002, group `ACTC`.
    Acknowledgement,
    /// pain.002, group `RJCT` (the whole file refused).
    Rejection,
    /// pain.002 with transaction statuses.
    StatusReport,
    /// camt.054 booking executed transactions.
    Booking,
    /// camt.054 with returns.
    Returns,
    /// camt.053 end-of-day statement.
    Statement,
}

impl PublishedKind {
    fn label(self) -> &'static str {
        match self {
            PublishedKind::Acknowledgement => "pain002-ack",
            PublishedKind::Rejection => "pain002-rjct",
            PublishedKind::StatusReport => "pain002-status",
            PublishedKind::Booking => "camt054-booking",
            PublishedKind::Returns => "camt054-returns",
            PublishedKind::Statement => "camt053",
        }
    }

    pub fn message(self) -> &'static str {
        match self {
            PublishedKind::Acknowledgement
            | PublishedKind::Rejection
            | PublishedKind::StatusReport => STATUS_REPORT_MESSAGE,
            PublishedKind::Booking | PublishedKind::Returns => AccountMessage::Notification.name(),
            PublishedKind::Statement => AccountMessage::Statement.name(),
        }
    }
}

/// An inbox file taken by a tick.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Taken {
    pub file: String,
    pub accepted: bool,
    /// The file-level rejection code (`FF01`, `DU01`, `AM10`, ...), when refused.
    pub rejection: Option<String>,
    pub transactions: u64,
}

/// A file published into the outbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Published {
    /// Name in `outbox/`.
    pub file: String,
    pub kind: PublishedKind,
    pub message: &'static str,
    /// The inbox file it answers (none for statements).
    pub answers: Option<String>,
    /// Transactions listed (pain.002) or entries (camt).
    pub items: usize,
}

/// What one tick did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct TickReport {
    pub taken: Vec<Taken>,
    pub published: Vec<Published>,
    /// Inbox files whose records were dropped (all answered, gone from the inbox).
    pub forgotten: Vec<String>,
}

impl TickReport {
    pub fn is_empty(&self) -> bool {
        self.taken.is_empty() && self.published.is_empty() && self.forgotten.is_empty()
    }
}

/// The simulated bank over `<dir>/inbox`, `<dir>/outbox` and `<dir>/.bank-sim`.
pub struct BankSim {
    paths: Paths,
    settings: Settings,
    state: State,
}

impl BankSim {
    /// Checks the settings, creates the directories, removes temporary files a crash left
    /// behind and loads the state of an earlier run.
    pub fn open(dir: impl AsRef<Path>, settings: Settings) -> Result<Self, BankSimError> {
        settings.validate()?;
        let paths = Paths::new(dir.as_ref());
        paths.create()?;
        paths.remove_leftovers()?;
        let state = state::load_state(&paths.state)?;
        Ok(Self {
            paths,
            settings,
            state,
        })
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    pub fn inbox(&self) -> &Path {
        &self.paths.inbox
    }

    pub fn outbox(&self) -> &Path {
        &self.paths.outbox
    }

    /// Takes new inbox files and publishes every answer that is due at `now`.
    pub fn tick(&mut self, now: Timestamp) -> Result<TickReport, BankSimError> {
        let mut report = TickReport::default();
        let present = self.scan_inbox()?;
        self.take_new(&present, now, &mut report)?;
        self.answer_files(now, &mut report)?;
        self.publish_statements(now, &mut report)?;
        self.forget(&present, &mut report)?;
        Ok(report)
    }

    /// The inbox's settled file names, sorted.
    fn scan_inbox(&self) -> Result<Vec<String>, BankSimError> {
        let inbox = &self.paths.inbox;
        let entries =
            std::fs::read_dir(inbox).map_err(|e| io_error(inbox, "listing the inbox", e))?;
        let mut names = Vec::new();
        for entry in entries {
            let entry = entry.map_err(|e| io_error(inbox, "listing the inbox", e))?;
            let Ok(name) = entry.file_name().into_string() else {
                continue;
            };
            if is_temporary(&name) {
                continue;
            }
            match entry.metadata() {
                Ok(meta) if meta.is_file() => names.push(name),
                _ => continue,
            }
        }
        names.sort();
        Ok(names)
    }

    fn save(&self) -> Result<(), BankSimError> {
        save_json(&self.paths.state, &self.state)
    }

    fn take_new(
        &mut self,
        present: &[String],
        now: Timestamp,
        report: &mut TickReport,
    ) -> Result<(), BankSimError> {
        let new: Vec<&String> = present
            .iter()
            .filter(|name| !self.state.files.contains_key(*name))
            .take(self.settings.limits.max_files_per_tick)
            .collect();
        for name in new {
            let path = self.paths.inbox.join(name);
            let size = match std::fs::metadata(&path) {
                Ok(meta) => meta.len(),
                Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                Err(e) => return Err(io_error(&path, "reading the file's size", e)),
            };
            let limit = self.settings.limits.max_file_bytes;
            let (sha256, intake) = if size > limit {
                let why = format!("{size} bytes is over the limit of {limit} bytes");
                (String::new(), answer::too_large(name, &why))
            } else {
                let bytes = match std::fs::read(&path) {
                    Ok(bytes) => bytes,
                    Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
                    Err(e) => return Err(io_error(&path, "reading the file", e)),
                };
                let intake = answer::take(&self.settings, &self.state, name, &bytes);
                (format!("{:x}", Sha256::digest(&bytes)), intake)
            };
            let key = format!("{:x}", Sha256::digest(name.as_bytes()))[..16].to_owned();
            if let Some(job) = &intake.job {
                save_json(&self.paths.job(&key), job)?;
            }
            let taken = match &intake.verdict {
                Verdict::Accepted {
                    message_id,
                    transactions,
                } => {
                    self.state.remember_message_id(message_id);
                    info!(file = %name, message_id = %message_id, transactions = *transactions,
                        "Took an inbox file.");
                    Taken {
                        file: name.clone(),
                        accepted: true,
                        rejection: None,
                        transactions: *transactions,
                    }
                }
                Verdict::Rejected(rejection) => {
                    warn!(file = %name, reason = %rejection.code,
                        info = %rejection.info.join(""), "Refused an inbox file.");
                    Taken {
                        file: name.clone(),
                        accepted: false,
                        rejection: Some(rejection.code.clone()),
                        transactions: 0,
                    }
                }
            };
            self.state.files.insert(
                name.clone(),
                FileRecord {
                    key,
                    sha256,
                    size,
                    received_at: now,
                    verdict: intake.verdict,
                    done: state::Stages::default(),
                },
            );
            self.save()?;
            report.taken.push(taken);
        }
        Ok(())
    }

    /// Publishes `bytes` as the next outbox file and counts it.
    fn publish(
        &mut self,
        kind: PublishedKind,
        base: &str,
        bytes: &[u8],
        answers: Option<&str>,
        items: usize,
        report: &mut TickReport,
    ) -> Result<(), BankSimError> {
        let counter = self.state.published + 1;
        let name = format!("{counter:08}-{}-{base}.xml", kind.label());
        write_atomically(&self.paths.outbox.join(&name), bytes)?;
        self.state.published = counter;
        info!(file = %name, kind = kind.label(), answers = answers.unwrap_or(""), items,
            "Published a bank file.");
        report.published.push(Published {
            file: name,
            kind,
            message: kind.message(),
            answers: answers.map(str::to_owned),
            items,
        });
        Ok(())
    }

    fn publication(&self, now: Timestamp) -> Publication {
        Publication::new(self.state.published + 1, now, self.settings.indent)
    }

    fn due(received_at: Timestamp, delay: Duration, now: Timestamp) -> bool {
        received_at.checked_add(delay).is_ok_and(|at| now >= at)
    }

    fn answer_files(
        &mut self,
        now: Timestamp,
        report: &mut TickReport,
    ) -> Result<(), BankSimError> {
        let mut order: Vec<(Timestamp, String)> = self
            .state
            .files
            .iter()
            .filter(|(_, record)| !record.finished())
            .map(|(name, record)| (record.received_at, name.clone()))
            .collect();
        order.sort();
        for (_, name) in order {
            self.answer_file(&name, now, report)?;
        }
        Ok(())
    }

    fn answer_file(
        &mut self,
        name: &str,
        now: Timestamp,
        report: &mut TickReport,
    ) -> Result<(), BankSimError> {
        let Some(record) = self.state.files.get(name).cloned() else {
            return Ok(());
        };
        let settings = self.settings.clone();
        let base = output_base(name);
        let at = record.received_at;
        let mut done = record.done;
        let rejection = match &record.verdict {
            Verdict::Rejected(rejection) => Some(rejection.clone()),
            Verdict::Accepted { .. } => None,
        };
        if let Some(rejection) = rejection {
            if !done.ack && Self::due(at, settings.ack_after, now) {
                let bytes = answer::rejection(&self.publication(now), &rejection)
                    .map_err(|e| answer::report_error(name, STATUS_REPORT_MESSAGE, e))?;
                self.publish(
                    PublishedKind::Rejection,
                    &base,
                    &bytes,
                    Some(name),
                    0,
                    report,
                )?;
                done.ack = true;
                self.commit(name, done)?;
            }
            return Ok(());
        }
        let waiting = [
            (done.ack, settings.ack_after),
            (done.status, settings.status_after),
            (done.booking, settings.book_after),
            (done.returns, settings.return_after),
        ];
        if !waiting
            .iter()
            .any(|(done, delay)| !done && Self::due(at, *delay, now))
        {
            return Ok(());
        }
        let job = state::load_job(&self.paths.job(&record.key))?;
        if !done.ack {
            let bytes = answer::acknowledgement(&self.publication(now), &job)
                .map_err(|e| answer::report_error(name, STATUS_REPORT_MESSAGE, e))?;
            self.publish(
                PublishedKind::Acknowledgement,
                &base,
                &bytes,
                Some(name),
                0,
                report,
            )?;
            done.ack = true;
            self.commit(name, done)?;
        }
        if !done.status && Self::due(at, settings.status_after, now) {
            let bytes = answer::status_report(&self.publication(now), &settings, &job)?;
            let listed = job
                .blocks
                .iter()
                .flat_map(|b| &b.transactions)
                .filter(|t| !settings.report_only_rejections || !t.outcome.is_booked())
                .count();
            self.publish(
                PublishedKind::StatusReport,
                &base,
                &bytes,
                Some(name),
                listed,
                report,
            )?;
            done.status = true;
            self.commit(name, done)?;
        }
        if done.status && !done.booking && Self::due(at, settings.book_after, now) {
            self.notify(
                PublishedKind::Booking,
                answer::bookings,
                &job,
                name,
                now,
                report,
            )?;
            done.booking = true;
            self.commit(name, done)?;
        }
        if done.booking && !done.returns && Self::due(at, settings.return_after, now) {
            self.notify(
                PublishedKind::Returns,
                answer::returns,
                &job,
                name,
                now,
                report,
            )?;
            done.returns = true;
            self.commit(name, done)?;
        }
        Ok(())
    }

    /// Books the entries `entries` makes for `job` (bookings or returns): publishes them
    /// as one camt.054 when there are any, and adds them to the ledger for the statement.
    fn notify(
        &mut self,
        kind: PublishedKind,
        entries: fn(&state::Job, Timestamp, EntryCounter<'_>) -> Vec<state::Booking>,
        job: &state::Job,
        name: &str,
        now: Timestamp,
        report: &mut TickReport,
    ) -> Result<(), BankSimError> {
        let mut counter = self.state.entries;
        let booked = entries(job, now, EntryCounter(&mut counter));
        if !booked.is_empty() {
            let bytes =
                answer::notification(&self.publication(now), &self.settings, name, &booked)?;
            let base = output_base(name);
            self.publish(kind, &base, &bytes, Some(name), booked.len(), report)?;
        }
        self.state.entries = counter;
        self.state.ledger.extend(booked);
        Ok(())
    }

    /// Records the stages done for `name` and saves the state.
    fn commit(&mut self, name: &str, done: state::Stages) -> Result<(), BankSimError> {
        if let Some(record) = self.state.files.get_mut(name) {
            record.done = done;
        }
        self.save()
    }

    /// One camt.053 per booking date whose entries are due.
    fn publish_statements(
        &mut self,
        now: Timestamp,
        report: &mut TickReport,
    ) -> Result<(), BankSimError> {
        let schedule = self.settings.statement;
        let due = |booking: &state::Booking| match schedule {
            StatementSchedule::EndOfDay => booking
                .booking_date
                .checked_add(1.day())
                .ok()
                .and_then(|next| next.to_zoned(jiff::tz::TimeZone::UTC).ok())
                .is_some_and(|end| now >= end.timestamp()),
            StatementSchedule::After(delay) => Self::due(booking.booked_at, delay, now),
        };
        let dates: BTreeSet<jiff::civil::Date> = self
            .state
            .ledger
            .iter()
            .filter(|b| due(b))
            .map(|b| b.booking_date)
            .collect();
        for date in dates {
            let (stated, kept): (Vec<_>, Vec<_>) = self
                .state
                .ledger
                .iter()
                .cloned()
                .partition(|b| b.booking_date == date && due(b));
            let mut accounts = self.state.accounts.clone();
            let bytes = answer::statement(
                &self.publication(now),
                &self.settings,
                date,
                &stated,
                &mut accounts,
            )?;
            self.publish(
                PublishedKind::Statement,
                &date.to_string(),
                &bytes,
                None,
                stated.len(),
                report,
            )?;
            self.state.accounts = accounts;
            self.state.ledger = kept;
            self.save()?;
        }
        Ok(())
    }

    /// Drops the records of files answered in full and gone from the inbox.
    fn forget(&mut self, present: &[String], report: &mut TickReport) -> Result<(), BankSimError> {
        let gone: Vec<(String, String)> = self
            .state
            .files
            .iter()
            .filter(|(name, record)| record.finished() && present.binary_search(name).is_err())
            .map(|(name, record)| (name.clone(), record.key.clone()))
            .collect();
        if gone.is_empty() {
            return Ok(());
        }
        for (name, _) in &gone {
            self.state.files.remove(name);
        }
        self.save()?;
        for (name, key) in gone {
            let job = self.paths.job(&key);
            match std::fs::remove_file(&job) {
                Ok(()) => {}
                Err(e) if e.kind() == io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(&job, "removing the job", e)),
            }
            report.forgotten.push(name);
        }
        Ok(())
    }
}

/// Names an upload in progress: a leading `.`, or a trailing `.part`, `.tmp`,
/// `.filepart` or `~`.
fn is_temporary(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with(".part")
        || name.ends_with(".tmp")
        || name.ends_with(".filepart")
        || name.ends_with('~')
}

/// The inbox name's stem in safe characters, at most 40 of them.
fn output_base(name: &str) -> String {
    let stem = match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => name,
    };
    let safe: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .take(40)
        .collect();
    if safe.is_empty() {
        "file".to_owned()
    } else {
        safe
    }
}

/// Runs the simulator on `dir`, ticking every `poll` with the wall clock, until
/// `shutdown` completes (the tick in hand is finished first). A tick that fails on IO is
/// logged and retried at the next poll; a corrupt state stops the run.
pub async fn run(
    dir: impl Into<PathBuf>,
    settings: Settings,
    poll: Duration,
    shutdown: impl Future<Output = ()>,
) -> Result<(), BankSimError> {
    let dir = dir.into();
    let mut sim = Some(BankSim::open(&dir, settings)?);
    let mut interval = tokio::time::interval(poll.max(Duration::from_millis(10)));
    interval.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tokio::pin!(shutdown);
    info!(dir = %dir.display(), poll_ms = poll.as_millis() as u64, "Bank simulator started.");
    loop {
        tokio::select! {
            biased;
            () = &mut shutdown => break,
            _ = interval.tick() => {}
        }
        let Some(mut current) = sim.take() else {
            return Err(BankSimError::Task("the simulator was lost".to_owned()));
        };
        let (back, result) = tokio::task::spawn_blocking(move || {
            let result = current.tick(Timestamp::now());
            (current, result)
        })
        .await
        .map_err(|e| BankSimError::Task(e.to_string()))?;
        sim = Some(back);
        match result {
            Ok(report) if report.is_empty() => {}
            Ok(report) => info!(
                taken = report.taken.len(),
                published = report.published.len(),
                forgotten = report.forgotten.len(),
                "Bank simulator tick done."
            ),
            Err(e @ BankSimError::State { .. }) => return Err(e),
            Err(e) => {
                warn!(error = %e, "Bank simulator tick failed; trying again at the next poll.")
            }
        }
    }
    info!(dir = %dir.display(), "Bank simulator stopped.");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_names_and_output_bases() {
        for name in [".x.xml", "x.xml.part", "x.tmp", "x.filepart", "x~"] {
            assert!(is_temporary(name), "{name}");
        }
        assert!(!is_temporary("pain001.xml"));
        assert_eq!(output_base("payments 2026/11.xml"), "payments_2026_11");
        assert_eq!(output_base("a.b.xml"), "a.b");
        assert_eq!(output_base("x".repeat(50).as_str()).len(), 40);
    }
}
