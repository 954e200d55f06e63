//! `bankgate demo`: the whole loop on one machine. A simulated bank ([`crate::bank_sim`])
//! answers on its side of a connection; the real daemon (`bankgate run`, a child
//! process, embedded store) takes the sample instruction files from its drop folder,
//! sends the files, polls the answers and reconciles them. Progress is printed until
//! every payment and mandate reaches a final or expected status, then a summary. The
//! data directory is left for inspection with the operator commands.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::bank_sim::{self, Settings, StatementSchedule};
use crate::domain::mandate::MandateStatus;
use crate::domain::payment::PaymentStatus;
use crate::store::{MandateFilter, OutboundFilter, PaymentFilter, SqliteStore, Store};
use crate::transport::sftp_server::{ServerSettings, SftpServer};

/// Exit code when the demo did not finish in time (EX_TEMPFAIL).
const EXIT_TIMEOUT: u8 = 75;

/// The sample files the demo drops, as shipped in `fixtures/instructions/`.
const SAMPLES: &[(&str, &str)] = &[
    (
        "payments.json",
        include_str!("../../fixtures/instructions/payments.json"),
    ),
    (
        "payments.csv",
        include_str!("../../fixtures/instructions/payments.csv"),
    ),
    (
        "collections.ndjson",
        include_str!("../../fixtures/instructions/collections.ndjson"),
    ),
    (
        "demo-batch.ndjson",
        include_str!("../../fixtures/instructions/demo-batch.ndjson"),
    ),
];

const FIXTURE_CONFIG: &str = include_str!("../../fixtures/bankgate.toml");

pub struct Args {
    pub dir: Option<PathBuf>,
    /// Reach the bank through a local directory pair instead of SFTP.
    pub local: bool,
    pub seed: u64,
    pub timeout: Duration,
}

/// Payment statuses the demo waits for (nothing more will happen to them).
fn payment_settled(s: PaymentStatus) -> bool {
    matches!(
        s,
        PaymentStatus::Reconciled
            | PaymentStatus::Failed
            | PaymentStatus::Returned
            | PaymentStatus::Rejected
    )
}

fn mandate_settled(s: MandateStatus) -> bool {
    matches!(
        s,
        MandateStatus::Active | MandateStatus::Failed | MandateStatus::Cancelled
    )
}

pub fn run(args: Args) -> anyhow::Result<u8> {
    let dir = match args.dir {
        Some(dir) => dir,
        None => std::env::temp_dir().join(format!(
            "bankgate-demo-{}",
            jiff::Timestamp::now().strftime("%Y%m%dT%H%M%S")
        )),
    };
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let dir = dir.canonicalize()?;
    if dir.join("bankgate.db").exists() {
        anyhow::bail!(
            "{} already holds a demo; give another --dir or remove it",
            dir.display()
        );
    }
    println!("bankgate demo in {}", dir.display());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async move {
        // The bank's side: its directory, served over SFTP on a loopback port with a
        // fresh host key that the configuration pins (or, with --local, shared directly).
        for sub in ["bank/inbox", "bank/outbox", "intake/inbox", "keys"] {
            std::fs::create_dir_all(dir.join(sub))?;
        }
        let server = if args.local {
            std::fs::write(dir.join("bankgate.toml"), config_text(250, None)?)?;
            None
        } else {
            let public = crate::transport::keys::write_ed25519_key(&dir.join("keys/acme_ed25519"))?;
            let mut settings = ServerSettings::new(dir.join("bank"), "acme");
            settings.authorized_keys = vec![public];
            let server = SftpServer::start(settings)
                .await
                .context("cannot start the simulated bank's SFTP server")?;
            println!(
                "simulated bank's SFTP server: sftp://acme@127.0.0.1:{} (host key {})",
                server.port(),
                server.host_key_fingerprint()
            );
            let target = SftpTarget {
                port: server.port(),
                user: "acme",
                private_key_file: "keys/acme_ed25519",
                fingerprint: server.host_key_fingerprint(),
                outbound_dir: "/inbox",
                inbound_dir: "/outbox",
            };
            std::fs::write(dir.join("bankgate.toml"), config_text(250, Some(&target))?)?;
            Some(server)
        };
        let settings = bank_settings(args.seed);
        let (stop_bank, bank_stopped) = tokio::sync::oneshot::channel::<()>();
        let bank = tokio::spawn(bank_sim::run(
            dir.join("bank"),
            settings,
            Duration::from_millis(300),
            async {
                let _ = bank_stopped.await;
            },
        ));
        println!(
            "simulated bank: {} (seed {}, inbox/ receives our files, outbox/ holds its answers)",
            dir.join("bank").display(),
            args.seed
        );
        let mut daemon = start_daemon(&dir)?;
        println!(
            "daemon: bankgate run --config {} (log: {})",
            dir.join("bankgate.toml").display(),
            dir.join("bankgate.log").display()
        );
        drop_samples(&dir)?;
        println!("dropped {} instruction files into intake/inbox/", SAMPLES.len());
        let outcome = watch(&dir, args.timeout, &mut daemon).await;
        stop_daemon(&mut daemon);
        let _ = stop_bank.send(());
        let _ = bank.await;
        if let Some(server) = server {
            server.stop().await;
        }
        match outcome {
            Ok(summary) => {
                println!("{summary}");
                println!("data directory kept: {}", dir.display());
                println!(
                    "try: bankgate payments --config {} list   (also: events, files, statements, connections)",
                    dir.join("bankgate.toml").display()
                );
                Ok(0)
            }
            Err(e) => {
                eprintln!("demo did not finish: {e:#}");
                eprintln!("data directory kept: {}", dir.display());
                Ok(EXIT_TIMEOUT)
            }
        }
    })
}

/// An SFTP server to reach instead of the fixture's local directory pair.
pub struct SftpTarget<'a> {
    pub port: u16,
    pub user: &'a str,
    pub private_key_file: &'a str,
    pub fingerprint: &'a str,
    pub outbound_dir: &'a str,
    pub inbound_dir: &'a str,
}

/// The example configuration (`fixtures/bankgate.toml`) made for a run on one machine:
/// no cut-off schedules (every scheme goes at once), a drop folder without settle time,
/// polls every second, workers ticking every `tick_milliseconds`; and the bank over SFTP
/// on `127.0.0.1` with its host key pinned, or, without `sftp`, the local directory pair
/// under `bank/`. The demo, the daemon tests and the daemon benchmark use it.
pub fn config_text(
    tick_milliseconds: u64,
    sftp: Option<&SftpTarget<'_>>,
) -> anyhow::Result<String> {
    let layout = || anyhow::anyhow!("the layout of fixtures/bankgate.toml changed");
    let start = FIXTURE_CONFIG
        .find("[[connections.schedules]]")
        .ok_or_else(layout)?;
    let end = FIXTURE_CONFIG
        .find("# How the bank is reached")
        .ok_or_else(layout)?;
    let mut config = format!("{}{}", &FIXTURE_CONFIG[..start], &FIXTURE_CONFIG[end..])
        .replace("poll_seconds = 60 ", "poll_seconds = 1 ")
        .replace("settle_seconds = 2 ", "settle_seconds = 0 ")
        .replace("rescan_seconds = 5 ", "rescan_seconds = 1 ")
        .replace(
            "tick_milliseconds = 1000",
            &format!("tick_milliseconds = {tick_milliseconds}"),
        );
    if let Some(t) = sftp {
        let local_start = config.find("\n[connections.local]").ok_or_else(layout)? + 1;
        let local_end = config
            .find("# An SFTP host-to-host link instead")
            .ok_or_else(layout)?;
        let endpoint = format!(
            "[connections.sftp]\n\
             host = \"127.0.0.1\"\n\
             port = {}\n\
             user = \"{}\"\n\
             private_key_file = \"{}\"\n\
             host_key_fingerprints = [\"{}\"]\n\
             outbound_dir = \"{}\"\n\
             inbound_dir = \"{}\"\n\
             connect_timeout_seconds = 5\n\
             io_timeout_seconds = 10\n\n",
            t.port, t.user, t.private_key_file, t.fingerprint, t.outbound_dir, t.inbound_dir
        );
        config.replace_range(local_start..local_end, &endpoint);
    }
    Ok(config)
}

/// A bank that answers within seconds, with some rejections and returns.
fn bank_settings(seed: u64) -> Settings {
    Settings {
        seed,
        reject_ac01: 100,
        reject_am04: 40,
        reject_md01: 80,
        return_ac04: 100,
        return_md06: 120,
        batch_booking: 300,
        ack_after: Duration::from_millis(500),
        status_after: Duration::from_secs(1),
        book_after: Duration::from_secs(2),
        return_after: Duration::from_secs(3),
        statement: StatementSchedule::After(Duration::from_secs(4)),
        ..Settings::default()
    }
}

fn start_daemon(dir: &Path) -> anyhow::Result<Child> {
    let log = std::fs::File::create(dir.join("bankgate.log"))?;
    let exe = std::env::current_exe().context("cannot find the bankgate executable")?;
    Command::new(exe)
        .args(["run", "--config"])
        .arg(dir.join("bankgate.toml"))
        .current_dir(dir)
        .env_remove("BANKGATE_CRASH_POINT")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .context("cannot start the daemon")
}

fn stop_daemon(daemon: &mut Child) {
    if let Ok(Some(_)) = daemon.try_wait() {
        return;
    }
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .stderr(Stdio::null())
        .status();
    let deadline = Instant::now() + Duration::from_secs(15);
    while Instant::now() < deadline {
        if let Ok(Some(_)) = daemon.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = daemon.kill();
    let _ = daemon.wait();
}

/// Drops the samples as writers must: a temporary name, then a rename.
fn drop_samples(dir: &Path) -> anyhow::Result<()> {
    let inbox = dir.join("intake/inbox");
    for (name, content) in SAMPLES {
        let temporary = inbox.join(format!(".{name}.tmp"));
        std::fs::write(&temporary, content)?;
        std::fs::rename(&temporary, inbox.join(name))?;
    }
    Ok(())
}

fn counts<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeMap<T, usize> {
    let mut map = BTreeMap::new();
    for item in items {
        *map.entry(item).or_insert(0) += 1;
    }
    map
}

fn line<T: std::fmt::Display>(counts: &BTreeMap<T, usize>) -> String {
    counts
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Prints progress until everything settled; returns the summary table.
async fn watch(dir: &Path, timeout: Duration, daemon: &mut Child) -> anyhow::Result<String> {
    let started = Instant::now();
    let db = dir.join("bankgate.db");
    let mut store: Option<SqliteStore> = None;
    let mut last = String::new();
    loop {
        tokio::time::sleep(Duration::from_millis(500)).await;
        if let Ok(Some(status)) = daemon.try_wait() {
            anyhow::bail!("the daemon exited with {status}; see bankgate.log");
        }
        anyhow::ensure!(
            started.elapsed() < timeout,
            "not settled after {} s: {last}",
            timeout.as_secs()
        );
        if store.is_none() && db.exists() {
            store = SqliteStore::open(&db).await.ok();
        }
        let Some(store) = &store else { continue };
        let (Ok(payments), Ok(mandates)) = (
            store.payments(&PaymentFilter::default()).await,
            store.mandates(&MandateFilter::default()).await,
        ) else {
            continue;
        };
        let by_status = counts(payments.iter().map(|p| p.status.as_str()));
        let mandate_status = counts(mandates.iter().map(|m| m.status.as_str()));
        let now = format!(
            "payments: {} | mandates: {}",
            line(&by_status),
            line(&mandate_status)
        );
        if now != last {
            println!("[{:>5.1}s] {now}", started.elapsed().as_secs_f64());
            last = now;
        }
        // Every sample file taken from the inbox (recorded or rejected), then nothing moving.
        let inbox_empty = SAMPLES
            .iter()
            .all(|(name, _)| !dir.join("intake/inbox").join(name).exists());
        let settled = inbox_empty
            && !payments.is_empty()
            && payments.iter().all(|p| payment_settled(p.status))
            && mandates.iter().all(|m| mandate_settled(m.status));
        if settled {
            let files = store.outbound_files(&OutboundFilter::default()).await?;
            return Ok(summary(
                &payments,
                &mandates,
                files.len(),
                started.elapsed(),
            ));
        }
    }
}

fn summary(
    payments: &[crate::store::PaymentRow],
    mandates: &[crate::store::MandateRow],
    files: usize,
    elapsed: Duration,
) -> String {
    let mut out = format!(
        "\nsettled in {:.1} s: {} payments in {files} outbound files, {} mandates\n\n",
        elapsed.as_secs_f64(),
        payments.len(),
        mandates.len()
    );
    out.push_str(&format!(
        "{:<20} {:<30} {:>12} {:<4} {}\n",
        "PAYMENT", "SCHEME", "AMOUNT", "CCY", "STATUS"
    ));
    for p in payments {
        out.push_str(&format!(
            "{:<20} {:<30} {:>12} {:<4} {}\n",
            p.id,
            p.scheme.as_str(),
            p.amount.to_decimal_string(),
            p.amount.currency().code(),
            p.status.as_str()
        ));
    }
    out.push_str(&format!(
        "\n{:<20} {:<30} {}\n",
        "MANDATE", "SCHEME", "STATUS"
    ));
    for m in mandates {
        out.push_str(&format!(
            "{:<20} {:<30} {}\n",
            m.id,
            m.scheme.as_str(),
            m.status.as_str()
        ));
    }
    let totals = counts(payments.iter().map(|p| p.status.as_str()));
    out.push_str(&format!("\ntotals: {}\n", line(&totals)));
    out
}
