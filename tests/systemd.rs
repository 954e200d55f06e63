//! The systemd integration: the unit file verifies, and `bankgate run` speaks the notify
//! protocol (READY, WATCHDOG, STOPPING) over a real datagram socket.

mod common;

use std::os::unix::net::UnixDatagram;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn unit_file_verifies() {
    let unit = std::fs::read_to_string(common::root().join("systemd/bankgate.service")).unwrap();
    assert!(unit.contains("ExecStart=/usr/local/bin/bankgate run --config"));
    // Point ExecStart at the binary under test: verify checks that it is executable.
    let unit = unit.replace("/usr/local/bin/bankgate", env!("CARGO_BIN_EXE_bankgate"));
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bankgate.service");
    std::fs::write(&path, unit).unwrap();
    let out = Command::new("systemd-analyze")
        .arg("verify")
        .arg(&path)
        .output()
        .unwrap_or_else(|e| panic!("systemd-analyze is required (Debian package systemd): {e}"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Only complaints about this unit count (the host's other units are not ours).
    let ours: Vec<&str> = stderr
        .lines()
        .filter(|l| l.contains("bankgate.service"))
        .collect();
    assert!(
        out.status.success() && ours.is_empty(),
        "systemd-analyze verify: {stderr}"
    );
}

#[test]
fn run_notifies_ready_watchdog_and_stopping() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let fixture = std::fs::read_to_string(common::root().join("fixtures/bankgate.toml")).unwrap();
    let config = fixture
        .replace("settle_seconds = 2 ", "settle_seconds = 0 ")
        .replace("rescan_seconds = 5 ", "rescan_seconds = 1 ");
    assert_ne!(config, fixture, "the fixture layout changed");
    std::fs::write(dir.join("bankgate.toml"), config).unwrap();
    let socket_path = dir.join("notify.sock");
    let socket = UnixDatagram::bind(&socket_path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .args(["run", "--config", "bankgate.toml"])
        .current_dir(dir)
        .env("NOTIFY_SOCKET", &socket_path)
        .env("WATCHDOG_USEC", "400000")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut seen = Vec::new();
    let mut buf = [0u8; 512];
    let start = Instant::now();
    let mut stopped = false;
    while start.elapsed() < Duration::from_secs(20) {
        if let Ok(n) = socket.recv(&mut buf) {
            seen.push(String::from_utf8_lossy(&buf[..n]).into_owned());
        }
        let ready = seen.iter().any(|m| m.contains("READY=1"));
        let fed = seen.iter().filter(|m| m.contains("WATCHDOG=1")).count() >= 2;
        if ready && fed && !stopped {
            Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status()
                .unwrap();
            stopped = true;
        }
        if stopped && seen.iter().any(|m| m.contains("STOPPING=1")) {
            break;
        }
    }
    let status = child.wait().unwrap();
    assert!(status.success(), "{status}");
    assert!(seen.iter().any(|m| m.contains("READY=1")), "{seen:?}");
    assert!(
        seen.iter().filter(|m| m.contains("WATCHDOG=1")).count() >= 2,
        "{seen:?}"
    );
    assert!(seen.iter().any(|m| m.contains("STOPPING=1")), "{seen:?}");
}

#[test]
fn run_logs_one_json_object_per_line() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    std::fs::copy(
        common::root().join("fixtures/bankgate.toml"),
        dir.join("bankgate.toml"),
    )
    .unwrap();
    let child = Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .args(["run", "--config", "bankgate.toml", "--log-format", "json"])
        .current_dir(dir)
        .env_remove("JOURNAL_STREAM")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !dir.join("intake/inbox").is_dir() && start.elapsed() < Duration::from_secs(10) {
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_millis(300));
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let lines: Vec<serde_json::Value> = stderr
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    let messages: Vec<&str> = lines
        .iter()
        .filter_map(|l| l["fields"]["message"].as_str())
        .collect();
    assert!(messages.contains(&"bankgate started."), "{messages:?}");
    assert!(messages.contains(&"bankgate stopped."), "{messages:?}");
    let started = lines
        .iter()
        .find(|l| l["fields"]["message"] == "bankgate started.")
        .unwrap();
    assert!(
        started["fields"]["inbox"]
            .as_str()
            .unwrap()
            .ends_with("intake/inbox"),
        "{started}"
    );
}
