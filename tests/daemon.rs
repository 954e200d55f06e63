//! The real binary as a daemon: `bankgate run` on a temporary directory with the drop
//! folder and the embedded store, driven like an operator would.

mod common;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

fn bankgate(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A configuration in `dir`: the fixture accounts, `acme-sek` approved by hand with
/// four eyes, a fast drop folder.
fn setup(dir: &Path) {
    let fixture = std::fs::read_to_string(common::root().join("fixtures/bankgate.toml")).unwrap();
    let config = fixture.replace(
        "connection = \"demo-bank\"\n\n[[accounts]]\nid = \"acme-dkk\"",
        "connection = \"demo-bank\"\napproval = \"four_eyes\"\n\n[[accounts]]\nid = \"acme-dkk\"",
    );
    assert_ne!(config, fixture, "the fixture layout changed");
    let config = config
        .replace("path = \"bankgate.db\"", "path = \"state/bankgate.db\"")
        .replace("dir = \"intake\"", "dir = \"drop\"")
        .replace("settle_seconds = 2 ", "settle_seconds = 0 ")
        .replace("rescan_seconds = 5 ", "rescan_seconds = 1 ");
    assert!(config.contains("state/bankgate.db") && config.contains("rescan_seconds = 1 "));
    std::fs::write(dir.join("bankgate.toml"), config).unwrap();
    std::fs::create_dir_all(dir.join("state")).unwrap();
}

fn start(dir: &Path) -> Child {
    Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .args(["run", "--config", "bankgate.toml"])
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// Drops a file the way writers must: a temporary name, then a rename into the inbox.
fn drop_file(dir: &Path, name: &str, content: &[u8]) {
    let inbox = dir.join("drop/inbox");
    let temporary = inbox.join(format!(".{name}.tmp"));
    std::fs::write(&temporary, content).unwrap();
    std::fs::rename(&temporary, inbox.join(name)).unwrap();
}

fn wait_for(what: &str, deadline: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn stop(mut child: Child) -> String {
    let pid = child.id().to_string();
    let status = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    assert!(status.success());
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            let mut stderr = String::new();
            use std::io::Read;
            child
                .stderr
                .take()
                .unwrap()
                .read_to_string(&mut stderr)
                .unwrap();
            assert!(status.success(), "daemon exited with {status}: {stderr}");
            return stderr;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "daemon did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn drop_record_approve_and_audit() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    let daemon = start(dir);
    wait_for("the inbox", Duration::from_secs(10), || {
        dir.join("drop/inbox").is_dir()
    });

    let payments =
        std::fs::read(common::root().join("fixtures/instructions/payments.json")).unwrap();
    drop_file(dir, "payments.json", &payments);
    let collections =
        std::fs::read(common::root().join("fixtures/instructions/collections.ndjson")).unwrap();
    drop_file(dir, "collections.ndjson", &collections);
    let invalid = std::fs::read(
        common::root().join("fixtures/instructions/invalid/payments-with-errors.json"),
    )
    .unwrap();
    drop_file(dir, "bad.json", &invalid);
    // The same content again: idempotent, nothing recorded twice.
    wait_for("payments.json processed", Duration::from_secs(15), || {
        dir.join("drop/processed/payments.json").exists()
    });
    drop_file(dir, "payments.json", &payments);
    wait_for("the duplicate processed", Duration::from_secs(15), || {
        std::fs::read_dir(dir.join("drop/processed"))
            .unwrap()
            .count()
            >= 3
    });
    wait_for("collections processed", Duration::from_secs(15), || {
        dir.join("drop/processed/collections.ndjson").exists()
    });
    wait_for("bad.json rejected", Duration::from_secs(15), || {
        dir.join("drop/rejected/bad.json.errors.json").exists()
    });
    let stderr = stop(daemon);
    assert!(stderr.contains("bankgate started."), "{stderr}");
    assert!(stderr.contains("bankgate stopped."), "{stderr}");

    // Nothing from the invalid file was recorded; the report names every error.
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("drop/rejected/bad.json.errors.json")).unwrap(),
    )
    .unwrap();
    assert!(
        report["diagnostics"].as_array().unwrap().len() >= 8,
        "{report}"
    );

    let (code, out, err) = bankgate(
        dir,
        &["payments", "--config", "bankgate.toml", "--json", "list"],
    );
    assert_eq!(code, 0, "{err}");
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let status = |id: &str| {
        rows.iter()
            .find(|r| r["id"] == id)
            .map(|r| r["status"].as_str().unwrap().to_owned())
    };
    assert_eq!(rows.len(), 6, "each payment once: {out}");
    assert_eq!(status("col-0001").as_deref(), Some("APPROVED"));
    assert_eq!(
        status("inv-2026-0001").as_deref(),
        Some("APPROVED"),
        "auto approval"
    );
    assert_eq!(
        status("sup-7731").as_deref(),
        Some("CREATED"),
        "four-eyes account waits"
    );
    assert_eq!(status("bad-0001"), None);

    // Four eyes: the same person twice is refused, a second person approves.
    let (code, _, err) = bankgate(
        dir,
        &[
            "approve",
            "--config",
            "bankgate.toml",
            "--as",
            "alice",
            "sup-7731",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = bankgate(
        dir,
        &[
            "approve",
            "--config",
            "bankgate.toml",
            "--as",
            "alice",
            "sup-7731",
        ],
    );
    assert_eq!(code, 65, "same approver twice must be refused: {err}");
    assert!(err.contains("alice"), "{err}");
    let (code, _, err) = bankgate(
        dir,
        &[
            "approve",
            "--config",
            "bankgate.toml",
            "--as",
            "bob",
            "sup-7731",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = bankgate(
        dir,
        &[
            "reject",
            "--config",
            "bankgate.toml",
            "--as",
            "alice",
            "--reason",
            "duplicate supplier invoice",
            "sup-7732",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = bankgate(
        dir,
        &[
            "force-status",
            "--config",
            "bankgate.toml",
            "--as",
            "carol",
            "--reason",
            "bank confirmed by phone",
            "dk-0001",
            "EXECUTED",
        ],
    );
    assert_eq!(code, 0, "{err}");

    let (code, out, err) = bankgate(
        dir,
        &[
            "payments",
            "--config",
            "bankgate.toml",
            "--json",
            "show",
            "sup-7731",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["payment"]["status"], "APPROVED");
    assert_eq!(
        doc["payment"]["approvals"],
        serde_json::json!(["alice", "bob"])
    );
    let events: Vec<(String, String)> = doc["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["event"].as_str().unwrap().to_owned(),
                e["actor"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(events.first().map(|e| e.0.as_str()), Some("CREATED"));
    assert!(
        events.contains(&("APPROVED".to_owned(), "customer:bob".to_owned())),
        "{events:?}"
    );

    let (code, out, _) = bankgate(
        dir,
        &[
            "events",
            "--config",
            "bankgate.toml",
            "--json",
            "--payment",
            "dk-0001",
        ],
    );
    assert_eq!(code, 0);
    let trail: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let forced = trail
        .iter()
        .find(|e| e["event"] == "OPERATOR_FORCE_UPDATE")
        .expect("force update in the trail");
    assert_eq!(forced["actor"], "operator:carol");
    assert_eq!(forced["reason"], "bank confirmed by phone");
    assert_eq!(forced["status_after"], "EXECUTED");

    let (code, out, err) = bankgate(
        dir,
        &["mandates", "--config", "bankgate.toml", "--json", "list"],
    );
    assert_eq!(code, 0, "{err}");
    let mandates: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    let ids: Vec<&str> = mandates.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert!(
        ids.contains(&"MNDT-0001") && ids.contains(&"MNDT-0002"),
        "{ids:?}"
    );
    let (code, out, err) = bankgate(
        dir,
        &[
            "mandates",
            "--config",
            "bankgate.toml",
            "--json",
            "show",
            "MNDT-0001",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(doc["mandate"]["scheme"], "SEPA_DIRECT_DEBIT_CORE");
    assert_eq!(doc["events"][0]["event"], "CREATED");
    for args in [["files", "list"], ["statements", "list"]] {
        let (code, out, err) = bankgate(dir, &[args[0], "--config", "bankgate.toml", args[1]]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains("0 row(s)"), "{out}");
    }

    // Restarting keeps everything and records nothing again.
    let daemon = start(dir);
    std::thread::sleep(Duration::from_millis(1500));
    stop(daemon);
    let (_, out, _) = bankgate(
        dir,
        &["payments", "--config", "bankgate.toml", "--json", "list"],
    );
    let rows: Vec<serde_json::Value> = serde_json::from_str(&out).unwrap();
    assert_eq!(rows.len(), 6);
}

#[test]
fn sighup_reloads_the_configuration_without_dropping_work() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    let daemon = start(dir);
    wait_for("the inbox", Duration::from_secs(10), || {
        dir.join("drop/inbox").is_dir()
    });
    let hup = |pid: u32| {
        assert!(
            Command::new("kill")
                .args(["-HUP", &pid.to_string()])
                .status()
                .unwrap()
                .success()
        );
    };
    let one = |id: &str| {
        format!(
            r#"{{"type": "credit_transfer", "id": "{id}", "source_account": "acme-eur", "scheme": "SEPA_CREDIT_TRANSFER", "amount": "10.00", "currency": "EUR", "counterparty": {{"name": "Muster GmbH", "account": {{"type": "IBAN", "number": "DE89370400440532013000"}}}}}}"#
        )
    };
    let status = |id: &str| {
        let (_, out, _) = bankgate(
            dir,
            &[
                "payments",
                "--config",
                "bankgate.toml",
                "--json",
                "show",
                id,
            ],
        );
        serde_json::from_str::<serde_json::Value>(&out)
            .ok()
            .and_then(|d| d["payment"]["status"].as_str().map(str::to_owned))
    };

    drop_file(dir, "before.json", one("before-reload").as_bytes());
    wait_for("before.json", Duration::from_secs(15), || {
        dir.join("drop/processed/before.json").exists()
    });
    assert_eq!(status("before-reload").as_deref(), Some("APPROVED"));

    // acme-eur now needs a manual approval.
    let config = std::fs::read_to_string(dir.join("bankgate.toml")).unwrap();
    let manual = config.replacen("approval = \"auto\"", "approval = \"manual\"", 1);
    assert_ne!(manual, config);
    std::fs::write(dir.join("bankgate.toml"), &manual).unwrap();
    hup(daemon.id());
    std::thread::sleep(Duration::from_millis(500));
    drop_file(dir, "after.json", one("after-reload").as_bytes());
    wait_for("after.json", Duration::from_secs(15), || {
        dir.join("drop/processed/after.json").exists()
    });
    assert_eq!(status("after-reload").as_deref(), Some("CREATED"));

    // A broken configuration is refused; the running one stays and work goes on.
    std::fs::write(
        dir.join("bankgate.toml"),
        manual.replace("currency = \"EUR\"", "currency = \"XXX\""),
    )
    .unwrap();
    hup(daemon.id());
    std::thread::sleep(Duration::from_millis(500));
    drop_file(dir, "broken.json", one("during-broken").as_bytes());
    wait_for("broken.json", Duration::from_secs(15), || {
        dir.join("drop/processed/broken.json").exists()
    });
    // The operator commands read the file too: put the good one back before asking.
    std::fs::write(dir.join("bankgate.toml"), &manual).unwrap();
    assert_eq!(status("during-broken").as_deref(), Some("CREATED"));
    let stderr = stop(daemon);
    assert!(stderr.contains("Configuration reloaded."), "{stderr}");
    assert!(stderr.contains("Configuration reload refused"), "{stderr}");
}

/// The daemon with the local-directory transport: valid files are recorded and sent
/// (instant at once, the rest on `bankgate trigger`), a half-written file under a
/// temporary name is never read, an oversized one is refused unread with a report.
#[test]
fn local_transport_sends_what_is_valid_and_refuses_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    setup(dir);
    let mut daemon = Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .args(["run", "--config", "bankgate.toml"])
        .current_dir(dir)
        .env("BANKGATE__INTAKE__MAX_FILE_BYTES", "20000")
        .env("BANKGATE__ENGINE__TICK_MILLISECONDS", "100")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_for("the inbox", Duration::from_secs(10), || {
        dir.join("drop/inbox").is_dir()
    });
    let payments =
        std::fs::read(common::root().join("fixtures/instructions/payments.json")).unwrap();
    drop_file(dir, "payments.json", &payments);
    // Half-written: still under its temporary name.
    std::fs::write(
        dir.join("drop/inbox/.later.ndjson.tmp"),
        b"{\"type\": \"credit_tr",
    )
    .unwrap();
    // Oversized: over the 20,000-byte limit set through the environment.
    drop_file(dir, "huge.ndjson", &vec![b' '; 25_000]);
    wait_for("huge.ndjson refused", Duration::from_secs(15), || {
        dir.join("drop/rejected/huge.ndjson.errors.json").exists()
    });
    wait_for("payments.json recorded", Duration::from_secs(15), || {
        dir.join("drop/processed/payments.json").exists()
    });
    // acme-sek needs four eyes; then its payments go at once, as does SEPA Instant.
    for who in ["alice", "bob"] {
        let (code, out, err) = bankgate(
            dir,
            &[
                "approve",
                "--config",
                "bankgate.toml",
                "--as",
                who,
                "sup-7731",
                "sup-7732",
            ],
        );
        assert_eq!(code, 0, "{out}{err}");
    }
    // SEPA CT waits for its cut-off window, or a trigger.
    let (code, out, err) = bankgate(
        dir,
        &[
            "trigger",
            "--config",
            "bankgate.toml",
            "--as",
            "ops",
            "demo-bank",
        ],
    );
    assert_eq!(code, 0, "{out}{err}");
    let sent = || {
        let (_, out, _) = bankgate(
            dir,
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
        serde_json::from_str::<serde_json::Value>(&out)
            .map(|v| v.as_array().map_or(0, Vec::len))
            .unwrap_or(0)
    };
    wait_for("all five payments SENT", Duration::from_secs(20), || {
        sent() == 5
    });
    let _ = Command::new("kill")
        .args(["-TERM", &daemon.id().to_string()])
        .status();
    assert!(daemon.wait().unwrap().success());

    // The bank's directory holds the files, no temporary leftovers; each is recorded.
    let names: Vec<String> = std::fs::read_dir(dir.join("bank/inbox"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(names.len() >= 2, "{names:?}");
    assert!(
        names
            .iter()
            .all(|n| n.ends_with(".xml") && n.starts_with("demo-bank_pain.001_BG")),
        "{names:?}"
    );
    let (_, files, _) = bankgate(
        dir,
        &["files", "--config", "bankgate.toml", "--json", "list"],
    );
    let files: serde_json::Value = serde_json::from_str(&files).unwrap();
    assert_eq!(files.as_array().unwrap().len(), names.len());
    for xml in &names {
        let bytes = std::fs::read(dir.join("bank/inbox").join(xml)).unwrap();
        common::xmllint(&bytes, "pain.001.001.09").unwrap();
    }
    // The oversized file was refused by its size, unread; the temporary one left alone.
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir.join("drop/rejected/huge.ndjson.errors.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(report["diagnostics"][0]["rule"], "file.size");
    assert!(dir.join("drop/inbox/.later.ndjson.tmp").exists());
    // The trigger is in the audit trail.
    let (_, events, _) = bankgate(dir, &["events", "--config", "bankgate.toml", "--json"]);
    assert!(events.contains("TRIGGER_REQUESTED"), "{events}");
}
