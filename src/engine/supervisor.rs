//! Starts one [`Worker`] per configured connection and stops them on shutdown or
//! reload, bounded by a deadline: work still running then is abandoned at its last
//! recorded point (a file `UPLOADING` is checked on the server on the next start).

use std::sync::Arc;
use std::time::Duration;

use jiff::Timestamp;
use tokio::task::JoinHandle;
use tracing::{error, info, warn};

use super::handoff::Handoff;
use super::worker::Worker;
use crate::config::Config;
use crate::store::Store;
use crate::store::archive::Archive;
use crate::transport::{Link, Transport};

/// The running connection workers.
pub struct Supervisor {
    shutdown: tokio::sync::watch::Sender<bool>,
    tasks: Vec<(String, JoinHandle<()>)>,
}

impl Supervisor {
    /// Starts a worker for every connection of `config`. A connection whose transport
    /// cannot be built is logged and left out; the others run. The workers take parsed
    /// instructions from `handoff`, which intake must fill with the same `config`.
    pub fn start<S: Store + Clone + 'static>(
        store: &S,
        config: &Arc<Config>,
        archive: &Archive,
        handoff: &Handoff,
    ) -> Self {
        let (shutdown, receiver) = tokio::sync::watch::channel(false);
        let tick = Duration::from_millis(config.engine.tick_milliseconds);
        let mut tasks = Vec::new();
        for connection in &config.connections {
            let link = match Link::for_endpoint(&connection.endpoint) {
                Ok(link) => link,
                Err(e) => {
                    error!(connection = %connection.id, error = %e, "ALERT: connection not started.");
                    continue;
                }
            };
            info!(connection = %connection.id, transport = %link.describe(), schemes = connection.schemes.len(),
                "Connection worker starting.");
            let worker = Worker::new(
                store.clone(),
                link,
                Arc::clone(config),
                connection.clone(),
                archive.clone(),
                Timestamp::now(),
            )
            .with_handoff(handoff.clone());
            let task = tokio::spawn(worker.run(tick, receiver.clone()));
            tasks.push((connection.id.clone(), task));
        }
        Self { shutdown, tasks }
    }

    /// Asks every worker to stop after its current step and waits up to `deadline`;
    /// workers still busy then are abandoned. Returns whether all stopped in time.
    pub async fn stop(self, deadline: Duration) -> bool {
        let _ = self.shutdown.send(true);
        let until = tokio::time::Instant::now() + deadline;
        let mut clean = true;
        for (connection, mut task) in self.tasks {
            match tokio::time::timeout_at(until, &mut task).await {
                Ok(_) => {}
                Err(_) => {
                    warn!(connection = %connection, deadline_seconds = deadline.as_secs(),
                        "Connection worker did not finish in time; abandoning it at its last recorded step.");
                    task.abort();
                    clean = false;
                }
            }
        }
        clean
    }
}
