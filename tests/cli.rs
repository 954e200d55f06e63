//! The real binary: exit codes and what operators see.

use std::process::Command;

fn bankgate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("BANKGATE__ACCOUNTS")
        .output()
        .expect("binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CONFIG: &str = "fixtures/bankgate.toml";

#[test]
fn valid_fixtures_exit_0() {
    let (code, out, err) = bankgate(&[
        "validate",
        "--config",
        CONFIG,
        "fixtures/instructions/payments.json",
        "fixtures/instructions/payments.csv",
        "fixtures/instructions/collections.ndjson",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    for id in [
        "inv-2026-0001",
        "sup-7732",
        "dk-0001",
        "MNDT-0002",
        "col-0001",
    ] {
        assert!(out.contains(id), "{id} missing from {out}");
    }
    assert!(
        out.contains("14 instruction(s): 14 valid, 0 invalid"),
        "{out}"
    );
}

#[test]
fn invalid_fixture_prints_every_error_and_exits_65() {
    let file = "fixtures/instructions/invalid/payments-with-errors.json";
    let (code, out, _) = bankgate(&["validate", "--config", CONFIG, file]);
    assert_eq!(code, 65, "{out}");
    for expected in [
        "index 0 amount: expected at most 2 decimals for EUR, got 10.005 (rule amount.decimals)",
        "index 0 counterparty.account.number:",
        "(rule iban.checksum)",
        "index 1 source_account: expected an account id from the configuration",
        "index 1 amount: expected a value, got nothing (rule field.required)",
        "index 1 counterparty.name: expected a value, got nothing (rule field.required)",
        "index 3 currency: expected SEK, the currency of account acme-sek, got EUR (rule currency.account)",
        "index 3 requested_date: expected a calendar date YYYY-MM-DD, got 2026-02-30 (rule date.format)",
        "index 3 counterparty.account.number:",
        "index 4 scheme: expected a direct debit scheme, got SEPA_CREDIT_TRANSFER (rule scheme.kind)",
        "index 4 mandate: expected letters, digits",
        "5 instruction(s): 1 valid, 4 invalid",
    ] {
        assert!(out.contains(expected), "missing {expected:?} in\n{out}");
    }
}

#[test]
fn csv_errors_name_line_and_column() {
    let file = "fixtures/instructions/invalid/payments-with-errors.csv";
    let (code, out, _) = bankgate(&["validate", "--config", CONFIG, file]);
    assert_eq!(code, 65, "{out}");
    assert!(
        out.contains("line 2 amount: expected at most 2 decimals"),
        "{out}"
    );
    assert!(
        out.contains("line 3 counterparty_name: expected a value"),
        "{out}"
    );
}

#[test]
fn json_output_is_machine_readable() {
    let file = "fixtures/instructions/invalid/typos.ndjson";
    let (code, out, _) = bankgate(&["validate", "--json", "--config", CONFIG, file]);
    assert_eq!(code, 65);
    let doc: serde_json::Value = serde_json::from_str(&out).expect("valid JSON");
    assert_eq!(doc["valid"], 0);
    assert_eq!(doc["invalid"], 3);
    let file = &doc["files"][0];
    assert_eq!(file["valid"], false);
    assert_eq!(file["file_errors"][0]["rule"], "json.syntax");
    assert_eq!(file["file_errors"][0]["location"]["line"], 3);
    let first = &file["instructions"][0];
    assert_eq!(first["id"], "typo-1");
    let rules: Vec<&str> = first["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["rule"].as_str().unwrap())
        .collect();
    assert!(rules.contains(&"field.unknown"), "{rules:?}");
    let float = &file["instructions"][1]["errors"][0];
    assert_eq!(float["field"], "amount");
    assert_eq!(float["rule"], "amount.type");
    assert_eq!(float["actual"], "the number 10.1");
    assert_eq!(file["instructions"][2]["errors"][0]["rule"], "type");
}

#[test]
fn unreadable_instruction_file_exits_66() {
    let (code, _, err) = bankgate(&["validate", "--config", CONFIG, "fixtures/nope.json"]);
    assert_eq!(code, 66);
    assert!(err.contains("fixtures/nope.json"), "{err}");
}

#[test]
fn check_config() {
    let (code, out, _) = bankgate(&["check-config", "--config", CONFIG]);
    assert_eq!(code, 0);
    assert!(out.contains("3 account(s)"), "{out}");

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bad.toml");
    std::fs::write(
        &path,
        r#"
unknown_section = 1
[[accounts]]
id = "acme-eur"
name = "ACME"
iban = "SE4550000000058398257467"
bic = "COBADEFF"
currency = "XXX"
connection = "demo-bank"
creditor_id = "SE98ZZZ1234567"

[[accounts]]
id = "acme-eur"
name = "ACME"
iban = "SE4550000000058398257466"
currency = "EUR"
"#,
    )
    .unwrap();
    let (code, _, err) = bankgate(&["check-config", "--config", path.to_str().unwrap()]);
    assert_eq!(code, 78, "{err}");
    for expected in [
        "accounts[0].iban:",
        "(rule iban.checksum)",
        "accounts[0].currency: expected an ISO 4217 code",
        "accounts[0].creditor_id:",
        "(rule creditor_id.checksum)",
        "accounts[1].connection: expected a value, got nothing (rule field.required)",
        "accounts[1].id:",
        "(rule account.id_unique)",
        "unknown_section:",
        "(rule field.unknown)",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in\n{err}");
    }

    let (code, _, err) = bankgate(&["check-config", "--config", "fixtures/missing.toml"]);
    assert_eq!(code, 78);
    assert!(err.contains("fixtures/missing.toml"), "{err}");
}

#[test]
fn environment_overrides_configuration() {
    let out = Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .args(["check-config", "--config", CONFIG])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("BANKGATE__UNKNOWN_KEY", "x")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(78));
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown_key"));
}
