//! Outbound ISO 20022: golden files for every scheme in every version, each validated
//! against the official XSD, and the `render` command's behaviour.

mod common;

use std::process::Command;

use bankgate::domain::instruction::Instruction;
use bankgate::intake::{self, AccountBook, Limits};
use bankgate::iso20022::{self, MessageVersion, Profile, RenderInput};

fn instructions(fixture: &str) -> Vec<Instruction> {
    let path = common::root().join(fixture);
    let bytes = std::fs::read(&path).unwrap();
    let report = intake::read_file(
        fixture,
        &bytes,
        &AccountBook::from_config(&common::config()),
        Limits::default(),
    );
    assert!(report.is_valid(), "{fixture}: {:?}", report.diagnostics());
    report.instructions().cloned().collect()
}

fn render(instructions: &[Instruction], message: MessageVersion, profile: &Profile) -> String {
    let config = common::config();
    let input = RenderInput {
        instructions,
        accounts: &config.accounts,
        profile,
        message: Some(message),
        created_at: "2026-11-21T10:00:00Z".parse().unwrap(),
    };
    let (_, out) = iso20022::render(&input, Vec::new()).expect("renders");
    String::from_utf8(out).unwrap()
}

/// Renders a fixture in a version, checks it against the XSD and the golden file.
fn indented() -> Profile {
    Profile {
        indent: true,
        ..Profile::default()
    }
}

fn check(fixture: &str, message: MessageVersion) {
    let xml = render(&instructions(fixture), message, &indented());
    if let Err(e) = common::xmllint(xml.as_bytes(), message.as_str()) {
        panic!("{fixture} as {message} fails its XSD:\n{e}\n{xml}");
    }
    let stem = fixture
        .rsplit('/')
        .next()
        .unwrap()
        .split('.')
        .next()
        .unwrap();
    insta::assert_snapshot!(format!("{stem}.{message}"), xml);
}

#[test]
fn credit_transfers_of_every_scheme_in_both_versions() {
    check(
        "fixtures/render/credit-transfers.json",
        MessageVersion::Pain001V09,
    );
    check(
        "fixtures/render/credit-transfers.json",
        MessageVersion::Pain001V03,
    );
}

#[test]
fn sepa_core_collections_with_amendments_in_both_versions() {
    check(
        "fixtures/render/direct-debits-core.ndjson",
        MessageVersion::Pain008V08,
    );
    check(
        "fixtures/render/direct-debits-core.ndjson",
        MessageVersion::Pain008V02,
    );
}

#[test]
fn sepa_b2b_collections_in_both_versions() {
    check(
        "fixtures/render/direct-debits-b2b.ndjson",
        MessageVersion::Pain008V08,
    );
    check(
        "fixtures/render/direct-debits-b2b.ndjson",
        MessageVersion::Pain008V02,
    );
}

#[test]
fn compact_and_indented_files_say_the_same() {
    let cts = instructions("fixtures/render/credit-transfers.json");
    let compact = render(&cts, MessageVersion::Pain001V09, &Profile::default());
    let pretty = render(&cts, MessageVersion::Pain001V09, &indented());
    assert!(
        compact.len() < pretty.len() * 3 / 4,
        "{} vs {}",
        compact.len(),
        pretty.len()
    );
    common::xmllint(compact.as_bytes(), "pain.001.001.09").unwrap();
    let squeeze = |xml: &str| -> String { xml.split('\n').map(str::trim).collect() };
    assert_eq!(squeeze(&compact), squeeze(&pretty));
}

#[test]
fn profile_knobs_change_the_file() {
    let cts = instructions("fixtures/render/credit-transfers.json");
    let plain = render(&cts, MessageVersion::Pain001V09, &Profile::default());
    let profile = Profile {
        batch_booking: false,
        send_optional_bic: true,
        send_control_sum: false,
        initiating_party: Some(iso20022::InitiatingParty {
            name: "ACME Group Treasury".to_owned(),
            organisation_id: Some("5566778899".to_owned()),
        }),
        ..Profile::default()
    };
    let tuned = render(&cts, MessageVersion::Pain001V09, &profile);
    common::xmllint(tuned.as_bytes(), "pain.001.001.09").unwrap();
    assert!(
        plain.contains("<BtchBookg>true</BtchBookg>")
            && tuned.contains("<BtchBookg>false</BtchBookg>")
    );
    assert!(plain.contains("<CtrlSum>") && !tuned.contains("<CtrlSum>"));
    // The SEPA creditor BIC is optional: only sent when the profile asks for it.
    assert!(!plain.contains("<BICFI>COBADEFFXXX</BICFI>"));
    assert!(tuned.contains("<BICFI>COBADEFFXXX</BICFI>"));
    assert!(
        tuned.contains("<Nm>ACME Group Treasury</Nm>") && tuned.contains("<Id>5566778899</Id>")
    );
    // Non-SEPA schemes always carry the BIC they were given.
    assert!(plain.contains("<BICFI>CHASUS33</BICFI>"));
}

#[test]
fn ids_are_deterministic() {
    let cts = instructions("fixtures/render/credit-transfers.json");
    let a = render(&cts, MessageVersion::Pain001V09, &Profile::default());
    let b = render(&cts, MessageVersion::Pain001V09, &Profile::default());
    assert_eq!(a, b);
    let mut reversed = cts.clone();
    reversed.reverse();
    let c = render(&reversed, MessageVersion::Pain001V09, &Profile::default());
    let msg_id = |xml: &str| {
        xml.split("<MsgId>")
            .nth(1)
            .unwrap()
            .split('<')
            .next()
            .unwrap()
            .to_owned()
    };
    assert_eq!(
        msg_id(&a),
        msg_id(&c),
        "the MsgId depends on the set, not the order"
    );
    let fewer = render(&cts[1..], MessageVersion::Pain001V09, &Profile::default());
    assert_ne!(msg_id(&a), msg_id(&fewer));
}

#[test]
fn strict_charset_refuses_what_lenient_replaces() {
    let cts = instructions("fixtures/render/credit-transfers.json");
    let config = common::config();
    let profile = Profile {
        strict_charset: true,
        ..Profile::default()
    };
    let input = RenderInput {
        instructions: &cts,
        accounts: &config.accounts,
        profile: &profile,
        message: None,
        created_at: "2026-11-21T10:00:00Z".parse().unwrap(),
    };
    let Err(iso20022::RenderError::Invalid(problems)) = iso20022::render(&input, Vec::new()) else {
        panic!("strict charset must refuse the '<' in sepa-ct-1's reference")
    };
    let text: Vec<String> = problems.iter().map(ToString::to_string).collect();
    assert!(
        text.iter()
            .any(|p| p.starts_with("sepa-ct-1: field reference:")),
        "{text:?}"
    );
}

fn bankgate(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_bankgate"))
        .args(args)
        .current_dir(common::root())
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const CONFIG: &str = "fixtures/bankgate.toml";

#[test]
fn render_command_writes_xml_to_stdout_or_a_file() {
    let (code, out, err) = bankgate(&[
        "render",
        "--config",
        CONFIG,
        "--created-at",
        "2026-11-21T10:00:00Z",
        "fixtures/render/credit-transfers.json",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        out,
        render(
            &instructions("fixtures/render/credit-transfers.json"),
            MessageVersion::Pain001V09,
            &Profile::default()
        )
    );
    assert!(err.contains("rendered pain.001.001.09"), "{err}");
    assert!(
        err.contains("instruction id \"Faktura nr 17/2026\" is sent as EndToEndId E2E"),
        "{err}"
    );

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("out.xml");
    let (code, out, err) = bankgate(&[
        "render",
        "--config",
        CONFIG,
        "--message",
        "pain.008.001.02",
        "--output",
        path.to_str().unwrap(),
        "fixtures/render/direct-debits-b2b.ndjson",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.is_empty());
    common::xmllint(&std::fs::read(&path).unwrap(), "pain.008.001.02").unwrap();
    assert!(!dir.path().join("out.part").exists());
}

#[test]
fn render_refuses_mixes_and_bad_input_with_nothing_on_stdout() {
    let check = |args: &[&str], expected_code: i32, expected_err: &str| {
        let (code, out, err) = bankgate(args);
        assert_eq!(code, expected_code, "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?} printed {out}");
        assert!(
            err.contains(expected_err),
            "{args:?}: missing {expected_err:?} in {err}"
        );
    };
    check(
        &[
            "render",
            "--config",
            CONFIG,
            "fixtures/render/credit-transfers.json",
            "fixtures/render/direct-debits-b2b.ndjson",
        ],
        65,
        "instructions mix 11 credit transfer(s) and 1 direct debit(s)",
    );
    check(
        &[
            "render",
            "--config",
            CONFIG,
            "fixtures/render/direct-debits-core.ndjson",
            "fixtures/render/direct-debits-b2b.ndjson",
        ],
        65,
        "instructions mix SEPA_DIRECT_DEBIT_CORE and SEPA_DIRECT_DEBIT_B2B",
    );
    check(
        &[
            "render",
            "--config",
            CONFIG,
            "--message",
            "pain.008.001.08",
            "fixtures/render/credit-transfers.json",
        ],
        65,
        "message pain.008.001.08 cannot carry credit transfers",
    );
    check(
        &[
            "render",
            "--config",
            CONFIG,
            "fixtures/instructions/invalid/payments-with-errors.json",
        ],
        65,
        "index 0: field amount: expected at most 2 decimals for EUR, got 10.005 (rule amount.decimals)",
    );
    check(
        &[
            "render",
            "--config",
            CONFIG,
            "--message",
            "pain.001.001.02",
            "fixtures/render/credit-transfers.json",
        ],
        2,
        "pain.001.001.02",
    );
}

#[test]
fn schemes_without_an_iso20022_message_are_refused_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("bankgate.toml");
    std::fs::write(
        &config,
        r#"
[[accounts]]
id = "acme-sek"
name = "ACME Trading AB"
iban = "SE3550000000054910000003"
currency = "SEK"
connection = "demo-bank"
creditor_id = "SE94ZZZ5566778899"
"#,
    )
    .unwrap();
    let file = dir.path().join("autogiro.ndjson");
    std::fs::write(
        &file,
        concat!(
            r#"{"type": "mandate", "id": "AG-1", "scheme": "SE_AUTOGIRO", "creditor_account": "acme-sek", "signed_on": "2026-01-05", "debtor": {"name": "Sven Svensson", "account": {"type": "NUMBER", "country": "SE", "number": "5000-1234560"}}}"#,
            "\n",
            r#"{"type": "direct_debit", "id": "ag-col-1", "source_account": "acme-sek", "scheme": "SE_AUTOGIRO", "amount": "100", "currency": "SEK", "requested_date": "2026-11-27", "mandate": "AG-1"}"#,
            "\n"
        ),
    )
    .unwrap();
    let (code, out, err) = bankgate(&[
        "render",
        "--config",
        config.to_str().unwrap(),
        file.to_str().unwrap(),
    ]);
    assert_eq!(code, 65, "{err}");
    assert!(out.is_empty());
    assert!(
        err.contains("ag-col-1: scheme SE_AUTOGIRO has no ISO 20022 initiation message"),
        "{err}"
    );
}
