//! Intake boundary: file text in, per-record verdicts and diagnostics out.

mod common;

use bankgate::domain::money::Currency;
use bankgate::intake::{self, AccountBook, AccountFacts, Limits, Location};

fn accounts() -> AccountBook {
    let mut book = AccountBook::default();
    book.insert(
        "acme-eur",
        AccountFacts {
            currency: Currency::EUR,
            collecting: true,
            connection: None,
        },
    );
    book.insert(
        "acme-sek",
        AccountFacts {
            currency: Currency::SEK,
            collecting: false,
            connection: None,
        },
    );
    book
}

/// What a file should give: per record, its location, key and the (field, rule) of each
/// problem (empty when valid); plus the file problems as (location, rule).
type Expected<'a> = (
    Vec<(Location, Option<&'a str>, Vec<(&'a str, &'a str)>)>,
    Vec<(Location, &'a str)>,
);

fn check_with(name: &str, text: &[u8], limits: Limits, expected: Expected<'_>) {
    let report = intake::read_file(name, text, &accounts(), limits);
    let records: Vec<_> = report
        .records
        .iter()
        .map(|r| {
            let problems = match &r.outcome {
                Ok(_) => Vec::new(),
                Err(diags) => diags
                    .iter()
                    .map(|d| (d.field.clone().unwrap_or_default(), d.rule.clone()))
                    .collect(),
            };
            (r.location, r.key.clone(), problems)
        })
        .collect();
    let expected_records: Vec<_> = expected
        .0
        .iter()
        .map(|(loc, key, problems)| {
            let problems: Vec<(String, String)> = problems
                .iter()
                .map(|(f, r)| ((*f).to_owned(), (*r).to_owned()))
                .collect();
            (*loc, key.map(str::to_owned), problems)
        })
        .collect();
    assert_eq!(records, expected_records, "records of {name}");
    let file: Vec<_> = report
        .file_problems
        .iter()
        .map(|d| (d.location, d.rule.clone()))
        .collect();
    let expected_file: Vec<_> = expected
        .1
        .iter()
        .map(|(l, r)| (*l, (*r).to_owned()))
        .collect();
    assert_eq!(file, expected_file, "file problems of {name}");
    assert_eq!(
        report.is_valid(),
        expected_file.is_empty() && expected_records.iter().all(|r| r.2.is_empty())
    );
    // Every diagnostic names the file.
    assert!(report.diagnostics().iter().all(|d| d.file == name));
}

fn check(name: &str, text: &str, expected: Expected<'_>) {
    check_with(name, text.as_bytes(), Limits::default(), expected);
}

const CT: &str = r#"{"type": "credit_transfer", "id": "ct-1", "source_account": "acme-eur", "scheme": "SEPA_CREDIT_TRANSFER", "amount": "10.00", "currency": "EUR", "counterparty": {"name": "Muster GmbH", "account": {"type": "IBAN", "number": "DE89370400440532013000"}}}"#;

fn ct(id: &str) -> String {
    CT.replace("ct-1", id)
}

#[test]
fn single_object_array_and_ndjson() {
    check(
        "a.json",
        CT,
        (vec![(Location::Line(1), Some("ct-1"), vec![])], vec![]),
    );
    check(
        "a.json",
        &format!("\n\n{CT}"),
        (vec![(Location::Line(3), Some("ct-1"), vec![])], vec![]),
    );
    check(
        "a.json",
        &format!("[{}, {}]", ct("a"), ct("b")),
        (
            vec![
                (Location::Index(0), Some("a"), vec![]),
                (Location::Index(1), Some("b"), vec![]),
            ],
            vec![],
        ),
    );
    check(
        "a.ndjson",
        &format!("{}\n\n{}\n", ct("a"), ct("b")),
        (
            vec![
                (Location::Line(1), Some("a"), vec![]),
                (Location::Line(3), Some("b"), vec![]),
            ],
            vec![],
        ),
    );
    // NDJSON in a .json file is recognised too.
    check(
        "a.json",
        &format!("{}\n{}\n", ct("a"), ct("b")),
        (
            vec![
                (Location::Line(1), Some("a"), vec![]),
                (Location::Line(2), Some("b"), vec![]),
            ],
            vec![],
        ),
    );
}

#[test]
fn syntax_errors_are_located_and_other_lines_still_checked() {
    check(
        "a.ndjson",
        &format!("{}\n{{\"type\": \n{}\n", ct("a"), ct("b")),
        (
            vec![
                (Location::Line(1), Some("a"), vec![]),
                (Location::Line(3), Some("b"), vec![]),
            ],
            vec![(Location::Line(2), "json.syntax")],
        ),
    );
    check(
        "a.json",
        "{\n  \"type\": \"credit_transfer\",\n  \"id\": \"x\"\n  \"amount\": \"1\"\n}",
        (vec![], vec![(Location::Line(4), "json.syntax")]),
    );
    check(
        "a.json",
        "[1, 2",
        (vec![], vec![(Location::Line(1), "json.syntax")]),
    );
}

#[test]
fn every_field_problem_is_reported() {
    let text = r#"{"type": "credit_transfer", "id": "x", "source_account": "nope", "scheme": "SEPA_DIRECT_DEBIT_CORE", "amount": 10.5, "currency": "EUR", "ammount": "1", "requested_date": "2026-13-01", "reference": {"structured": "RF00123"}, "counterparty": {"account": {"type": "IBAN", "number": "DE89370400440532013000"}, "routing": [{"type": "SWIFT", "value": "x"}]}}"#;
    check(
        "a.json",
        text,
        (
            vec![(
                Location::Line(1),
                Some("x"),
                vec![
                    ("scheme", "scheme.kind"),
                    ("amount", "amount.type"),
                    ("source_account", "account.unknown"),
                    ("requested_date", "date.format"),
                    ("reference.structured", "reference.rf_checksum"),
                    ("counterparty.name", "field.required"),
                    ("counterparty.routing[0].type", "routing.type"),
                    ("ammount", "field.unknown"),
                ],
            )],
            vec![],
        ),
    );
}

#[test]
fn unknown_type_reports_only_the_type() {
    check(
        "a.json",
        r#"{"type": "refund", "id": "r-1", "whatever": 1}"#,
        (
            vec![(Location::Line(1), Some("r-1"), vec![("type", "type")])],
            vec![],
        ),
    );
    check(
        "a.json",
        r#"[{"id": "r-1"}, 5]"#,
        (
            vec![
                (
                    Location::Index(0),
                    Some("r-1"),
                    vec![("type", "field.required")],
                ),
                (Location::Index(1), None, vec![("(record)", "field.type")]),
            ],
            vec![],
        ),
    );
}

#[test]
fn direct_debits_mandates_and_cancellations() {
    let dd = r#"{"type": "direct_debit", "id": "dd-1", "source_account": "acme-eur", "scheme": "SEPA_DIRECT_DEBIT_CORE", "amount": "49.00", "currency": "EUR", "requested_date": "2026-11-25", "mandate": "MNDT-1"}"#;
    let mandate = r#"{"type": "mandate", "id": "MNDT-1", "scheme": "SEPA_DIRECT_DEBIT_CORE", "creditor_account": "acme-eur", "signed_on": "2026-01-05", "debtor": {"name": "Jane Doe", "account": {"type": "IBAN", "number": "NL91ABNA0417164300"}}}"#;
    let cancel = r#"{"type": "mandate_cancellation", "mandate": "MNDT-1"}"#;
    check(
        "c.ndjson",
        &format!("{mandate}\n{dd}\n{cancel}\n"),
        (
            vec![
                (Location::Line(1), Some("MNDT-1"), vec![]),
                (Location::Line(2), Some("dd-1"), vec![]),
                (Location::Line(3), Some("MNDT-1"), vec![]),
            ],
            vec![],
        ),
    );
    let dd_from_sek = dd
        .replace("acme-eur", "acme-sek")
        .replace("\"requested_date\": \"2026-11-25\", ", "");
    check(
        "c.json",
        &dd_from_sek,
        (
            vec![(
                Location::Line(1),
                Some("dd-1"),
                vec![
                    ("source_account", "account.not_collecting"),
                    ("currency", "currency.account"),
                    ("requested_date", "field.required"),
                ],
            )],
            vec![],
        ),
    );
    let bad_mandate = mandate.replace("MNDT-1", "MNDT 1").replace(
        r#""type": "IBAN", "number": "NL91ABNA0417164300""#,
        r#""type": "SE_BANKGIRO", "number": "5050-1055""#,
    );
    check(
        "c.json",
        &bad_mandate,
        (
            vec![(
                Location::Line(1),
                Some("MNDT 1"),
                vec![
                    ("id", "mandate_id.characters"),
                    ("debtor.account.type", "scheme.account_type"),
                ],
            )],
            vec![],
        ),
    );
}

#[test]
fn duplicate_ids_in_one_file() {
    check(
        "d.ndjson",
        &format!("{}\n{}\n", ct("same"), ct("same")),
        (
            vec![
                (Location::Line(1), Some("same"), vec![]),
                (
                    Location::Line(2),
                    Some("same"),
                    vec![("id", "id.duplicate_in_file")],
                ),
            ],
            vec![],
        ),
    );
}

#[test]
fn file_level_rules() {
    check("e.json", "", (vec![], vec![(Location::File, "file.empty")]));
    check(
        "e.json",
        "[]",
        (vec![], vec![(Location::File, "file.empty")]),
    );
    check("e.txt", CT, (vec![], vec![(Location::File, "file.format")]));
    let bom = format!("\u{feff}{CT}");
    check(
        "b.json",
        &bom,
        (vec![(Location::Line(1), Some("ct-1"), vec![])], vec![]),
    );
    let mut latin1 = b"{\"type\": \"credit_transfer\",\n\"id\": \"M\xfcller\"}".to_vec();
    check_with(
        "l.json",
        &latin1,
        Limits::default(),
        (vec![], vec![(Location::Line(2), "file.encoding")]),
    );
    latin1.clear();
    let small = Limits {
        max_file_bytes: 10,
        max_instructions: 1,
    };
    check_with(
        "s.json",
        CT.as_bytes(),
        small,
        (vec![], vec![(Location::File, "file.size")]),
    );
    let one = Limits {
        max_file_bytes: 1 << 20,
        max_instructions: 1,
    };
    check_with(
        "n.ndjson",
        format!("{}\n{}\n", ct("a"), ct("b")).as_bytes(),
        one,
        (vec![], vec![(Location::File, "file.instructions")]),
    );
}

#[test]
fn csv_rows() {
    let header = "type,id,source_account,scheme,amount,currency,counterparty_name,counterparty_account_type,counterparty_account_number";
    check(
        "p.csv",
        &format!(
            "{header}\ncredit_transfer,a,acme-eur,SEPA_CREDIT_TRANSFER,10.00,EUR,Muster GmbH,IBAN,DE89370400440532013000\n\ncredit_transfer,b,acme-eur,SEPA_CREDIT_TRANSFER,10.001,EUR,,IBAN,DE89370400440532013000\n"
        ),
        (
            vec![
                (Location::Line(2), Some("a"), vec![]),
                (
                    Location::Line(4),
                    Some("b"),
                    vec![
                        ("amount", "amount.decimals"),
                        ("counterparty_name", "field.required"),
                    ],
                ),
            ],
            vec![],
        ),
    );
    check(
        "p.csv",
        "type,id,amount_eur\ncredit_transfer,a,1\n",
        (vec![], vec![(Location::Line(1), "csv.column_unknown")]),
    );
    check(
        "p.csv",
        &format!("{header}\ncredit_transfer,a,acme-eur\n"),
        (vec![], vec![(Location::Line(2), "csv.syntax")]),
    );
    check(
        "p.csv",
        header,
        (vec![], vec![(Location::File, "file.empty")]),
    );
}

#[test]
fn csv_and_json_with_the_same_instructions_agree() {
    let root = env!("CARGO_MANIFEST_DIR");
    for stem in [
        "fixtures/instructions/payments",
        "fixtures/instructions/invalid/payments-with-errors",
    ] {
        let verdicts = |ext: &str| {
            let path = format!("{root}/{stem}.{ext}");
            let bytes = std::fs::read(&path).unwrap();
            let report =
                intake::read_file(&path, &bytes, &accounts_of_fixture(), Limits::default());
            assert!(
                report.file_problems.is_empty(),
                "{path}: {:?}",
                report.file_problems
            );
            report
                .records
                .iter()
                .map(|r| {
                    let mut rules: Vec<(String, String)> = match &r.outcome {
                        Ok(_) => Vec::new(),
                        Err(d) => d
                            .iter()
                            .map(|d| {
                                let field = d.field.clone().unwrap_or_default();
                                (intake::csv::column_for(&field), d.rule.clone())
                            })
                            .collect(),
                    };
                    rules.sort();
                    (r.key.clone(), r.outcome.as_ref().ok().cloned(), rules)
                })
                .collect::<Vec<_>>()
        };
        let json = verdicts("json");
        assert_eq!(json, verdicts("csv"), "{stem}");
        assert!(!json.is_empty());
    }
}

fn accounts_of_fixture() -> AccountBook {
    let root = env!("CARGO_MANIFEST_DIR");
    let config = bankgate::config::load_with_env(
        std::path::Path::new(&format!("{root}/fixtures/bankgate.toml")),
        Default::default(),
    )
    .expect("fixture configuration is valid");
    AccountBook::from_config(&config)
}

#[test]
fn cross_border_options_purpose_and_address_lines() {
    let xb = r#"{"type": "credit_transfer", "id": "xb", "source_account": "acme-eur", "scheme": "CROSS_BORDER", "amount": "10.00", "currency": "USD", "urgent": true, "charge_bearer": "DEBT", "category_purpose": "SUPP", "counterparty": {"name": "Acme Inc", "address": {"country": "US", "lines": ["350 5th Avenue", "New York NY 10001"]}, "account": {"type": "NUMBER", "country": "US", "number": "123456789012"}, "routing": [{"type": "US_ABA", "value": "021000021"}]}}"#;
    check(
        "x.json",
        xb,
        (vec![(Location::Line(1), Some("xb"), vec![])], vec![]),
    );
    let sepa = CT.replace(
        r#""currency": "EUR","#,
        r#""currency": "EUR", "urgent": true, "charge_bearer": "OUR", "category_purpose": "salary","#,
    );
    check(
        "x.json",
        &sepa,
        (
            vec![(
                Location::Line(1),
                Some("ct-1"),
                vec![
                    ("charge_bearer", "charge_bearer"),
                    ("category_purpose", "category_purpose.format"),
                    ("urgent", "scheme.cross_border_only"),
                ],
            )],
            vec![],
        ),
    );
    let lines = xb.replace(
        r#"["350 5th Avenue", "New York NY 10001"]"#,
        r#"["a", 5, "c"]"#,
    );
    check(
        "x.json",
        &lines,
        (
            vec![(
                Location::Line(1),
                Some("xb"),
                vec![
                    ("counterparty.address.lines", "address.lines"),
                    ("counterparty.address.lines[1]", "field.type"),
                ],
            )],
            vec![],
        ),
    );
    let header = "type,id,source_account,scheme,amount,currency,urgent,counterparty_name,counterparty_address_country,counterparty_address_lines,counterparty_address_lines_2,counterparty_account_type,counterparty_account_number,counterparty_account_country,counterparty_routing_type,counterparty_routing_value";
    check(
        "x.csv",
        &format!(
            "{header}\ncredit_transfer,xb,acme-eur,CROSS_BORDER,10.00,USD,true,Acme Inc,US,350 5th Avenue,New York NY 10001,NUMBER,123456789012,US,US_ABA,021000021\n"
        ),
        (vec![(Location::Line(2), Some("xb"), vec![])], vec![]),
    );
}

/// With connections configured, an instruction for a scheme its account's connection
/// does not carry is refused, naming the connection and what it carries.
#[test]
fn schemes_the_connection_does_not_carry_are_refused() {
    let mut config = common::config();
    config.connections[0].schemes = vec![bankgate::domain::scheme::Scheme::SepaCreditTransfer];
    let book = AccountBook::from_config(&config);
    let ndjson = r#"{"type": "credit_transfer", "id": "x-1", "source_account": "acme-eur", "scheme": "SEPA_INSTANT_CREDIT_TRANSFER", "amount": "5.00", "currency": "EUR", "counterparty": {"name": "Supplier GmbH", "account": {"type": "IBAN", "number": "DE89370400440532013000"}}}"#;
    let report = intake::read_file("x.ndjson", ndjson.as_bytes(), &book, Limits::default());
    let diagnostics = report.diagnostics();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let d = diagnostics[0];
    assert_eq!(d.rule, "connection.scheme");
    assert_eq!(d.field.as_deref(), Some("scheme"));
    assert_eq!(d.actual, "SEPA_INSTANT_CREDIT_TRANSFER");
    assert!(
        d.expected.contains("demo-bank") && d.expected.contains("SEPA_CREDIT_TRANSFER"),
        "{}",
        d.expected
    );
}
