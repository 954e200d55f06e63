//! Property tests of the writer: for random valid instruction sets, every file validates
//! against its XSD, NbOfTxs and CtrlSum equal the recomputed values, and ids are unique
//! and stable across two renders.

mod common;

use std::collections::HashSet;

use bankgate::domain::instruction::Instruction;
use bankgate::intake::AccountBook;
use bankgate::intake::instruction::read_record;
use bankgate::iso20022::{self, MessageVersion, Profile, RenderInput};
use proptest::prelude::*;
use quick_xml::events::Event;
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// (scheme, own account, currency, counterparty account, routing) templates.
fn templates() -> Vec<(&'static str, &'static str, &'static str, Value, Value)> {
    vec![
        (
            "SEPA_CREDIT_TRANSFER",
            "acme-eur",
            "EUR",
            json!({"type": "IBAN", "number": "DE89370400440532013000"}),
            json!([]),
        ),
        (
            "SEPA_CREDIT_TRANSFER",
            "acme-eur",
            "EUR",
            json!({"type": "IBAN", "number": "NL91ABNA0417164300"}),
            json!([{"type": "BIC", "value": "ABNANL2A"}]),
        ),
        (
            "SEPA_INSTANT_CREDIT_TRANSFER",
            "acme-eur",
            "EUR",
            json!({"type": "IBAN", "number": "FR1420041010050500013M02606"}),
            json!([]),
        ),
        (
            "SE_ACCOUNT_TRANSFER",
            "acme-sek",
            "SEK",
            json!({"type": "NUMBER", "country": "SE", "number": "5000-1234560"}),
            json!([]),
        ),
        (
            "SE_BANKGIRO",
            "acme-sek",
            "SEK",
            json!({"type": "SE_BANKGIRO", "number": "5050-1055"}),
            json!([]),
        ),
        (
            "DK_STANDARD_TRANSFER",
            "acme-dkk",
            "DKK",
            json!({"type": "IBAN", "number": "DK5000400440116243"}),
            json!([]),
        ),
        (
            "CROSS_BORDER",
            "acme-eur",
            "USD",
            json!({"type": "NUMBER", "country": "US", "number": "123456789012"}),
            json!([{"type": "US_ABA", "value": "021000021"}]),
        ),
    ]
}

fn name() -> impl Strategy<Value = String> {
    "[A-Za-zÄÖÜäöüéèßåøæŁł][A-Za-z0-9ÄÖÜäöüéèßåøæŁł &<>'\"./-]{0,40}"
}

fn credit_transfer() -> impl Strategy<Value = (usize, i64, String, Option<String>, u32)> {
    (
        0..templates().len(),
        1i64..1_000_000_000_000,
        name(),
        proptest::option::of("[A-Za-z0-9äöü][A-Za-z0-9 äöü&<>]{0,59}"),
        0u32..60,
    )
}

fn build(specs: &[(usize, i64, String, Option<String>, u32)]) -> Vec<Instruction> {
    let config = common::config();
    let book = AccountBook::from_config(&config);
    let templates = templates();
    specs
        .iter()
        .enumerate()
        .map(|(n, (t, minor, name, reference, days))| {
            let (scheme, account, currency, counterparty_account, routing) = &templates[*t];
            let amount = format!("{}.{:02}", minor / 100, minor % 100);
            let date = jiff::civil::date(2026, 11, 23)
                .checked_add(jiff::Span::new().days(i64::from(*days)))
                .unwrap();
            let mut record = json!({
                "type": "credit_transfer", "id": format!("prop-{n}"), "source_account": account,
                "scheme": scheme, "amount": amount, "currency": currency,
                "requested_date": date.to_string(),
                "counterparty": {"name": name, "account": counterparty_account, "routing": routing},
            });
            if let Some(reference) = reference {
                record["reference"] = json!(reference);
            }
            read_record(&record, &book)
                .outcome
                .expect("generated instruction is valid")
        })
        .collect()
}

/// What the file says about itself: group totals, and per block its totals, amounts and ids.
#[derive(Debug, Default)]
struct Totals {
    group_count: u64,
    group_sum: Decimal,
    blocks: Vec<(String, u64, Decimal, Vec<Decimal>)>,
    end_to_end_ids: Vec<String>,
}

fn totals(xml: &str) -> Totals {
    let mut reader = quick_xml::Reader::from_str(xml);
    let mut path: Vec<String> = Vec::new();
    let mut totals = Totals::default();
    loop {
        match reader.read_event().unwrap() {
            Event::Start(e) => path.push(e.local_name().as_ref().to_owned()),
            Event::End(_) => {
                path.pop();
            }
            Event::Text(t) => {
                let text = t.into_inner().into_owned();
                let p: Vec<&str> = path.iter().map(String::as_str).collect();
                match p.as_slice() {
                    [.., "GrpHdr", "NbOfTxs"] => totals.group_count = text.parse().unwrap(),
                    [.., "GrpHdr", "CtrlSum"] => totals.group_sum = text.parse().unwrap(),
                    [.., "PmtInf", "PmtInfId"] => {
                        totals.blocks.push((text, 0, Decimal::ZERO, Vec::new()))
                    }
                    [.., "PmtInf", "NbOfTxs"] => {
                        totals.blocks.last_mut().unwrap().1 = text.parse().unwrap()
                    }
                    [.., "PmtInf", "CtrlSum"] => {
                        totals.blocks.last_mut().unwrap().2 = text.parse().unwrap()
                    }
                    [.., "InstdAmt"] => totals
                        .blocks
                        .last_mut()
                        .unwrap()
                        .3
                        .push(text.parse().unwrap()),
                    [.., "EndToEndId"] => totals.end_to_end_ids.push(text),
                    _ => {}
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    totals
}

fn render(instructions: &[Instruction], message: MessageVersion) -> String {
    let config = common::config();
    let input = RenderInput {
        instructions,
        accounts: &config.accounts,
        profile: &Profile::default(),
        message: Some(message),
        created_at: "2026-11-21T10:00:00Z".parse().unwrap(),
    };
    String::from_utf8(iso20022::render(&input, Vec::new()).unwrap().1).unwrap()
}

fn check_file(instructions: &[Instruction], message: MessageVersion) -> Result<(), TestCaseError> {
    let xml = render(instructions, message);
    if let Err(e) = common::xmllint(xml.as_bytes(), message.as_str()) {
        return Err(TestCaseError::fail(format!(
            "{message} fails its XSD: {e}\n{xml}"
        )));
    }
    let t = totals(&xml);
    let amounts: Vec<Decimal> = instructions
        .iter()
        .filter_map(|i| i.amount())
        .map(|a| a.to_decimal())
        .collect();
    prop_assert_eq!(t.group_count, amounts.len() as u64);
    prop_assert_eq!(t.group_sum, amounts.iter().sum::<Decimal>());
    for (id, count, sum, tx_amounts) in &t.blocks {
        prop_assert_eq!(*count, tx_amounts.len() as u64, "NbOfTxs of {}", id);
        prop_assert_eq!(
            *sum,
            tx_amounts.iter().sum::<Decimal>(),
            "CtrlSum of {}",
            id
        );
    }
    let block_ids: HashSet<&String> = t.blocks.iter().map(|b| &b.0).collect();
    prop_assert_eq!(block_ids.len(), t.blocks.len(), "PmtInfIds are unique");
    let e2e: HashSet<&String> = t.end_to_end_ids.iter().collect();
    prop_assert_eq!(e2e.len(), amounts.len(), "EndToEndIds are unique");
    prop_assert!(
        t.end_to_end_ids
            .iter()
            .chain(t.blocks.iter().map(|b| &b.0))
            .all(|id| id.len() <= 35)
    );
    prop_assert_eq!(render(instructions, message), xml, "rendering is stable");
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn credit_transfer_files_are_valid_and_add_up(specs in proptest::collection::vec(credit_transfer(), 1..25)) {
        let instructions = build(&specs);
        check_file(&instructions, MessageVersion::Pain001V09)?;
        check_file(&instructions, MessageVersion::Pain001V03)?;
    }

    #[test]
    fn direct_debit_files_are_valid_and_add_up(
        collections in proptest::collection::vec((1i64..100_000_000, name(), any::<bool>(), 0u32..40), 1..20),
        b2b in any::<bool>(),
    ) {
        let config = common::config();
        let book = AccountBook::from_config(&config);
        let scheme = if b2b { "SEPA_DIRECT_DEBIT_B2B" } else { "SEPA_DIRECT_DEBIT_CORE" };
        let mut instructions = Vec::new();
        for (n, (minor, name, active, days)) in collections.iter().enumerate() {
            let mandate = json!({"type": "mandate", "id": format!("M-{n}"), "scheme": scheme,
                "creditor_account": "acme-eur", "signed_on": "2026-01-05", "active": active,
                "debtor": {"name": name, "account": {"type": "IBAN", "number": "NL91ABNA0417164300"}}});
            let date = jiff::civil::date(2026, 11, 25).checked_add(jiff::Span::new().days(i64::from(*days))).unwrap();
            let collection = json!({"type": "direct_debit", "id": format!("c-{n}"), "source_account": "acme-eur",
                "scheme": scheme, "amount": format!("{}.{:02}", minor / 100, minor % 100), "currency": "EUR",
                "requested_date": date.to_string(), "mandate": format!("M-{n}")});
            for record in [mandate, collection] {
                instructions.push(read_record(&record, &book).outcome.expect("valid"));
            }
        }
        check_file(&instructions, MessageVersion::Pain008V08)?;
        check_file(&instructions, MessageVersion::Pain008V02)?;
    }
}
