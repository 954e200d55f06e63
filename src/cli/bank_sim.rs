//! `bankgate bank-sim --dir DIR`: the simulated bank on a directory until SIGTERM/SIGINT.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::bank_sim::{self, Settings};

pub fn run(dir: PathBuf, seed: u64) -> anyhow::Result<u8> {
    super::run::init_logging(super::run::LogFormat::Text);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let settings = Settings {
            seed,
            ..Settings::default()
        };
        let stop = async {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::terminate()) {
                Ok(mut term) => {
                    tokio::select! {
                        _ = term.recv() => {}
                        _ = tokio::signal::ctrl_c() => {}
                    }
                }
                Err(_) => {
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        };
        bank_sim::run(dir, settings, Duration::from_secs(1), stop)
            .await
            .context("the simulated bank stopped")?;
        Ok(0)
    })
}
