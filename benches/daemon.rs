//! The daemon end to end: 100,000 instructions in 100 files dropped into the inbox of
//! a freshly started `bankgate run` (release build, embedded store, local-directory
//! transport), until every payment is in an uploaded file. Reports instructions per
//! second, the daemon's peak RSS, and its idle RSS once the work is done.
//!
//! Run with `cargo bench --bench daemon` (optionally `BANKGATE_BENCH_FILES` and
//! `BANKGATE_BENCH_PER_FILE`). With `BANKGATE_BENCH_TRANSPORT=sftp` the bank is a real
//! OpenSSH sshd on loopback (the test harness), reached over SFTP with a pinned host key.
//! Results: docs/BENCHMARKS.md.

#[path = "../tests/common/sshd.rs"]
mod sshd;

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn env_or(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn setup(dir: &Path, sftp: Option<&sshd::Sshd>) {
    let key = sftp.map(|s| s.client_key.display().to_string());
    let target = sftp.map(|s| bankgate::cli::demo::SftpTarget {
        port: s.port,
        user: &s.user,
        private_key_file: key.as_deref().unwrap_or_default(),
        fingerprint: &s.host_fingerprint,
        outbound_dir: "inbox",
        inbound_dir: "outbox",
    });
    let config = bankgate::cli::demo::config_text(200, target.as_ref()).unwrap();
    std::fs::write(dir.join("bankgate.toml"), config).unwrap();
    std::fs::create_dir_all(dir.join("intake/inbox")).unwrap();
}

fn instruction_file(file: usize, per_file: usize) -> String {
    (0..per_file)
        .map(|n| {
            format!(
                r#"{{"type": "credit_transfer", "id": "bench-{file:03}-{n:05}", "source_account": "acme-eur", "scheme": "SEPA_INSTANT_CREDIT_TRANSFER", "amount": "{}.{:02}", "currency": "EUR", "reference": "Invoice {n}", "counterparty": {{"name": "Supplier {n}", "account": {{"type": "IBAN", "number": "DE89370400440532013000"}}}}}}"#,
                1 + n % 997,
                n % 100
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn status_kib(pid: u32, field: &str) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// User and system CPU seconds the process has used (`/proc/<pid>/stat`, clock ticks).
fn cpu_seconds(pid: u32) -> (f64, f64) {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which may hold spaces) start after the last ')'.
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let tick = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
            / 100.0
    };
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the ')'.
    (tick(11), tick(12))
}

/// Payments carried by files recorded `UPLOADED`, read straight from the daemon's SQLite
/// store (read-only, one indexed count per file): cheap enough to ask every 100 ms
/// without taking CPU from the daemon, unlike `bankgate files --json list`, which loads
/// every file's payment list.
struct Progress {
    runtime: tokio::runtime::Runtime,
    pool: sqlx::SqlitePool,
}

impl Progress {
    fn open(dir: &Path) -> Self {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(dir.join("bankgate.db"))
            .read_only(true);
        let pool = runtime
            .block_on(
                sqlx::sqlite::SqlitePoolOptions::new()
                    .max_connections(1)
                    .connect_with(options),
            )
            .unwrap();
        Self { runtime, pool }
    }

    fn uploaded_payments(&self) -> usize {
        let count: i64 = self
            .runtime
            .block_on(
                sqlx::query_scalar(
                    "SELECT coalesce(sum((SELECT count(*) FROM outbound_file_payments p
                                          WHERE p.message_id = o.message_id)), 0)
                     FROM outbound_files o WHERE o.state = 'UPLOADED'",
                )
                .fetch_one(&self.pool),
            )
            .unwrap_or(0);
        usize::try_from(count).unwrap_or(0)
    }
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let files = env_or("BANKGATE_BENCH_FILES", 100);
    let per_file = env_or("BANKGATE_BENCH_PER_FILE", 1000);
    let total = files * per_file;
    let sftp = std::env::var("BANKGATE_BENCH_TRANSPORT").is_ok_and(|t| t == "sftp");
    let server = sftp.then(sshd::Sshd::start);
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    setup(root, server.as_ref());
    // BANKGATE_BENCH_LOG=PATH keeps the daemon's info log (timestamps show where time goes).
    let log = std::env::var_os("BANKGATE_BENCH_LOG");
    let stderr = match &log {
        Some(path) => Stdio::from(std::fs::File::create(path).unwrap()),
        None => Stdio::null(),
    };
    let mut child = Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .args(["run", "--config", "bankgate.toml"])
        .current_dir(root)
        .env(
            "RUST_LOG",
            match (&log, std::env::var("BANKGATE_BENCH_RUST_LOG")) {
                (Some(_), Ok(filter)) => filter,
                (Some(_), Err(_)) => "info".to_owned(),
                (None, _) => "warn".to_owned(),
            },
        )
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let pid = child.id();
    let idle_start_kib = status_kib(pid, "VmRSS:");
    // Prepare the files outside the inbox, then rename them in all at once.
    std::fs::create_dir_all(root.join("staging")).unwrap();
    for f in 0..files {
        std::fs::write(
            root.join("staging").join(format!("batch-{f:03}.ndjson")),
            instruction_file(f, per_file),
        )
        .unwrap();
    }
    let cpu_before = cpu_seconds(pid);
    let started = Instant::now();
    for f in 0..files {
        let name = format!("batch-{f:03}.ndjson");
        std::fs::rename(
            root.join("staging").join(&name),
            root.join("intake/inbox").join(&name),
        )
        .unwrap();
    }
    let progress = Progress::open(root);
    loop {
        let done = progress.uploaded_payments();
        if done >= total {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(900),
            "only {done} of {total} after 15 minutes"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let elapsed = started.elapsed();
    let cpu_after = cpu_seconds(pid);
    let peak_kib = status_kib(pid, "VmHWM:");
    std::thread::sleep(Duration::from_secs(5));
    let idle_after_kib = status_kib(pid, "VmRSS:");
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = child.wait();
    println!(
        "daemon ({}): {total} instructions in {files} files -> uploaded files in {:.2} s = {:.0} instructions/s",
        if sftp {
            "SFTP to OpenSSH sshd"
        } else {
            "local directory"
        },
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    let (user, system) = (cpu_after.0 - cpu_before.0, cpu_after.1 - cpu_before.1);
    println!(
        "daemon CPU: {user:.2} s user + {system:.2} s system = {:.0} us per instruction",
        (user + system) * 1e6 / total as f64
    );
    println!(
        "daemon RSS: idle at start {:.1} MiB, peak {:.1} MiB, idle after the work {:.1} MiB",
        idle_start_kib as f64 / 1024.0,
        peak_kib as f64 / 1024.0,
        idle_after_kib as f64 / 1024.0
    );
}
