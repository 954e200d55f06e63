//! `bankgate run`: the daemon. The drop folder feeds the embedded store; one worker per
//! bank connection turns approved payments into files at its windows, uploads them,
//! and polls and reconciles the bank's files.

use std::path::Path;
use std::time::Duration;

use anyhow::Context;
use tracing::info;

use crate::domain::event::{Actor, EventContext};
use crate::engine::handoff::Handoff;
use crate::engine::intake::StoreRecorder;
use crate::engine::supervisor::Supervisor;
use crate::intake::folder::{DropFolder, FolderSettings};
use crate::intake::{AccountBook, Limits};
use crate::store::SqliteStore;
use crate::store::Store as _;
use crate::store::archive::Archive;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line per event: a sentence followed by key=value fields.
    Text,
    /// One JSON object per event.
    Json,
}

/// Logs to stderr as text or JSON; under systemd (its `JOURNAL_STREAM` is set and the
/// format is text) straight to journald, with the fields as journal fields.
pub fn init_logging(format: LogFormat) {
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;
    let filter = || {
        tracing_subscriber::EnvFilter::try_from_default_env()
            .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"))
    };
    if format == LogFormat::Text
        && std::env::var_os("JOURNAL_STREAM").is_some()
        && let Ok(journald) = tracing_journald::layer()
    {
        let _ = tracing_subscriber::registry()
            .with(filter())
            .with(journald.with_syslog_identifier("bankgate".to_owned()))
            .try_init();
        return;
    }
    let filter = filter();
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_target(false)
        .with_writer(std::io::stderr);
    let _ = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

pub fn run(config_path: &Path, log_format: LogFormat) -> anyhow::Result<u8> {
    let mut config = match super::load_config(config_path) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
    init_logging(log_format);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = SqliteStore::open(&config.store.path)
            .await
            .with_context(|| format!("cannot open the store {}", config.store.path.display()))?;
        let archive = Archive::open(&config.store.archive_dir).with_context(|| {
            format!(
                "cannot open the archive {}",
                config.store.archive_dir.display()
            )
        })?;
        if config.connections.is_empty() {
            tracing::warn!("No [[connections]] configured: payments are recorded and approved but not sent.");
        }
        // Parsed instructions from intake to the windows; a new one with every new
        // configuration, so what is handed over was read with the windows' configuration.
        let mut handoff = Handoff::new();
        let mut workers = Supervisor::start(
            &store,
            &std::sync::Arc::new(config.clone()),
            &archive,
            &handoff,
        );
        let settings = FolderSettings {
            limits: Limits {
                max_file_bytes: usize::try_from(config.intake.max_file_bytes).unwrap_or(usize::MAX),
                max_instructions: usize::try_from(config.intake.max_instructions)
                    .unwrap_or(usize::MAX),
            },
            settle: Duration::from_secs(config.intake.settle_seconds),
            rescan: Duration::from_secs(config.intake.rescan_seconds),
            watch: config.intake.watch,
            ..FolderSettings::default()
        };
        let folder = DropFolder::open(&config.intake.dir, settings).with_context(|| {
            format!(
                "cannot open the drop folder {}",
                config.intake.dir.display()
            )
        })?;
        info!(
            config = %config_path.display(),
            store = %config.store.path.display(),
            inbox = %folder.inbox().display(),
            "bankgate started."
        );
        notify(&[
            sd_notify::NotifyState::Ready,
            sd_notify::NotifyState::Status("watching the drop folder"),
        ]);
        let watchdog = sd_notify::watchdog_enabled().map(|interval| {
            // A healthy loop finishes a scan at least every rescan interval.
            let max_age = Duration::from_secs(config.intake.rescan_seconds * 3).max(interval);
            tokio::spawn(feed_watchdog(folder.heartbeat(), interval / 2, max_age))
        });
        let (signals_tx, mut signals) = tokio::sync::mpsc::channel(4);
        tokio::spawn(watch_signals(signals_tx));
        let result = loop {
            let accounts = AccountBook::from_config(&config);
            let recorder = StoreRecorder::new(&store, &config).with_handoff(handoff.clone());
            let mut received = None;
            // The folder finishes the file in hand before it returns: nothing is dropped.
            let result = folder
                .run(&accounts, &recorder, async {
                    received = signals.recv().await;
                })
                .await;
            if result.is_err() || received != Some(Signal::Reload) {
                break result;
            }
            notify(&[sd_notify::NotifyState::Reloading]);
            let before = config.clone();
            config = reload(config_path, config);
            if config != before {
                let ctx = EventContext::new(Actor::System, jiff::Timestamp::now());
                let note = format!(
                    "{}: {} account(s), {} profile(s), {} connection(s)",
                    config_path.display(),
                    config.accounts.len(),
                    config.profiles.len(),
                    config.connections.len()
                );
                if let Err(e) = store.record_system_event("CONFIG_RELOADED", &note, &ctx).await {
                    tracing::warn!(error = %e, "Cannot record the configuration reload in the audit trail.");
                }
                // Workers hold the configuration: restart them with the new one.
                let deadline = Duration::from_secs(before.engine.shutdown_seconds);
                workers.stop(deadline).await;
                handoff = Handoff::new();
                workers = Supervisor::start(
                    &store,
                    &std::sync::Arc::new(config.clone()),
                    &archive,
                    &handoff,
                );
            }
            notify(&[sd_notify::NotifyState::Ready]);
        };
        notify(&[sd_notify::NotifyState::Stopping]);
        let deadline = Duration::from_secs(config.engine.shutdown_seconds);
        if !workers.stop(deadline).await {
            tracing::warn!("Some work was abandoned at the shutdown deadline; it resumes from its recorded state on the next start.");
        }
        if let Some(task) = watchdog {
            task.abort();
        }
        store.close().await;
        match result {
            Ok(()) => {
                info!("bankgate stopped.");
                Ok(0)
            }
            Err(e) => Err(anyhow::anyhow!(e).context("the drop folder stopped")),
        }
    })
}

/// Tells systemd (when run with `Type=notify`; a no-op otherwise).
fn notify(states: &[sd_notify::NotifyState<'_>]) {
    if let Err(e) = sd_notify::notify(states) {
        tracing::warn!(error = %e, "Cannot notify systemd.");
    }
}

/// Feeds the systemd watchdog every `every`, but only while the drop folder's last scan
/// is younger than `max_age`: a hung loop starves the watchdog and systemd restarts us.
async fn feed_watchdog(
    heartbeat: tokio::sync::watch::Receiver<std::time::Instant>,
    every: Duration,
    max_age: Duration,
) {
    let mut ticks = tokio::time::interval(every.max(Duration::from_millis(100)));
    loop {
        ticks.tick().await;
        let age = heartbeat.borrow().elapsed();
        if age <= max_age {
            notify(&[sd_notify::NotifyState::Watchdog]);
        } else {
            tracing::warn!(
                last_scan_seconds_ago = age.as_secs(),
                "Not feeding the watchdog: the drop folder has not finished a scan."
            );
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Signal {
    Stop,
    Reload,
}

/// SIGTERM and SIGINT stop, SIGHUP reloads the configuration.
async fn watch_signals(tx: tokio::sync::mpsc::Sender<Signal>) {
    use tokio::signal::unix::{SignalKind, signal};
    let (Ok(mut term), Ok(mut hup)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::hangup()),
    ) else {
        tracing::error!("Cannot install signal handlers; stop bankgate with SIGKILL.");
        return;
    };
    loop {
        let signal = tokio::select! {
            _ = term.recv() => { info!(signal = "SIGTERM", "Shutting down."); Signal::Stop }
            _ = tokio::signal::ctrl_c() => { info!(signal = "SIGINT", "Shutting down."); Signal::Stop }
            _ = hup.recv() => { info!(signal = "SIGHUP", "Reloading the configuration."); Signal::Reload }
        };
        if tx.send(signal).await.is_err() || signal == Signal::Stop {
            return;
        }
    }
}

/// Reads the configuration again. Accounts, approval and bank profiles take effect at
/// once; the store and drop-folder settings need a restart. An invalid file is refused
/// and the running configuration kept.
fn reload(path: &Path, running: crate::config::Config) -> crate::config::Config {
    match crate::config::load(path) {
        Ok(mut new) => {
            if new.store != running.store
                || new.intake != running.intake
                || new.engine != running.engine
            {
                tracing::warn!(
                    "The [store], [intake] and [engine] settings take effect after a restart; keeping the running ones."
                );
                new.store = running.store;
                new.intake = running.intake;
                new.engine = running.engine;
            }
            info!(
                accounts = new.accounts.len(),
                profiles = new.profiles.len(),
                connections = new.connections.len(),
                "Configuration reloaded."
            );
            new
        }
        Err(e) => {
            let problems = match &e {
                crate::config::ConfigError::Invalid { problems, .. } => problems.len(),
                crate::config::ConfigError::Read { .. } => 1,
            };
            tracing::error!(error = %e, problems, "Configuration reload refused; keeping the running configuration.");
            running
        }
    }
}
