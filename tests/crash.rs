//! Crash test: the real daemon is killed with SIGKILL at random moments (and at the
//! engine's named crash points) while it records 5,000 instructions from ten files and
//! sends them through the local-directory transport. At the end every instruction is
//! recorded exactly once, every payment is in exactly one outbound file, every file
//! reached the bank, and no file name was written twice into the bank's directory.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::{EventKind, RecursiveMode, Watcher};

const FILES: usize = 10;
const PER_FILE: usize = 500;
const KILLS: usize = 24;

/// The fixture configuration with a fast drop folder and engine, every scheme sent as
/// soon as approved (no cut-off schedule), and the bank at `bank/`.
fn setup(dir: &Path) {
    let config = bankgate::cli::demo::config_text(100, None)
        .unwrap()
        .replace(
            "max_payments_per_file = 10000",
            "max_payments_per_file = 400",
        );
    assert!(config.contains("max_payments_per_file = 400"));
    assert!(config.contains("tick_milliseconds = 100"));
    std::fs::write(dir.join("bankgate.toml"), config).unwrap();
    std::fs::create_dir_all(dir.join("intake/inbox")).unwrap();
    std::fs::create_dir_all(dir.join("bank/inbox")).unwrap();
    std::fs::create_dir_all(dir.join("bank/outbox")).unwrap();
}

fn instruction_file(file: usize) -> String {
    (0..PER_FILE)
        .map(|n| {
            format!(
                r#"{{"type": "credit_transfer", "id": "crash-{file:02}-{n:04}", "source_account": "acme-eur", "scheme": "SEPA_INSTANT_CREDIT_TRANSFER", "amount": "{}.{:02}", "currency": "EUR", "counterparty": {{"name": "Supplier {n}", "account": {{"type": "IBAN", "number": "DE89370400440532013000"}}}}}}"#,
                1 + n % 97,
                n % 100
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn drop_file(dir: &Path, file: usize) {
    let name = format!("batch-{file:02}.ndjson");
    let temporary = dir.join("intake/inbox").join(format!(".{name}.tmp"));
    std::fs::write(&temporary, instruction_file(file)).unwrap();
    std::fs::rename(&temporary, dir.join("intake/inbox").join(name)).unwrap();
}

fn start(dir: &Path, crash_point: Option<&str>) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bankgate"));
    command
        .args(["run", "--config", "bankgate.toml", "--log-format", "json"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(point) = crash_point {
        command.env("BANKGATE_CRASH_POINT", point);
    }
    command.spawn().unwrap()
}

/// A small deterministic generator (xorshift) for kill delays: reproducible runs.
struct Delays(u64);

impl Delays {
    fn next_ms(&mut self, max: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        20 + self.0 % max
    }
}

#[test]
fn sigkill_at_random_moments_loses_and_duplicates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    setup(root);
    // Every final name that appears in the bank's directory, counted.
    let appeared: Arc<Mutex<BTreeMap<String, usize>>> = Arc::default();
    let seen = Arc::clone(&appeared);
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let Ok(event) = event else { return };
        let arrived = matches!(
            event.kind,
            EventKind::Create(_)
                | EventKind::Modify(notify::event::ModifyKind::Name(
                    notify::event::RenameMode::To
                ))
        );
        if !arrived {
            return;
        }
        for path in event.paths {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            if name.ends_with(".xml") {
                *seen.lock().unwrap().entry(name).or_default() += 1;
            }
        }
    })
    .unwrap();
    watcher
        .watch(&root.join("bank/inbox"), RecursiveMode::NonRecursive)
        .unwrap();

    let mut delays = Delays(0x9E37_79B9_7F4A_7C15);
    let crash_points = ["after_claim", "before_upload", "after_upload"];
    let mut dropped = 0;
    for kill in 0..KILLS {
        if dropped < FILES && kill % 2 == 0 {
            drop_file(root, dropped);
            dropped += 1;
        }
        // Every fourth run stops at a named crash point (the process aborts itself),
        // the others are SIGKILLed after a random delay.
        let point = (kill % 4 == 3).then(|| crash_points[(kill / 4) % crash_points.len()]);
        let mut child = start(root, point);
        let deadline = Duration::from_millis(delays.next_ms(900));
        let started = Instant::now();
        while started.elapsed() < deadline && child.try_wait().unwrap().is_none() {
            std::thread::sleep(Duration::from_millis(10));
        }
        let _ = child.kill(); // SIGKILL
        let _ = child.wait();
    }
    while dropped < FILES {
        drop_file(root, dropped);
        dropped += 1;
    }
    // A last, clean run until everything is sent.
    let mut child = start(root, None);
    let started = Instant::now();
    loop {
        let sent = common::bankgate_json(
            root,
            &[
                "payments",
                "--config",
                "bankgate.toml",
                "--json",
                "list",
                "--status",
                "SENT",
            ],
        );
        let files = common::bankgate_json(
            root,
            &["files", "--config", "bankgate.toml", "--json", "list"],
        );
        let all_uploaded = files
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["state"] == "UPLOADED");
        if sent.as_array().unwrap().len() == FILES * PER_FILE && all_uploaded {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(120),
            "not everything was sent: {} SENT",
            sent.as_array().unwrap().len()
        );
        std::thread::sleep(Duration::from_millis(300));
    }
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let status = child.wait().unwrap();
    assert!(status.success(), "clean run exited with {status}");
    std::thread::sleep(Duration::from_millis(200));
    drop(watcher);

    // Every instruction recorded exactly once.
    let payments = common::bankgate_json(
        root,
        &["payments", "--config", "bankgate.toml", "--json", "list"],
    );
    let payments = payments.as_array().unwrap();
    assert_eq!(payments.len(), FILES * PER_FILE);
    let ids: BTreeSet<&str> = payments.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(ids.len(), FILES * PER_FILE);
    // Every payment in exactly one outbound file; every file on the bank's side once.
    let files = common::bankgate_json(
        root,
        &["files", "--config", "bankgate.toml", "--json", "list"],
    );
    let files = files.as_array().unwrap();
    let mut carried = 0;
    let mut in_files: BTreeSet<String> = BTreeSet::new();
    for f in files {
        let id = f["message_id"].as_str().unwrap();
        let show = common::bankgate_json(
            root,
            &["files", "--config", "bankgate.toml", "--json", "show", id],
        );
        for p in show["file"]["payments"].as_array().unwrap() {
            carried += 1;
            assert!(
                in_files.insert(p["payment_id"].as_str().unwrap().to_owned()),
                "{p} twice"
            );
        }
    }
    assert_eq!(carried, FILES * PER_FILE);
    let on_server: BTreeSet<String> = std::fs::read_dir(root.join("bank/inbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    let recorded: BTreeSet<String> = files
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(on_server, recorded);
    let appeared = appeared.lock().unwrap();
    for name in &recorded {
        assert_eq!(
            appeared.get(name).copied(),
            Some(1),
            "{name} written {:?} times",
            appeared.get(name)
        );
    }
    // Each file is valid against its XSD.
    for name in on_server.iter().take(3) {
        let xml = std::fs::read(root.join("bank/inbox").join(name)).unwrap();
        common::xmllint(&xml, "pain.001.001.09").unwrap();
    }
}
