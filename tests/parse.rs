//! `bankgate parse` on real bank files.

mod common;

use std::path::PathBuf;
use std::process::Command;

use serde_json::Value;

fn shared() -> PathBuf {
    let dir = std::env::var_os("BANKGATE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| common::root().join("../shared"));
    assert!(
        dir.join("iso20022/samples").is_dir(),
        "the shared reference material is required at {} (set BANKGATE_SHARED)",
        dir.display()
    );
    dir
}

fn parse(args: &[&str]) -> (i32, Vec<Value>, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .arg("parse")
        .args(args)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let lines = if args.contains(&"--summary") {
        Vec::new()
    } else {
        stdout
            .lines()
            .map(|l| serde_json::from_str(l).expect("NDJSON"))
            .collect()
    };
    (
        out.status.code().unwrap_or(-1),
        lines,
        String::from_utf8_lossy(&out.stderr).into_owned() + &stdout,
    )
}

fn sample(path: &str) -> String {
    shared()
        .join("iso20022/samples")
        .join(path)
        .display()
        .to_string()
}

#[test]
fn pain002_lines_per_transaction_block_and_group() {
    let (code, lines, err) = parse(&[
        &sample("pain.002/synthetic_pain.002.001.10_grp-PART_pmtinf-PART_tx-RJCT.xml"),
        &sample("pain.002/postfinance-ch_pain.002.001.03.ch.02_grp-ACTC.xml"),
        &sample("pain.002/postfinance-ch_pain.002.001.03.ch.02_chdd-direct-debit_pmtinf-ACCP.xml"),
    ]);
    assert_eq!(code, 0, "{err}");
    let check = |line: &Value, expected: &[(&str, &str)]| {
        for (key, value) in expected {
            assert_eq!(line[*key].as_str(), Some(*value), "{key} in {line}");
        }
    };
    assert_eq!(lines.len(), 4, "{lines:?}");
    check(
        &lines[0],
        &[
            ("message", "pain.002.001.10"),
            ("original_message_id", "MSG-20260824-0007"),
            ("original_payment_information_id", "BATCH-0007"),
            ("end_to_end_id", "SUP-0007-A"),
            ("status", "ACCP"),
            ("level", "transaction"),
            ("payment_status", "ACCEPTED"),
        ],
    );
    check(
        &lines[1],
        &[
            ("end_to_end_id", "SUP-0007-B"),
            ("status", "RJCT"),
            ("reason", "AC01"),
            ("payment_status", "FAILED"),
        ],
    );
    check(
        &lines[2],
        &[
            ("message", "pain.002.001.03"),
            ("original_message_id", "MsgId-001"),
            ("status", "ACTC"),
            ("level", "group"),
            ("payment_status", "PENDING_AT_BANK"),
        ],
    );
    check(
        &lines[3],
        &[
            ("original_payment_information_id", "PmtInfId-CHDD-1"),
            ("status", "ACCP"),
            ("level", "payment_information"),
            ("payment_status", "ACCEPTED"),
        ],
    );
}

#[test]
fn camt_lines_per_entry_or_transaction() {
    let (code, lines, err) = parse(&[&sample(
        "camt.054/nordea-fi_camt.054.001.02_reversal-return-AC01.xml",
    )]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines.len(), 13);
    let line = lines
        .iter()
        .find(|l| l["end_to_end_id"] == "EndToEndIdAT-41-001")
        .expect("a line per transaction");
    for (key, value) in [
        ("message", "camt.054.001.02"),
        ("amount", "2500.00"),
        ("currency", "EUR"),
        ("credit_debit", "CRDT"),
        ("status", "BOOK"),
        ("booking_date", "2009-10-29"),
        ("bank_transaction_code", "PMNT/RCDT/ESCT"),
    ] {
        assert_eq!(line[key].as_str(), Some(value), "{key} in {line}");
    }
    assert_eq!(line["reversal"], false);
    let (code, _, out) = parse(&[
        "--summary",
        &sample("camt.053/goldman-sachs-gb_camt.053.001.02_usd-reversals-returns.xml"),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("line(s)"), "{out}");
}

#[test]
fn unsupported_files_exit_65_with_the_reason() {
    let (code, lines, err) = parse(&[
        "fixtures/bankgate.toml",
        &sample("pain.001/sepa-king_pain.001.001.03.xml"),
    ]);
    assert_eq!(code, 65);
    assert!(lines.is_empty());
    assert!(err.contains("not an ISO 20022 message"), "{err}");
    assert!(err.contains("unsupported message pain.001.001.03"), "{err}");
    let (code, _, err) = parse(&["no/such/file.xml"]);
    assert_eq!(code, 66, "{err}");
}
