//! One bank connection's loop. Each [`Worker::tick`] (driven by a clock the caller
//! supplies, so tests can move time) takes trigger requests, runs due windows, submits
//! waiting files, and polls the bank when the poll interval has passed. Transport
//! failures that may heal back off (exponential, jittered, capped); the others stop the
//! connection's submissions and polls with an alert until the configuration is reloaded
//! or the daemon restarted.

use std::sync::Arc;
use std::time::Duration;

use backon::{BackoffBuilder, ExponentialBuilder};
use jiff::{SignedDuration, Timestamp};
use tracing::{error, info, warn};

use super::EngineError;
use super::handoff::Handoff;
use super::schedule::{self, Window};
use super::window::{self, Context};
use crate::config::{Config, Connection, Submit};
use crate::domain::calendar::Calendars;
use crate::domain::event::{Actor, EventContext};
use crate::domain::scheme::Scheme;
use crate::store::Store;
use crate::store::archive::Archive;
use crate::transport::Transport;

/// The longest wait between retries after transport failures.
pub const MAX_BACKOFF: Duration = Duration::from_secs(300);

/// What one tick did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct TickReport {
    /// `MsgId`s of files built in this tick.
    pub built: Vec<String>,
    pub uploaded: usize,
    pub polled: bool,
    pub inbound_processed: usize,
}

/// One connection's state between ticks.
pub struct Worker<S, T> {
    store: S,
    transport: T,
    config: Arc<Config>,
    connection: Connection,
    archive: Archive,
    calendars: Calendars,
    /// Next window per schedule (parallel to `connection.schedules`).
    windows: Vec<Option<Window>>,
    next_poll: Timestamp,
    /// While set, no upload or poll before this instant.
    retry_at: Option<Timestamp>,
    backoff: Option<backon::ExponentialBackoff>,
    /// Set after a failure that retrying cannot heal.
    stopped: Option<String>,
    /// Instructions intake parsed, taken by the windows (see [`Handoff`]).
    handoff: Option<Handoff>,
    /// Whether the next window looks for claimed payments no file carries: at start
    /// (after a crash there may be some) and after a window failed.
    check_unfiled: bool,
}

impl<S: Store, T: Transport> Worker<S, T> {
    /// A worker for `config`'s connection `connection` (which must exist).
    pub fn new(
        store: S,
        transport: T,
        config: Arc<Config>,
        connection: Connection,
        archive: Archive,
        now: Timestamp,
    ) -> Self {
        let calendars = Calendars::standard();
        let windows: Vec<Option<Window>> = connection
            .schedules
            .iter()
            .map(|s| {
                let calendar = calendars.get(schedule::schedule_calendar(&s.schemes));
                schedule::next_window(&s.submit, calendar, now)
            })
            .collect();
        for (s, w) in connection.schedules.iter().zip(windows.iter()) {
            let w: &Option<Window> = w;
            if let Some(w) = w {
                info!(connection = %connection.id, schemes = ?s.schemes, opens = %w.opens, cut_off = %w.cut_off,
                    "Next window scheduled.");
            }
        }
        Self {
            store,
            transport,
            config,
            connection,
            archive,
            calendars,
            windows,
            next_poll: now,
            retry_at: None,
            backoff: None,
            stopped: None,
            handoff: None,
            check_unfiled: true,
        }
    }

    /// Takes the payments' instructions from `handoff` where intake left them there,
    /// instead of reading them again from the store.
    pub fn with_handoff(mut self, handoff: Handoff) -> Self {
        self.handoff = Some(handoff);
        self
    }

    pub fn connection(&self) -> &Connection {
        &self.connection
    }

    /// Why the connection stopped, if it did.
    pub fn stopped(&self) -> Option<&str> {
        self.stopped.as_deref()
    }

    /// Schemes sent as soon as they are approved: those without a schedule and those
    /// scheduled `submit = "immediately"`.
    fn immediate_schemes(&self) -> Vec<Scheme> {
        self.connection
            .schemes
            .iter()
            .copied()
            .filter(|s| {
                self.connection
                    .schedule(*s)
                    .is_none_or(|sch| sch.submit == Submit::Immediately)
            })
            .collect()
    }

    fn context(&self) -> Context<'_, S> {
        Context {
            store: &self.store,
            config: &self.config,
            connection: &self.connection,
            archive: &self.archive,
            calendars: &self.calendars,
            handoff: self.handoff.as_ref(),
            unfiled: self.check_unfiled,
        }
    }

    /// Runs a window; remembers to look for unfiled payments next time if it failed.
    async fn window(
        &mut self,
        schemes: &[Scheme],
        cut_off: &crate::domain::timing::CutOff,
        now: Timestamp,
    ) -> Result<window::WindowReport, EngineError> {
        let result = window::run(&self.context(), schemes, cut_off, now).await;
        self.check_unfiled = result.is_err();
        result
    }

    /// One round of work at `now`.
    pub async fn tick(&mut self, now: Timestamp) -> Result<TickReport, EngineError> {
        let mut report = TickReport::default();
        let id = self.connection.id.clone();
        // Windows: triggers first (all schemes, now), then due cut-offs, then immediate schemes.
        let ctx = EventContext::new(Actor::System, now);
        let triggers = self.store.take_triggers(&id, &ctx).await?;
        if triggers > 0 {
            info!(connection = %id, requests = triggers, "Trigger requested; running a window for every scheme now.");
            let schemes = self.connection.schemes.clone();
            let rule = self
                .windows
                .iter()
                .flatten()
                .next()
                .map(|w| w.rule.clone())
                .unwrap_or_else(schedule::immediate_cut_off);
            let r = self.window(&schemes, &rule, now).await?;
            report.built.extend(r.files);
        }
        for i in 0..self.windows.len() {
            let Some(w) = self.windows[i].clone() else {
                continue;
            };
            if w.opens > now {
                continue;
            }
            let schemes = self.connection.schedules[i].schemes.clone();
            info!(connection = %id, schemes = ?schemes, cut_off = %w.cut_off, "Window open; building files.");
            let r = self.window(&schemes, &w.rule, now).await?;
            report.built.extend(r.files);
            let calendar = self.calendars.get(schedule::schedule_calendar(&schemes));
            let after = if w.cut_off > now { w.cut_off } else { now };
            self.windows[i] =
                schedule::next_window(&self.connection.schedules[i].submit, calendar, after);
        }
        let immediate = self.immediate_schemes();
        if !immediate.is_empty() {
            let r = self
                .window(&immediate, &schedule::immediate_cut_off(), now)
                .await?;
            report.built.extend(r.files);
        }
        if self.stopped.is_some() || self.retry_at.is_some_and(|t| t > now) {
            return Ok(report);
        }
        match self.exchange(now, &mut report).await {
            Ok(()) => {
                self.retry_at = None;
                self.backoff = None;
                Ok(report)
            }
            Err(e) if e.retryable() => {
                let delay = self
                    .backoff
                    .get_or_insert_with(|| {
                        ExponentialBuilder::default()
                            .with_min_delay(Duration::from_secs(1))
                            .with_max_delay(MAX_BACKOFF)
                            .with_jitter()
                            .without_max_times()
                            .build()
                    })
                    .next()
                    .unwrap_or(MAX_BACKOFF);
                let until = now
                    .checked_add(
                        SignedDuration::try_from(delay).unwrap_or(SignedDuration::from_secs(300)),
                    )
                    .unwrap_or(now);
                warn!(connection = %id, error = %e, retry_in_ms = delay.as_millis() as u64,
                    "Bank exchange failed; backing off.");
                self.retry_at = Some(until);
                Ok(report)
            }
            Err(e) => {
                error!(connection = %id, error = %e,
                    "ALERT: connection stopped; no uploads or polls until the configuration is reloaded or bankgate restarted.");
                self.stopped = Some(e.to_string());
                Err(e)
            }
        }
    }

    async fn exchange(
        &mut self,
        now: Timestamp,
        report: &mut TickReport,
    ) -> Result<(), EngineError> {
        report.uploaded = super::upload::submit(
            &self.store,
            &self.transport,
            &self.archive,
            &self.connection.id,
        )
        .await?;
        if now >= self.next_poll {
            let polled = super::poll::poll(
                &self.store,
                &self.transport,
                &self.archive,
                &self.connection,
            )
            .await?;
            report.polled = true;
            report.inbound_processed = polled.processed + polled.quarantined;
            self.next_poll = now
                .checked_add(SignedDuration::from_secs(
                    self.connection.poll_seconds as i64,
                ))
                .unwrap_or(now);
        }
        Ok(())
    }

    /// Runs ticks every `every` until `shutdown` resolves. A tick in progress finishes
    /// first (its steps are each recorded before and after their side effect).
    pub async fn run(mut self, every: Duration, mut shutdown: tokio::sync::watch::Receiver<bool>) {
        let mut ticks = tokio::time::interval(every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                _ = ticks.tick() => {}
                _ = shutdown.changed() => {}
            }
            if *shutdown.borrow() {
                break;
            }
            if let Err(e) = self.tick(Timestamp::now()).await
                && e.retryable()
            {
                warn!(connection = %self.connection.id, error = %e, "Connection tick failed; trying again next tick.");
            }
        }
        info!(connection = %self.connection.id, "Connection worker stopped.");
    }
}
