//! The drop folder: writers drop instruction files into `inbox/`; each complete file is
//! read as a whole and either recorded (and moved to `processed/`, with a ledger line) or
//! moved to `rejected/` beside a `<name>.errors.json` that lists every diagnostic.
//!
//! The protocol (also in the README, section "Drop folder"):
//!
//! - Writers write to a temporary name (a leading `.`, or a trailing `.tmp`, `.part` or
//!   `~`) and rename into `inbox/` when done. Such names are never read.
//! - As a guard against writers that ignore this, a file whose size or modification time
//!   changed since the previous scan, or that is younger than the settle time, is deferred.
//! - `notify` events only wake the scanner; a periodic full scan is the source of truth.
//! - A valid file is recorded by a [`Recorder`] in one transaction, then the ledger line
//!   is appended, then the file is moved to `processed/`. A crash in between leaves the file
//!   in `inbox/`; the next scan records it again, the recorder answers
//!   [`RecordVerdict::DuplicateFile`], and the file is moved then.
//! - A rejected file's report is written (temporary name in `work/`, then rename) before
//!   the file is moved, so a rejected file never lacks its report.
//! - Moves never overwrite: when a name is taken, `name.1.ext`, `name.2.ext`, ... is used.
//!
//! One bankgate process owns a drop folder.

use std::collections::{HashMap, HashSet, VecDeque};
use std::fs;
use std::future::Future;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant, SystemTime};

use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};
use tracing::{debug, error, info, warn};

use super::{AccountBook, Diagnostic, FileReport, Format, Limits, Location, read_file};
use crate::domain::instruction::InstructionKind;

/// The name of the ledger in `processed/`; a dropped file never takes this name there.
pub const LEDGER: &str = "ledger.ndjson";

pub use crate::store::IncomingFile;

/// What the recorder did with a valid file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "verdict", rename_all = "snake_case")]
pub enum RecordVerdict {
    /// Recorded in one transaction: `new` instructions were added, `already_recorded`
    /// had been recorded before with the same content (idempotent resend).
    Recorded { new: usize, already_recorded: usize },
    /// A file with the same SHA-256 was recorded before; nothing was added.
    DuplicateFile,
}

/// Why the recorder did not record a file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    /// An instruction `id` was recorded before with different content. Nothing was
    /// recorded; the file is rejected with this problem.
    #[error("instruction {key:?} was already recorded with different content: {detail}")]
    Conflict { key: String, detail: String },
    /// A passing problem (store busy, disk full): the file stays in the inbox and is
    /// tried again at the next scan.
    #[error("recording failed, will retry: {0}")]
    Retryable(String),
    /// The recorder cannot work: the file stays in the inbox and [`DropFolder::run`] stops.
    #[error("recording failed fatally: {0}")]
    Fatal(String),
}

/// Records a file's instructions, all or none, in one transaction.
pub trait Recorder: Send + Sync {
    /// Called only for valid files (`report.is_valid()`). Must be idempotent: the same file
    /// (same `sha256`) again gives [`RecordVerdict::DuplicateFile`]; the same instruction
    /// id with the same content counts as `already_recorded`; with different content,
    /// [`RecordError::Conflict`] and nothing is recorded.
    fn record(
        &self,
        file: &IncomingFile,
        report: &FileReport,
    ) -> impl Future<Output = Result<RecordVerdict, RecordError>> + Send;
}

/// Settings of a drop folder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FolderSettings {
    /// Maximum file size (checked before reading) and instruction count.
    pub limits: Limits,
    /// A file modified more recently than this is deferred (unless it was seen unchanged
    /// for this long, which covers clocks that disagree).
    pub settle: Duration,
    /// The periodic full scan, the source of truth.
    pub rescan: Duration,
    /// Capacity of the channel that carries file-system hints; hints beyond it are dropped.
    pub hint_capacity: usize,
    /// Watch the inbox for file-system events. Without it (or where events never come,
    /// as on NFS and CIFS) files are found by the periodic scan alone.
    pub watch: bool,
}

impl Default for FolderSettings {
    fn default() -> Self {
        Self {
            limits: Limits::default(),
            settle: Duration::from_secs(2),
            rescan: Duration::from_secs(5),
            hint_capacity: 64,
            watch: true,
        }
    }
}

/// Why a file was left in the inbox for a later scan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeferReason {
    /// Modified more recently than the settle time.
    TooYoung,
    /// Size or modification time changed since the previous scan.
    Changing,
}

/// What a scan did with one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileAction {
    /// Recorded (or found recorded) and moved to `processed/<stored_as>`.
    Processed {
        stored_as: String,
        verdict: RecordVerdict,
        instructions: usize,
    },
    /// Moved to `rejected/<stored_as>` beside `<stored_as>.errors.json`.
    Rejected {
        stored_as: String,
        diagnostics: Vec<Diagnostic>,
    },
    /// Left in the inbox: maybe still being written.
    Deferred(DeferReason),
    /// Left in the inbox: the recorder asked to try again later.
    Retry(String),
    /// Left in the inbox: an input/output error (tried again at the next scan).
    Failed(String),
    /// Left in the inbox: the recorder failed fatally; the scan stopped here.
    Fatal(String),
}

/// One file's outcome in a scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileOutcome {
    pub name: String,
    pub action: FileAction,
}

/// What one scan did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScanReport {
    /// Every candidate file, in the order handled (oldest modification first).
    pub files: Vec<FileOutcome>,
    /// When a deferred file should be ready: scan again after this long.
    pub rescan_after: Option<Duration>,
}

impl ScanReport {
    /// The outcome for a file name, if the scan saw it.
    pub fn action(&self, name: &str) -> Option<&FileAction> {
        self.files
            .iter()
            .find(|f| f.name == name)
            .map(|f| &f.action)
    }

    /// The recorder's fatal error, if the scan stopped on one.
    pub fn fatal(&self) -> Option<&str> {
        self.files.iter().find_map(|f| match &f.action {
            FileAction::Fatal(reason) => Some(reason.as_str()),
            _ => None,
        })
    }
}

/// Why [`DropFolder::run`] stopped before shutdown.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    #[error("the recorder failed fatally: {0}")]
    Fatal(String),
}

/// What a scan remembers of a file between scans.
#[derive(Debug, Clone, Copy)]
struct Seen {
    size: u64,
    modified: Option<SystemTime>,
    /// Since when (our clock) this size and modification time have been seen.
    since: Instant,
}

#[derive(Debug, Default)]
struct ScanState {
    seen: HashMap<String, Seen>,
    /// Names already warned about (directories, non-UTF-8 names), so they are logged once.
    warned: HashSet<String>,
}

/// A drop folder at `root`: `inbox/`, `processed/`, `rejected/` and `work/` (temporary
/// files of the scanner). All four must be on one file system (moves are renames).
#[derive(Debug)]
pub struct DropFolder {
    root: PathBuf,
    settings: FolderSettings,
    state: tokio::sync::Mutex<ScanState>,
    /// When [`DropFolder::run`] last finished a scan: the daemon feeds the systemd
    /// watchdog only while this stays fresh, so a hung scan gets the service restarted.
    heartbeat: tokio::sync::watch::Sender<std::time::Instant>,
}

impl DropFolder {
    /// Opens the folder, creating the four directories and clearing stale temporary files
    /// of the scanner from `work/`.
    pub fn open(root: impl Into<PathBuf>, settings: FolderSettings) -> io::Result<Self> {
        let folder = Self {
            root: root.into(),
            settings,
            state: tokio::sync::Mutex::default(),
            heartbeat: tokio::sync::watch::channel(std::time::Instant::now()).0,
        };
        for dir in [
            folder.inbox(),
            folder.processed(),
            folder.rejected(),
            folder.work(),
        ] {
            fs::create_dir_all(dir)?;
        }
        for entry in fs::read_dir(folder.work())? {
            let entry = entry?;
            if entry.file_type()?.is_file() {
                fs::remove_file(entry.path())?;
            }
        }
        Ok(folder)
    }

    /// The time of the last finished scan of [`DropFolder::run`].
    pub fn heartbeat(&self) -> tokio::sync::watch::Receiver<std::time::Instant> {
        self.heartbeat.subscribe()
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub fn settings(&self) -> &FolderSettings {
        &self.settings
    }

    pub fn inbox(&self) -> PathBuf {
        self.root.join("inbox")
    }

    pub fn processed(&self) -> PathBuf {
        self.root.join("processed")
    }

    pub fn rejected(&self) -> PathBuf {
        self.root.join("rejected")
    }

    pub fn work(&self) -> PathBuf {
        self.root.join("work")
    }

    /// Scans the inbox once and handles every file that is ready.
    pub async fn scan_once(&self, accounts: &AccountBook, recorder: &impl Recorder) -> ScanReport {
        self.scan(accounts, recorder, &AtomicBool::new(false)).await
    }

    /// Watches the inbox and scans on every hint, every `rescan` interval and when a
    /// deferred file should be ready, until `shutdown` completes (the file being handled
    /// is finished first) or the recorder fails fatally.
    pub async fn run(
        &self,
        accounts: &AccountBook,
        recorder: &impl Recorder,
        shutdown: impl Future<Output = ()>,
    ) -> Result<(), RunError> {
        let (hints, mut hint_rx) = tokio::sync::mpsc::channel(self.settings.hint_capacity.max(1));
        let _watcher = match self.settings.watch.then(|| watch(&self.inbox(), hints)) {
            None => None,
            Some(Ok(watcher)) => Some(watcher),
            Some(Err(e)) => {
                warn!(inbox = %self.inbox().display(), error = %e,
                    "Cannot watch the inbox; relying on the periodic scan.");
                None
            }
        };
        info!(inbox = %self.inbox().display(), rescan_ms = self.settings.rescan.as_millis() as u64,
            "Drop folder started.");
        let mut ticks = tokio::time::interval(self.settings.rescan);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut wake_at: Option<tokio::time::Instant> = None;
        tokio::pin!(shutdown);
        loop {
            let settle = async {
                match wake_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = &mut shutdown => break,
                _ = ticks.tick() => debug!("Periodic scan."),
                Some(()) = hint_rx.recv() => {
                    while hint_rx.try_recv().is_ok() {}
                    debug!("Scan on a file-system hint.");
                }
                () = settle => debug!("Scan for a deferred file."),
            }
            let stop = AtomicBool::new(false);
            let scan = self.scan(accounts, recorder, &stop);
            tokio::pin!(scan);
            let mut stopping = false;
            let report = tokio::select! {
                report = &mut scan => report,
                () = &mut shutdown => {
                    stop.store(true, Ordering::Relaxed);
                    stopping = true;
                    scan.await
                }
            };
            if let Some(reason) = report.fatal() {
                error!(reason = %reason, "Drop folder stopped: the recorder failed fatally.");
                return Err(RunError::Fatal(reason.to_owned()));
            }
            self.heartbeat.send_replace(std::time::Instant::now());
            if stopping {
                break;
            }
            wake_at = report
                .rescan_after
                .map(|after| tokio::time::Instant::now() + after);
        }
        info!(inbox = %self.inbox().display(), "Drop folder stopped.");
        Ok(())
    }

    async fn scan(
        &self,
        accounts: &AccountBook,
        recorder: &impl Recorder,
        stop: &AtomicBool,
    ) -> ScanReport {
        let mut state = self.state.lock().await;
        let mut report = ScanReport::default();
        let listing = match blocking({
            let inbox = self.inbox();
            move || list_inbox(&inbox)
        })
        .await
        {
            Ok(listing) => listing,
            Err(e) => {
                warn!(inbox = %self.inbox().display(), error = %e, "Cannot list the inbox.");
                return report;
            }
        };
        let now_wall = SystemTime::now();
        let now = Instant::now();
        let mut ready = Vec::new();
        let mut present = HashSet::new();
        for entry in listing {
            let name = match entry {
                Listed::File(file) => file,
                Listed::Skip { name, why } => {
                    present.insert(name.clone());
                    if state.warned.insert(name.clone()) {
                        warn!(file = %name, reason = why, "Ignoring an entry of the inbox.");
                    }
                    continue;
                }
            };
            present.insert(name.name.clone());
            let previous = state.seen.get(&name.name).copied();
            let changed =
                previous.is_some_and(|p| p.size != name.size || p.modified != name.modified);
            let since = match previous {
                Some(p) if !changed => p.since,
                _ => now,
            };
            state.seen.insert(
                name.name.clone(),
                Seen {
                    size: name.size,
                    modified: name.modified,
                    since,
                },
            );
            let settle = self.settings.settle;
            let age = name
                .modified
                .and_then(|m| now_wall.duration_since(m).ok())
                .unwrap_or(Duration::ZERO);
            let stable = now.duration_since(since);
            if changed {
                debug!(file = %name.name, size = name.size, "Deferring a file that is changing.");
                report.files.push(FileOutcome {
                    name: name.name,
                    action: FileAction::Deferred(DeferReason::Changing),
                });
                report.rescan_after = earliest(report.rescan_after, settle.max(MIN_RESCAN));
            } else if age < settle && stable < settle {
                debug!(file = %name.name, "Deferring a file younger than the settle time.");
                let wait = (settle - age).min(settle - stable).max(MIN_RESCAN);
                report.files.push(FileOutcome {
                    name: name.name,
                    action: FileAction::Deferred(DeferReason::TooYoung),
                });
                report.rescan_after = earliest(report.rescan_after, wait);
            } else {
                ready.push(name);
            }
        }
        state.seen.retain(|name, _| present.contains(name));
        state.warned.retain(|name| present.contains(name));
        ready.sort_by(|a, b| (a.modified, &a.name).cmp(&(b.modified, &b.name)));
        // Files ahead: the next LOAD_AHEAD files are read and parsed (on the blocking
        // pool, in parallel) while this one is recorded.
        let mut loading: VecDeque<_> = ready
            .iter()
            .take(LOAD_AHEAD)
            .map(|f| self.start_load(f, accounts))
            .collect();
        // The accepted file's ledger line and move (two fsyncs) run while the next file
        // is recorded; moves stay in order, one at a time.
        let mut moving: Option<(&ListedFile, tokio::task::JoinHandle<FileAction>)> = None;
        let mut fatal = false;
        for (index, file) in ready.iter().enumerate() {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let Some(next) = loading.pop_front() else {
                break;
            };
            let loaded = next.await.unwrap_or_else(|e| {
                Loaded::NotRead(FileAction::Failed(format!("reading task failed: {e}")))
            });
            if let Some(f) = ready.get(index + LOAD_AHEAD) {
                loading.push_back(self.start_load(f, accounts));
            }
            let recorded = self.record(file, loaded, recorder).await;
            if let Some((moved, task)) = moving.take() {
                finish(&mut state, &mut report, moved, moved_action(task).await);
            }
            match recorded {
                Ok(accept) => moving = Some((file, tokio::spawn(accept.run()))),
                Err(action) => {
                    fatal = matches!(action, FileAction::Fatal(_));
                    finish(&mut state, &mut report, file, action);
                }
            }
            if fatal {
                break;
            }
        }
        if let Some((moved, task)) = moving.take() {
            finish(&mut state, &mut report, moved, moved_action(task).await);
        }
        report
    }

    /// Starts reading and parsing `file` on the blocking pool; the result is awaited later,
    /// so the next file is read while the current one is recorded.
    fn start_load(
        &self,
        file: &ListedFile,
        accounts: &AccountBook,
    ) -> tokio::task::JoinHandle<Loaded> {
        let path = self.inbox().join(&file.name);
        let file = file.clone();
        let accounts = accounts.clone();
        let limits = self.settings.limits;
        tokio::task::spawn_blocking(move || load(&path, &file, &accounts, limits))
    }

    /// Records a loaded file, or rejects it (`Err`: what became of the file). A recorded
    /// file is not moved yet: the caller runs the returned [`Accept`].
    async fn record(
        &self,
        file: &ListedFile,
        loaded: Loaded,
        recorder: &impl Recorder,
    ) -> Result<Accept, FileAction> {
        let name = file.name.clone();
        let (incoming, report) = match loaded {
            Loaded::Read { incoming, report } => (incoming, report),
            Loaded::Refused {
                diagnostic,
                received_at,
            } => return Err(self.reject(file, None, received_at, vec![diagnostic]).await),
            Loaded::NotRead(action) => return Err(action),
        };
        let received_at = incoming.received_at;
        if !report.is_valid() {
            let diagnostics = report.diagnostics().into_iter().cloned().collect();
            return Err(self
                .reject(file, Some(&incoming), received_at, diagnostics)
                .await);
        }
        let instructions = report.records.len();
        let outcome = recorder.record(&incoming, &report).await;
        let action = match outcome {
            Ok(verdict) => {
                // The parsed file is dropped off this task (freeing it is not free).
                tokio::task::spawn_blocking(move || drop(report));
                return Ok(Accept {
                    inbox: self.inbox(),
                    processed: self.processed(),
                    incoming,
                    verdict,
                    instructions,
                });
            }
            Err(RecordError::Conflict { key, detail }) => {
                let record = report
                    .records
                    .iter()
                    .find(|r| r.key.as_deref() == Some(key.as_str()));
                let field = match record.and_then(|r| r.kind) {
                    Some(InstructionKind::MandateCancellation) => "mandate",
                    _ => "id",
                };
                let diagnostic = Diagnostic {
                    file: name.clone(),
                    location: record.map_or(Location::File, |r| r.location),
                    id: Some(key.clone()),
                    field: Some(field.to_owned()),
                    rule: "id.conflict".to_owned(),
                    expected: "the same content as the instruction already recorded with this id"
                        .to_owned(),
                    actual: detail,
                };
                self.reject(file, Some(&incoming), received_at, vec![diagnostic])
                    .await
            }
            Err(RecordError::Retryable(reason)) => {
                warn!(file = %name, reason = %reason, "Recording failed; the file stays in the inbox for the next scan.");
                FileAction::Retry(reason)
            }
            Err(RecordError::Fatal(reason)) => {
                error!(file = %name, reason = %reason, "Recording failed fatally; the file stays in the inbox.");
                FileAction::Fatal(reason)
            }
        };
        Err(action)
    }

    /// The report first (temporary name in `work/`, then rename), then the move.
    async fn reject(
        &self,
        file: &ListedFile,
        incoming: Option<&IncomingFile>,
        received_at: Timestamp,
        diagnostics: Vec<Diagnostic>,
    ) -> FileAction {
        let document = serde_json::json!({
            "file": file.name,
            "sha256": incoming.map(|i| &i.sha256),
            "size": file.size,
            "received_at": received_at,
            "diagnostics": diagnostics,
        });
        let result = blocking({
            let inbox = self.inbox();
            let rejected = self.rejected();
            let work = self.work();
            let name = file.name.clone();
            move || -> io::Result<String> {
                let stored_as = free_name(&rejected, &name, &[], ERRORS_SUFFIX)?;
                let mut text = serde_json::to_vec_pretty(&document).map_err(io::Error::other)?;
                text.push(b'\n');
                let temp = work.join(format!("{stored_as}{ERRORS_SUFFIX}.tmp"));
                let mut out = fs::File::create(&temp)?;
                out.write_all(&text)?;
                out.sync_all()?;
                fs::rename(&temp, rejected.join(format!("{stored_as}{ERRORS_SUFFIX}")))?;
                fs::rename(inbox.join(&name), rejected.join(&stored_as))?;
                sync_dir(&rejected)?;
                Ok(stored_as)
            }
        })
        .await;
        match result {
            Ok(stored_as) => {
                let first = diagnostics.first().map(ToString::to_string);
                warn!(file = %file.name, stored_as = %stored_as, diagnostics = diagnostics.len(),
                    first = first.as_deref().unwrap_or(""), "Rejected instruction file.");
                FileAction::Rejected {
                    stored_as,
                    diagnostics,
                }
            }
            Err(e) => {
                warn!(file = %file.name, error = %e, "Cannot move a rejected file aside; will retry.");
                FileAction::Failed(e.to_string())
            }
        }
    }
}

/// A recorded file's ledger line and move to `processed/`.
struct Accept {
    inbox: PathBuf,
    processed: PathBuf,
    incoming: IncomingFile,
    verdict: RecordVerdict,
    instructions: usize,
}

impl Accept {
    /// Ledger line first, then the move: a crash in between leaves the file in the inbox
    /// (it is recorded again as a duplicate), never a processed file without a ledger line.
    async fn run(self) -> FileAction {
        let Accept {
            inbox,
            processed,
            incoming,
            verdict,
            instructions,
        } = self;
        let result = blocking({
            let incoming = incoming.clone();
            move || -> io::Result<String> {
                let stored_as = free_name(&processed, &incoming.name, &[LEDGER], "")?;
                let mut line = serde_json::to_value(&incoming).map_err(io::Error::other)?;
                let extra = serde_json::json!({
                    "stored_as": stored_as,
                    "instructions": instructions,
                });
                let verdict = serde_json::to_value(verdict).map_err(io::Error::other)?;
                if let (Some(line), Some(extra), Some(verdict)) =
                    (line.as_object_mut(), extra.as_object(), verdict.as_object())
                {
                    line.extend(verdict.clone());
                    line.extend(extra.clone());
                }
                let mut text = serde_json::to_string(&line).map_err(io::Error::other)?;
                text.push('\n');
                let mut ledger = fs::OpenOptions::new()
                    .create(true)
                    .append(true)
                    .open(processed.join(LEDGER))?;
                ledger.write_all(text.as_bytes())?;
                ledger.sync_all()?;
                fs::rename(inbox.join(&incoming.name), processed.join(&stored_as))?;
                sync_dir(&processed)?;
                Ok(stored_as)
            }
        })
        .await;
        match result {
            Ok(stored_as) => {
                match verdict {
                    RecordVerdict::Recorded {
                        new,
                        already_recorded,
                    } => {
                        info!(file = %incoming.name, stored_as = %stored_as, sha256 = %incoming.sha256,
                        instructions, new, already_recorded, "Recorded instruction file.")
                    }
                    RecordVerdict::DuplicateFile => {
                        info!(file = %incoming.name, stored_as = %stored_as,
                        sha256 = %incoming.sha256, "Instruction file was already recorded; moved it to processed.")
                    }
                }
                FileAction::Processed {
                    stored_as,
                    verdict,
                    instructions,
                }
            }
            Err(e) => {
                warn!(file = %incoming.name, error = %e,
                    "Recorded the file but cannot move it to processed; the next scan will find it recorded.");
                FileAction::Failed(e.to_string())
            }
        }
    }
}

/// The outcome of a spawned [`Accept::run`].
async fn moved_action(task: tokio::task::JoinHandle<FileAction>) -> FileAction {
    task.await
        .unwrap_or_else(|e| FileAction::Failed(format!("moving task failed: {e}")))
}

/// Notes a file's outcome in the scan's report and state.
fn finish(state: &mut ScanState, report: &mut ScanReport, file: &ListedFile, action: FileAction) {
    if let FileAction::Processed { .. } | FileAction::Rejected { .. } = action {
        state.seen.remove(&file.name);
    }
    report.files.push(FileOutcome {
        name: file.name.clone(),
        action,
    });
}

/// A file of the inbox read and parsed (or refused before reading).
enum Loaded {
    /// Read whole; `report` tells whether it is valid.
    Read {
        incoming: IncomingFile,
        report: FileReport,
    },
    /// Refused without reading (its name or size): rejected with this diagnostic.
    Refused {
        diagnostic: Diagnostic,
        received_at: Timestamp,
    },
    /// Not read now (changing, gone, unreadable): what the scan reports.
    NotRead(FileAction),
}

/// Reads and parses one inbox file (blocking: runs on the blocking pool).
fn load(path: &Path, file: &ListedFile, accounts: &AccountBook, limits: Limits) -> Loaded {
    let name = &file.name;
    let received_at = Timestamp::now();
    let refused = |rule: &str, expected: String, actual: String| Loaded::Refused {
        diagnostic: Diagnostic::of_file(name, rule, expected, actual),
        received_at,
    };
    if Format::from_name(name).is_none() {
        return refused(
            "file.format",
            "a name ending in .json, .ndjson, .jsonl or .csv".to_owned(),
            name.clone(),
        );
    }
    if file.size > limits.max_file_bytes as u64 {
        return refused(
            "file.size",
            format!("at most {} bytes", limits.max_file_bytes),
            format!("{} bytes", file.size),
        );
    }
    let read = || -> io::Result<Vec<u8>> {
        let mut bytes = Vec::new();
        fs::File::open(path)?
            .take(limits.max_file_bytes as u64 + 1)
            .read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    let bytes = match read() {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            debug!(file = %name, "The file left the inbox before it was read.");
            return Loaded::NotRead(FileAction::Failed(format!("gone before reading: {e}")));
        }
        Err(e) => {
            warn!(file = %name, error = %e, "Cannot read an inbox file; will retry.");
            return Loaded::NotRead(FileAction::Failed(e.to_string()));
        }
    };
    if bytes.len() as u64 != file.size {
        debug!(file = %name, "Deferring a file whose size changed while reading.");
        return Loaded::NotRead(FileAction::Deferred(DeferReason::Changing));
    }
    let sha256 = format!("{:x}", Sha256::digest(&bytes));
    let mut report = read_file(name, &bytes, accounts, limits);
    if report.is_valid() {
        // Here, on the reading thread, rather than while the file is recorded.
        report.prepare_to_store();
    }
    Loaded::Read {
        incoming: IncomingFile {
            name: name.clone(),
            sha256,
            size: bytes.len() as u64,
            received_at,
        },
        report,
    }
}

const ERRORS_SUFFIX: &str = ".errors.json";
const MIN_RESCAN: Duration = Duration::from_millis(50);
/// Files read and parsed ahead of the one being recorded: each holds one parsed file in
/// memory (at most `max_file_bytes` of input), and two keep both cores busy.
const LOAD_AHEAD: usize = 2;

fn earliest(current: Option<Duration>, candidate: Duration) -> Option<Duration> {
    Some(current.map_or(candidate, |c| c.min(candidate)))
}

/// True for names writers use while writing: never read.
pub fn is_temporary_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    name.starts_with('.')
        || name.ends_with('~')
        || lower.ends_with(".tmp")
        || lower.ends_with(".part")
}

#[derive(Debug, Clone)]
struct ListedFile {
    name: String,
    size: u64,
    modified: Option<SystemTime>,
}

enum Listed {
    File(ListedFile),
    Skip { name: String, why: &'static str },
}

fn list_inbox(inbox: &Path) -> io::Result<Vec<Listed>> {
    let mut listed = Vec::new();
    for entry in fs::read_dir(inbox)? {
        let entry = entry?;
        let Ok(name) = entry.file_name().into_string() else {
            listed.push(Listed::Skip {
                name: entry.file_name().to_string_lossy().into_owned(),
                why: "the name is not UTF-8",
            });
            continue;
        };
        if is_temporary_name(&name) {
            continue;
        }
        let metadata = match entry.metadata() {
            Ok(metadata) => metadata,
            // Renamed or removed since the listing.
            Err(e) if e.kind() == io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e),
        };
        if !metadata.is_file() {
            listed.push(Listed::Skip {
                name,
                why: "not a regular file",
            });
            continue;
        }
        listed.push(Listed::File(ListedFile {
            name,
            size: metadata.len(),
            modified: metadata.modified().ok(),
        }));
    }
    Ok(listed)
}

/// A name in `dir` that neither exists nor is reserved, nor has `with_suffix` taken:
/// `name`, then `stem.1.ext`, `stem.2.ext`, ...
fn free_name(dir: &Path, name: &str, reserved: &[&str], with_suffix: &str) -> io::Result<String> {
    let (stem, ext) = match name.rfind('.') {
        Some(dot) if dot > 0 => (&name[..dot], &name[dot..]),
        _ => (name, ""),
    };
    for n in 0u64.. {
        let candidate = if n == 0 {
            name.to_owned()
        } else {
            format!("{stem}.{n}{ext}")
        };
        let taken = reserved.contains(&candidate.as_str())
            || dir.join(&candidate).symlink_metadata().is_ok()
            || (!with_suffix.is_empty()
                && dir
                    .join(format!("{candidate}{with_suffix}"))
                    .symlink_metadata()
                    .is_ok());
        if !taken {
            return Ok(candidate);
        }
    }
    Err(io::Error::other("no free name"))
}

fn sync_dir(dir: &Path) -> io::Result<()> {
    // Directories can be opened and synced on Unix; elsewhere this is best effort.
    match fs::File::open(dir).and_then(|d| d.sync_all()) {
        Ok(()) => Ok(()),
        Err(e) if cfg!(unix) => Err(e),
        Err(_) => Ok(()),
    }
}

async fn blocking<T: Send + 'static>(
    work: impl FnOnce() -> io::Result<T> + Send + 'static,
) -> io::Result<T> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(io::Error::other)?
}

/// Watches `inbox` and turns every event into a hint; a full channel drops the hint.
fn watch(
    inbox: &Path,
    hints: tokio::sync::mpsc::Sender<()>,
) -> notify::Result<notify::RecommendedWatcher> {
    use notify::Watcher;
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        match &event {
            Err(e) => {
                debug!(error = %e, "File-system watcher error; the periodic scan covers it.");
            }
            // Our own listing opens the directory (an access event): waking on those
            // would make every scan trigger the next one.
            Ok(e) if matches!(e.kind, notify::EventKind::Access(_)) => return,
            Ok(_) => {}
        }
        // Full: a scan is already due. Closed: the drop folder is stopping.
        let _ = hints.try_send(());
    })?;
    watcher.watch(inbox, notify::RecursiveMode::NonRecursive)?;
    Ok(watcher)
}
