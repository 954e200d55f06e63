//! `bankgate demo` as a newcomer runs it: the simulated bank, the real daemon and the
//! sample files settle into the expected statuses, the output says so, and the files the
//! bank received are valid against their XSDs.

mod common;

use std::process::Command;

#[test]
fn demo_runs_the_whole_loop_and_reports_the_outcome() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("demo");
    let out = Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .args(["demo", "--timeout", "60", "--dir"])
        .arg(&data)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "demo failed: {stdout}\n{stderr}");
    assert!(stdout.contains("settled in "), "{stdout}");
    // Seed 7: every final status the bank can cause appears.
    let totals = stdout.lines().find(|l| l.starts_with("totals: ")).unwrap();
    for status in ["RECONCILED", "FAILED", "RETURNED"] {
        assert!(totals.contains(status), "{totals}");
    }
    for mandate in ["MNDT-0001", "MNDT-0002", "MNDT-DEMO-1", "MNDT-DEMO-2"] {
        assert!(stdout.contains(mandate), "{mandate} missing: {stdout}");
    }
    assert!(stdout.contains("data directory kept: "), "{stdout}");
    // What the bank received is valid ISO 20022.
    let mut checked = 0;
    for entry in std::fs::read_dir(data.join("bank/inbox")).unwrap() {
        let path = entry.unwrap().path();
        let xml = std::fs::read(&path).unwrap();
        let text = String::from_utf8_lossy(&xml);
        let message = if text.contains("pain.001.001.09") {
            "pain.001.001.09"
        } else {
            "pain.008.001.08"
        };
        common::xmllint(&xml, message).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        checked += 1;
    }
    assert!(
        checked >= 2,
        "expected a pain.001 and a pain.008, found {checked} files"
    );
    // The data directory is left for the operator commands.
    let list = Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .args(["payments", "--config"])
        .arg(data.join("bankgate.toml"))
        .args(["list", "--status", "RECONCILED"])
        .output()
        .unwrap();
    assert!(list.status.success());
    assert!(String::from_utf8_lossy(&list.stdout).contains("RECONCILED"));
}
