//! The real daemon against a real OpenSSH sshd on loopback: instruction files become
//! pain.001/pain.008 on the server (valid against the XSD), the simulated bank answers in
//! the server's outbound directory, and statuses follow; and the faults: a wrong host key
//! uploads nothing and stops the connection, refused authentication is tried once (no
//! retry storm), a crash between the rename and recording UPLOADED does not upload again,
//! and a bank file left on the server is processed once across restarts.

mod common;

use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use bankgate::bank_sim::{BankSim, Settings, StatementSchedule};
use common::sshd::Sshd;

/// The fixture configuration without cut-off schedules (everything goes at once), fast
/// ticks and polls, and `[connections.sftp]` for `sshd` with `fingerprint` pinned and
/// `key` as the client key.
fn setup(dir: &Path, sshd: &Sshd, fingerprint: &str, key: &Path) {
    let key = key.display().to_string();
    let target = bankgate::cli::demo::SftpTarget {
        port: sshd.port,
        user: &sshd.user,
        private_key_file: &key,
        fingerprint,
        outbound_dir: "inbox",
        inbound_dir: "outbox",
    };
    let config = bankgate::cli::demo::config_text(100, Some(&target)).unwrap();
    std::fs::write(dir.join("bankgate.toml"), config).unwrap();
    std::fs::create_dir_all(dir.join("intake/inbox")).unwrap();
}

fn start(dir: &Path, crash_point: Option<&str>) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bankgate"));
    command
        .args(["run", "--config", "bankgate.toml"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(
            std::fs::File::create(dir.join(format!("daemon-{}.log", std::process::id()))).unwrap(),
        );
    if let Some(point) = crash_point {
        command.env("BANKGATE_CRASH_POINT", point);
    }
    command.spawn().unwrap()
}

fn stop(mut child: Child) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .stderr(Stdio::null())
        .status();
    let _ = child.wait();
}

fn log(dir: &Path) -> String {
    std::fs::read_to_string(dir.join(format!("daemon-{}.log", std::process::id())))
        .unwrap_or_default()
}

fn drop_file(dir: &Path, name: &str) {
    let bytes = std::fs::read(common::root().join("fixtures/instructions").join(name)).unwrap();
    let temporary = dir.join("intake/inbox").join(format!(".{name}.tmp"));
    std::fs::write(&temporary, bytes).unwrap();
    std::fs::rename(&temporary, dir.join("intake/inbox").join(name)).unwrap();
}

fn payments(dir: &Path) -> Vec<(String, String)> {
    common::bankgate_json(
        dir,
        &["payments", "--config", "bankgate.toml", "--json", "list"],
    )
    .as_array()
    .unwrap()
    .iter()
    .map(|p| {
        (
            p["id"].as_str().unwrap().to_owned(),
            p["status"].as_str().unwrap().to_owned(),
        )
    })
    .collect()
}

fn wait_for(what: &str, deadline: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn xml_files(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "xml"))
        .collect();
    files.sort();
    files
}

#[test]
fn instructions_reach_the_bank_and_its_answers_settle_every_payment() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir, &sshd, &sshd.host_fingerprint, &sshd.client_key);
    let daemon = start(dir, None);
    drop_file(dir, "demo-batch.ndjson");
    drop_file(dir, "payments.json");
    // 24 + 8 + 5 payments on the server, as pain.001 and pain.008, valid against the XSDs.
    wait_for("files on the server", Duration::from_secs(20), || {
        xml_files(&sshd.bank().join("inbox")).len() >= 2
            && payments(dir).iter().all(|(_, s)| s == "SENT")
            && payments(dir).len() == 37
    });
    for path in xml_files(&sshd.bank().join("inbox")) {
        let xml = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&xml);
        let message = if text.contains("pain.001.001.09") {
            "pain.001.001.09"
        } else {
            "pain.008.001.08"
        };
        common::xmllint(&xml, message).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    }
    // The bank answers in its outbound directory (the daemon's inbound one).
    let settings = Settings {
        seed: 7,
        reject_ac01: 100,
        reject_am04: 40,
        reject_md01: 80,
        return_ac04: 100,
        return_md06: 120,
        ack_after: Duration::ZERO,
        status_after: Duration::ZERO,
        book_after: Duration::from_millis(500),
        return_after: Duration::from_millis(1000),
        statement: StatementSchedule::After(Duration::from_millis(1500)),
        ..Settings::default()
    };
    let mut bank = BankSim::open(sshd.bank(), settings).unwrap();
    let settled = |s: &str| matches!(s, "RECONCILED" | "FAILED" | "RETURNED");
    wait_for("every payment settled", Duration::from_secs(40), || {
        bank.tick(jiff::Timestamp::now()).unwrap();
        payments(dir).iter().all(|(_, s)| settled(s))
    });
    let statuses: std::collections::BTreeSet<String> =
        payments(dir).into_iter().map(|(_, s)| s).collect();
    for status in ["RECONCILED", "FAILED", "RETURNED"] {
        assert!(statuses.contains(status), "{statuses:?}");
    }
    // ACCEPTED and EXECUTED were reached on the way, as the pain.002 and camt.054 said.
    let events = common::bankgate_json(dir, &["events", "--config", "bankgate.toml", "--json"]);
    let reached = |status: &str| {
        events.as_array().unwrap().iter().any(|e| {
            e["entity"] == "PAYMENT" && e["status_after"] == status && e["applied"] == true
        })
    };
    assert!(reached("ACCEPTED") && reached("EXECUTED") && reached("PENDING_AT_BANK"));
    let received = |events: &serde_json::Value| {
        events
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["entity"] == "INBOUND_FILE")
            .count()
    };
    // Wait until every file the bank published was taken (one event each).
    let published = xml_files(&sshd.bank().join("outbox")).len();
    assert!(published >= 4, "pain.002s and camt files: {published}");
    wait_for("every bank file processed", Duration::from_secs(10), || {
        received(&common::bankgate_json(
            dir,
            &["events", "--config", "bankgate.toml", "--json"],
        )) == published
    });
    let before = published;
    // Files left on the server (after_fetch = "leave") are processed once across restarts.
    stop(daemon);
    let daemon = start(dir, None);
    std::thread::sleep(Duration::from_secs(3));
    stop(daemon);
    let after = received(&common::bankgate_json(
        dir,
        &["events", "--config", "bankgate.toml", "--json"],
    ));
    assert_eq!(after, before);
}

#[test]
fn a_wrong_host_key_uploads_nothing_and_stops_the_connection() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    // Pin some other key's fingerprint (the client key's), valid in form.
    let wrong = common::sshd::fingerprint(&sshd.client_key.with_extension("pub"));
    setup(dir, &sshd, &wrong, &sshd.client_key);
    let daemon = start(dir, None);
    drop_file(dir, "payments.json");
    wait_for("the alert", Duration::from_secs(15), || {
        log(dir).contains("ALERT: connection stopped")
    });
    std::thread::sleep(Duration::from_secs(2));
    stop(daemon);
    let log = log(dir);
    assert!(log.contains("matches no pinned fingerprint"), "{log}");
    assert!(
        log.contains(&sshd.host_fingerprint),
        "the log names the key seen: {log}"
    );
    assert!(
        std::fs::read_dir(sshd.bank().join("inbox"))
            .unwrap()
            .next()
            .is_none()
    );
    // No authentication was even attempted.
    assert!(
        !sshd
            .log()
            .iter()
            .any(|l| l.contains("Accepted") || l.contains("Failed")),
        "{:?}",
        sshd.log()
    );
}

#[test]
fn refused_authentication_is_not_retried() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let other = dir.join("other_ed25519");
    common::sshd::keygen(&other, "");
    setup(dir, &sshd, &sshd.host_fingerprint, &other);
    let daemon = start(dir, None);
    drop_file(dir, "payments.json");
    wait_for("the alert", Duration::from_secs(15), || {
        log(dir).contains("ALERT: connection stopped")
    });
    // Give a retry storm time to show.
    std::thread::sleep(Duration::from_secs(4));
    stop(daemon);
    let attempts = sshd
        .log()
        .iter()
        .filter(|l| {
            l.contains("Connection from 127.0.0.1")
                || l.contains("Connection closed by authenticating user")
                || l.contains("Connection reset by authenticating user")
        })
        .count();
    assert!(attempts >= 1, "{:?}", sshd.log());
    assert!(
        attempts <= 2,
        "one login attempt expected, sshd saw {attempts}: {:?}",
        sshd.log()
    );
    assert!(
        std::fs::read_dir(sshd.bank().join("inbox"))
            .unwrap()
            .next()
            .is_none()
    );
    assert!(log(dir).contains("authentication"), "{}", log(dir));
}

#[test]
fn a_crash_between_rename_and_recording_does_not_upload_again() {
    let sshd = Sshd::start();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir, &sshd, &sshd.host_fingerprint, &sshd.client_key);
    // The daemon aborts right after the first rename on the server.
    let mut daemon = start(dir, Some("after_upload"));
    drop_file(dir, "payments.json");
    wait_for("the crash", Duration::from_secs(20), || {
        daemon.try_wait().unwrap().is_some()
    });
    let landed = xml_files(&sshd.bank().join("inbox"));
    assert_eq!(landed.len(), 1, "{landed:?}");
    let inode = std::fs::metadata(&landed[0]).unwrap().ino();
    let files = common::bankgate_json(
        dir,
        &["files", "--config", "bankgate.toml", "--json", "list"],
    );
    assert!(
        files
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["state"] == "UPLOADING"),
        "{files}"
    );
    // Restart: the file is found on the server and recorded UPLOADED, not sent again.
    let daemon = start(dir, None);
    wait_for("everything uploaded", Duration::from_secs(20), || {
        common::bankgate_json(
            dir,
            &["files", "--config", "bankgate.toml", "--json", "list"],
        )
        .as_array()
        .unwrap()
        .iter()
        .all(|f| f["state"] == "UPLOADED")
    });
    stop(daemon);
    assert_eq!(
        std::fs::metadata(&landed[0]).unwrap().ino(),
        inode,
        "the file was written again"
    );
    assert!(log(dir).contains("not sending it again"), "{}", log(dir));
    let names: Vec<_> = xml_files(&sshd.bank().join("inbox"));
    let recorded = common::bankgate_json(
        dir,
        &["files", "--config", "bankgate.toml", "--json", "list"],
    );
    assert_eq!(names.len(), recorded.as_array().unwrap().len());
}
