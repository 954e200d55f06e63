//! `bankgate bank-sim --dir DIR`: the simulated bank until SIGTERM/SIGINT. It serves
//! `DIR` over SFTP on a loopback port (in-process server, fresh or given host key) to one
//! user with the authorized public keys given, and answers the files uploaded to
//! `DIR/inbox/` in `DIR/outbox/`.

use std::path::PathBuf;
use std::time::Duration;

use anyhow::Context;

use crate::bank_sim::{self, Settings};
use crate::transport::sftp_server::{HostKey, ServerSettings, SftpServer};

pub struct Args {
    pub dir: PathBuf,
    pub seed: u64,
    pub user: String,
    /// OpenSSH public key files whose keys may log in; none: no SFTP server.
    pub authorized_keys: Vec<PathBuf>,
    pub host_key: Option<PathBuf>,
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    super::run::init_logging(super::run::LogFormat::Text);
    for sub in ["inbox", "outbox"] {
        std::fs::create_dir_all(args.dir.join(sub))
            .with_context(|| format!("cannot create {}", args.dir.join(sub).display()))?;
    }
    let mut keys = Vec::new();
    for path in &args.authorized_keys {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read the public key {}", path.display()))?;
        keys.extend(
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(str::to_owned),
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        let server = if keys.is_empty() {
            None
        } else {
            let mut settings = ServerSettings::new(&args.dir, &args.user);
            settings.authorized_keys = keys;
            if let Some(path) = &args.host_key {
                settings.host_key = HostKey::File(path.clone());
            }
            let server = SftpServer::start(settings)
                .await
                .context("cannot start the SFTP server")?;
            println!(
                "sftp://{}@127.0.0.1:{} host key {} (pin this fingerprint)",
                args.user,
                server.port(),
                server.host_key_fingerprint()
            );
            Some(server)
        };
        let settings = Settings {
            seed: args.seed,
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
        let result = bank_sim::run(args.dir, settings, Duration::from_secs(1), stop).await;
        if let Some(server) = server {
            server.stop().await;
        }
        result.context("the simulated bank stopped")?;
        Ok(0)
    })
}
