//! Real pain.001 / pain.008 sample files (`$BANKGATE_SHARED/iso20022/samples`) read into
//! bankgate instructions by the test-only reader (`support::pain_samples`), then through
//! bankgate's own configuration loading and intake.
//!
//! Each sample has a row in the table below: what the reader must find, and exactly
//! which accounts the configuration refuses and which records intake refuses, with
//! the rule. The refusals are real properties of the samples (made-up IBANs and
//! creditor ids with wrong check digits, Swiss domestic payments bankgate has no scheme
//! for...); bankgate's rules are not bent to accept them, and the table makes sure the
//! set cannot change silently. A missing shared directory fails every test.

mod common;
mod support;

use std::collections::{HashMap, HashSet};
use std::path::Path;

use bankgate::config::{self, ConfigError};
use bankgate::domain::instruction::{Instruction, Mandate};
use bankgate::domain::money::Currency;
use bankgate::domain::remittance::Remittance;
use bankgate::domain::scheme::Scheme;
use bankgate::intake::{self, AccountBook, AccountFacts, Limits};
use bankgate::iso20022::charset::{Strictness, to_sepa};
use bankgate::iso20022::read::{Node, XmlLimits, XmlReader};
use bankgate::iso20022::{self, MessageVersion, Profile, RenderInput};
use serde_json::json;
use support::pain_samples::{MessageKind, SampleFile, read_sample, sample_files, shared_dir};

/// (field, rule) of one problem.
type Problem = (&'static str, &'static str);

/// What one sample file must give.
struct Expected {
    /// Sample directory: `pain.001` or `pain.008`.
    message: &'static str,
    transactions: usize,
    first_end_to_end_id: &'static str,
    first_amount: &'static str,
    /// IBANs of the own accounts (debtor / creditor accounts), in file order.
    own_ibans: &'static [&'static str],
    /// Instruction records: transactions, plus mandates for pain.008.
    records: usize,
    /// What bankgate's configuration refuses in the generated `[[accounts]]`.
    config_refusals: &'static [Problem],
    /// Records intake refuses: (record key, its problems).
    refusals: &'static [(&'static str, &'static [Problem])],
    /// Distinct paths of skipped texts inside transactions (`...TxInf/...`).
    skipped_in_transactions: &'static [&'static str],
    /// Number of skipped texts in the whole file (headers included).
    skipped_total: usize,
}

fn read(message: &str, file: &str) -> (String, SampleFile) {
    let path = shared_dir()
        .join("iso20022/samples")
        .join(message)
        .join(file);
    let xml = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("cannot read sample {}: {e}", path.display()));
    let sample = read_sample(&xml).unwrap_or_else(|e| panic!("{file}: {e}"));
    (xml, sample)
}

/// Loads the generated configuration text the way bankgate does (a TOML file).
fn load_config(text: &str) -> Result<config::Config, Vec<(String, String)>> {
    let dir = tempfile::tempdir().expect("temporary directory");
    let path = dir.path().join("bankgate.toml");
    std::fs::write(&path, text).expect("write configuration");
    config::load_with_env(&path, HashMap::new()).map_err(|e| match e {
        ConfigError::Invalid { problems, .. } => problems
            .into_iter()
            .map(|p| (p.field, p.violation.rule.to_owned()))
            .collect(),
        ConfigError::Read { message, .. } => panic!("configuration not readable: {message}"),
    })
}

/// The sample's accounts with a valid IBAN and creditor id in place of the sample's own
/// (several samples carry own-account data with wrong check digits), so the
/// transactions' text fields can still be rendered.
fn stand_in_config(sample: &SampleFile) -> config::Config {
    let mut text = String::new();
    for a in &sample.accounts {
        text.push_str(&format!(
            "[[accounts]]\nid = \"{}\"\nname = \"{}\"\niban = \"DE89370400440532013000\"\ncurrency = \"{}\"\nconnection = \"sample\"\n",
            a.id,
            a.name.as_deref().unwrap_or("Sample owner").replace('"', "'"),
            a.currency.as_deref().unwrap_or("EUR"),
        ));
        if a.creditor_id.is_some() {
            text.push_str("creditor_id = \"DE98ZZZ09999999999\"\n");
        }
    }
    load_config(&text).expect("stand-in configuration is valid")
}

/// Renders the accepted instructions in both versions of their message, validates each
/// file against its XSD, and checks that every name and remittance text is in the file
/// (converted to the SEPA character set).
fn round_trip(file: &str, accepted: &[Instruction], config: &config::Config, kind: MessageKind) {
    // One file per scheme (CORE and B2B never share one), and only collections whose
    // mandate was accepted: what the daemon does when it batches.
    let mandate_ids: HashSet<&str> = accepted
        .iter()
        .filter_map(|i| match i {
            Instruction::Mandate(m) => Some(m.id.as_str()),
            _ => None,
        })
        .collect();
    let mut schemes: Vec<Scheme> = Vec::new();
    for i in accepted {
        let scheme = match i {
            Instruction::CreditTransfer(ct) => Some(ct.scheme),
            Instruction::DirectDebit(dd) if mandate_ids.contains(dd.mandate.as_str()) => {
                Some(dd.scheme)
            }
            _ => None,
        };
        if let Some(scheme) = scheme.filter(|s| !schemes.contains(s)) {
            schemes.push(scheme);
        }
    }
    for scheme in schemes {
        let group: Vec<Instruction> = accepted
            .iter()
            .filter(|i| match i {
                Instruction::CreditTransfer(_) => kind == MessageKind::CreditTransfer,
                Instruction::DirectDebit(dd) => {
                    dd.scheme == scheme && mandate_ids.contains(dd.mandate.as_str())
                }
                Instruction::Mandate(_) => true,
                Instruction::MandateCancellation(_) => false,
            })
            .cloned()
            .collect();
        round_trip_file(file, &group, config, kind);
        if kind == MessageKind::CreditTransfer {
            break;
        }
    }
}

fn round_trip_file(
    file: &str,
    accepted: &[Instruction],
    config: &config::Config,
    kind: MessageKind,
) {
    let payments = accepted
        .iter()
        .filter(|i| {
            matches!(
                i,
                Instruction::CreditTransfer(_) | Instruction::DirectDebit(_)
            )
        })
        .count();
    if payments == 0 {
        return;
    }
    let versions = match kind {
        MessageKind::CreditTransfer => [MessageVersion::Pain001V09, MessageVersion::Pain001V03],
        MessageKind::DirectDebit => [MessageVersion::Pain008V08, MessageVersion::Pain008V02],
    };
    let mandates: Vec<&Mandate> = accepted
        .iter()
        .filter_map(|i| match i {
            Instruction::Mandate(m) => Some(m),
            _ => None,
        })
        .collect();
    let mut texts: Vec<String> = Vec::new();
    for instruction in accepted {
        match instruction {
            Instruction::CreditTransfer(ct) => {
                texts.push(ct.counterparty.name.clone());
                if let Some(Remittance::Unstructured(t)) = &ct.remittance {
                    texts.push(t.clone());
                }
                if let Some(a) = &ct.counterparty.address {
                    texts.extend(
                        [&a.street, &a.town, &a.postal_code, &a.building_number]
                            .into_iter()
                            .flatten()
                            .cloned(),
                    );
                }
            }
            Instruction::DirectDebit(dd) => {
                if let Some(m) = mandates.iter().find(|m| m.id == dd.mandate) {
                    texts.push(m.debtor.name.clone());
                }
                if let Some(Remittance::Unstructured(t)) = &dd.remittance {
                    texts.push(t.clone());
                }
            }
            _ => {}
        }
    }
    for message in versions {
        let input = RenderInput {
            instructions: accepted,
            accounts: &config.accounts,
            profile: &Profile::default(),
            message: Some(message),
            created_at: "2026-11-21T10:00:00Z".parse().unwrap(),
        };
        let (rendered, xml) = iso20022::render(&input, Vec::new())
            .unwrap_or_else(|e| panic!("{file}: {message}: {e:?}"));
        assert_eq!(rendered.number_of_transactions as usize, payments, "{file}");
        if let Err(e) = common::xmllint(&xml, message.as_str()) {
            panic!("{file} rendered as {message} fails its XSD: {e}");
        }
        let in_file = element_texts(&xml);
        println!(
            "{file}: {message}: {payments} transaction(s) rendered and valid; {} text field(s) checked",
            texts.len()
        );
        for text in &texts {
            let converted = to_sepa(text, Strictness::Lenient)
                .expect("convertible")
                .text;
            assert!(
                in_file.contains(&converted),
                "{file}: {message}: text {text:?} (as {converted:?}) is not in the rendered file"
            );
        }
    }
}

fn element_texts(xml: &[u8]) -> HashSet<String> {
    let mut reader = XmlReader::new(xml, XmlLimits::default());
    reader.document().expect("rendered file is ISO 20022");
    let mut texts = HashSet::new();
    loop {
        match reader.read_node().expect("rendered file reads back") {
            Node::End {
                text: Some(text), ..
            } => {
                texts.insert(text);
            }
            Node::Eof => return texts,
            _ => {}
        }
    }
}

fn check(file: &str, expected: Expected) {
    let (_, sample) = read(expected.message, file);
    let kind = match expected.message {
        "pain.001" => MessageKind::CreditTransfer,
        _ => MessageKind::DirectDebit,
    };
    assert_eq!(sample.kind, kind, "{file}: message kind");

    // What the reader found.
    let first = sample.transactions.first().expect("a transaction");
    assert_eq!(
        sample.transactions.len(),
        expected.transactions,
        "{file}: transactions"
    );
    assert_eq!(
        first.end_to_end_id.as_deref(),
        Some(expected.first_end_to_end_id),
        "{file}: first EndToEndId"
    );
    assert_eq!(
        first.amount.as_deref(),
        Some(expected.first_amount),
        "{file}: first amount"
    );
    let ibans: Vec<&str> = sample
        .accounts
        .iter()
        .map(|a| a.iban.as_deref().unwrap_or(""))
        .collect();
    assert_eq!(ibans, expected.own_ibans, "{file}: own account IBANs");
    assert_eq!(sample.records.len(), expected.records, "{file}: records");
    // Each transaction's record is its own payment, with the EndToEndId as id.
    for t in &sample.transactions {
        let record = &sample.records[t.record];
        let payment = match kind {
            MessageKind::CreditTransfer => "credit_transfer",
            MessageKind::DirectDebit => "direct_debit",
        };
        assert_eq!(record["type"], payment, "{file}: {record}");
        assert_eq!(record["id"].as_str(), t.end_to_end_id.as_deref(), "{file}");
        assert_eq!(record["source_account"].as_str(), Some(t.account.as_str()));
    }

    // Through bankgate's configuration.
    let config_text = sample.config_toml();
    let render_config = load_config(&config_text).unwrap_or_else(|_| stand_in_config(&sample));
    let book = match load_config(&config_text) {
        Ok(config) => {
            assert!(
                expected.config_refusals.is_empty(),
                "{file}: configuration accepted, expected refusals {:?}",
                expected.config_refusals
            );
            AccountBook::from_config(&config)
        }
        Err(problems) => {
            let want: Vec<(String, String)> = expected
                .config_refusals
                .iter()
                .map(|(f, r)| ((*f).to_owned(), (*r).to_owned()))
                .collect();
            assert_eq!(
                problems, want,
                "{file}: configuration refusals\n{config_text}"
            );
            // Judge the records on their own: the accounts as the file has them.
            let mut book = AccountBook::default();
            for a in &sample.accounts {
                let currency: Currency = a
                    .currency
                    .as_deref()
                    .expect("account currency")
                    .parse()
                    .expect("ISO 4217 currency");
                let facts = AccountFacts {
                    currency,
                    collecting: a.creditor_id.is_some(),
                    connection: None,
                };
                book.insert(&a.id, facts);
            }
            book
        }
    };

    // Through bankgate's intake, as an NDJSON instruction file.
    let name = format!("{file}.ndjson");
    let report = intake::read_file(&name, sample.ndjson().as_bytes(), &book, Limits::default());
    assert!(
        report.file_problems.is_empty(),
        "{file}: {:?}",
        report.file_problems
    );
    assert_eq!(report.records.len(), sample.records.len(), "{file}");
    let refused: Vec<(String, Vec<(String, String)>)> = report
        .records
        .iter()
        .filter_map(|r| {
            let problems = r.outcome.as_ref().err()?;
            let problems = problems
                .iter()
                .map(|d| (d.field.clone().unwrap_or_default(), d.rule.clone()))
                .collect();
            Some((r.key.clone().unwrap_or_default(), problems))
        })
        .collect();
    let want: Vec<(String, Vec<(String, String)>)> = expected
        .refusals
        .iter()
        .map(|(key, problems)| {
            let problems = problems
                .iter()
                .map(|(f, r)| ((*f).to_owned(), (*r).to_owned()))
                .collect();
            ((*key).to_owned(), problems)
        })
        .collect();
    for d in report.diagnostics() {
        println!("{d}");
    }
    assert_eq!(refused, want, "{file}: refused records");

    // Render what intake accepted, validate it, and find every text field in the file.
    let accepted: Vec<Instruction> = report.instructions().cloned().collect();
    round_trip(file, &accepted, &render_config, kind);

    // What does not round-trip.
    let in_transactions: Vec<String> = sample
        .skipped_paths()
        .into_iter()
        .filter(|p| p.contains("TxInf/"))
        .collect();
    assert_eq!(
        in_transactions,
        expected.skipped_in_transactions,
        "{file}: skipped in transactions; all skipped:\n{}",
        sample.skipped.join("\n")
    );
    assert_eq!(
        sample.skipped.len(),
        expected.skipped_total,
        "{file}: skipped texts:\n{}",
        sample.skipped.join("\n")
    );
    println!(
        "{file}: {} transactions, {} records, {} refused, {} config refusals, {} texts skipped",
        sample.transactions.len(),
        sample.records.len(),
        refused.len(),
        expected.config_refusals.len(),
        sample.skipped.len()
    );
}

/// One `#[test]` per sample, and the list of samples the table covers.
macro_rules! samples {
    ($($test:ident: $file:literal => $expected:expr;)+) => {
        const CHECKED: &[&str] = &[$($file),+];
        $(
            #[test]
            fn $test() {
                check($file, $expected);
            }
        )+
    };
}

const BAD_IBAN: &str = "iban.checksum";

samples! {
    lt_bank_crossborder_usd: "lt-bank_pain.001.001.03_crossborder-USD_utf8-BOM.xml" => Expected {
        message: "pain.001",
        transactions: 1,
        first_end_to_end_id: "EndToEndId0002",
        first_amount: "111.11",
        own_ibans: &["LT007180000000000000"],
        records: 1,
        config_refusals: &[("accounts[0].iban", BAD_IBAN)],
        refusals: &[],
        skipped_in_transactions: &[
            "PmtInf/CdtTrfTxInf/Cdtr/PstlAdr/AdrLine",
            "PmtInf/CdtTrfTxInf/CdtrAgt/FinInstnId/Nm",
        ],
        skipped_total: 8,
    };
    lt_bank_sepa: "lt-bank_pain.001.001.03_sepa_utf8-BOM.xml" => Expected {
        message: "pain.001",
        transactions: 1,
        first_end_to_end_id: "EndToEndId0001",
        first_amount: "99.99",
        own_ibans: &["LT007180000000000000"],
        records: 1,
        config_refusals: &[("accounts[0].iban", BAD_IBAN)],
        refusals: &[("EndToEndId0001", &[("counterparty.account.number", BAD_IBAN)])],
        skipped_in_transactions: &[
            "PmtInf/CdtTrfTxInf/Cdtr/Id/OrgId/Othr/Id",
            "PmtInf/CdtTrfTxInf/Cdtr/Id/OrgId/Othr/SchmeNm/Cd",
            "PmtInf/CdtTrfTxInf/Cdtr/PstlAdr/AdrLine",
            "PmtInf/CdtTrfTxInf/PmtId/InstrId",
        ],
        skipped_total: 13,
    };
    corpus_ch_crossborder_usd_urgp: "pain001-corpus_ch_crossborder-USD-URGP_pain.001.001.09.xml" => Expected {
        message: "pain.001",
        transactions: 1,
        first_end_to_end_id: "AFM-X-0921-001",
        first_amount: "48200.00",
        own_ibans: &["CH9009808930715794848"],
        records: 1,
        config_refusals: &[],
        refusals: &[],
        skipped_in_transactions: &[
            "PmtInf/CdtTrfTxInf/Cdtr/PstlAdr/AdrLine",
            "PmtInf/CdtTrfTxInf/Cdtr/PstlAdr/CtrySubDvsn",
            "PmtInf/CdtTrfTxInf/PmtId/UETR",
            "PmtInf/CdtTrfTxInf/Purp/Cd",
        ],
        skipped_total: 24,
    };
    corpus_de_sct_inst: "pain001-corpus_de_sct-inst_pain.001.001.09.xml" => Expected {
        message: "pain.001",
        transactions: 1,
        first_end_to_end_id: "MSTR-INST-2026-0921-01",
        first_amount: "450.00",
        own_ibans: &["DE32836434947078661011"],
        records: 1,
        config_refusals: &[],
        refusals: &[],
        skipped_in_transactions: &[],
        skipped_total: 14,
    };
    corpus_de_urgent_urgp: "pain001-corpus_de_urgent-URGP_pain.001.001.09.xml" => Expected {
        message: "pain.001",
        transactions: 1,
        first_end_to_end_id: "MSTR-CCU-2026-0921-01",
        first_amount: "250000.00",
        own_ibans: &["DE89099991287457870052"],
        records: 1,
        config_refusals: &[],
        refusals: &[],
        skipped_in_transactions: &[
            "PmtInf/CdtTrfTxInf/Cdtr/PstlAdr/CtrySubDvsn",
            "PmtInf/CdtTrfTxInf/CdtrAgt/FinInstnId/PstlAdr/Ctry",
            "PmtInf/CdtTrfTxInf/CdtrAgt/FinInstnId/PstlAdr/TwnNm",
            "PmtInf/CdtTrfTxInf/PmtId/UETR",
            "PmtInf/CdtTrfTxInf/Purp/Cd",
        ],
        skipped_total: 26,
    };
    php_sepa_xml_pain001: "php-sepa-xml_pain.001.001.09.xml" => Expected {
        message: "pain.001",
        transactions: 1,
        first_end_to_end_id: "SomethingUnique",
        first_amount: "12.34",
        own_ibans: &["BG87200500001234567890"],
        records: 1,
        config_refusals: &[("accounts[0].iban", BAD_IBAN)],
        refusals: &[],
        skipped_in_transactions: &[
            "PmtInf/CdtTrfTxInf/Cdtr/PstlAdr/Flr",
            "PmtInf/CdtTrfTxInf/PmtId/UETR",
            "PmtInf/CdtTrfTxInf/RmtInf/Strd/CdtrRefInf/Ref",
            "PmtInf/CdtTrfTxInf/RmtInf/Strd/CdtrRefInf/Tp/CdOrPrtry/Cd",
            "PmtInf/CdtTrfTxInf/RmtInf/Strd/CdtrRefInf/Tp/Issr",
        ],
        skipped_total: 9,
    };
    postfinance_ch_musterfile: "postfinance-ch_pain.001.001.03.ch.02_musterfile.xml" => Expected {
        message: "pain.001",
        transactions: 8,
        first_end_to_end_id: "EndToEndId-01-01",
        first_amount: "6.20",
        own_ibans: &["CH0309000000250090342", "CH5109000000250092291"],
        records: 8,
        config_refusals: &[],
        refusals: &[
            ("EndToEndId-01-01", &[("counterparty.address.country", "field.required")]),
            ("EndToEndId-02-01", &[
                ("counterparty.account.country", "field.required"),
                ("counterparty.account.number", "number.country_required"),
            ]),
            ("EndToEndId-02-02", &[("counterparty.address.country", "field.required")]),
            ("EndToEndId-03-01", &[("counterparty.routing", "scheme.routing_required")]),
            ("EndToEndId-03-02", &[
                ("counterparty.address.country", "field.required"),
                ("counterparty.account.number", BAD_IBAN),
            ]),
            ("EndToEndId-04-01", &[
                ("amount", "field.required"),
                ("currency", "currency.account"),
                ("counterparty.account.number", BAD_IBAN),
            ]),
            ("EEndToEndId-05-01", &[("counterparty.routing", "scheme.routing_required")]),
            ("EEndToEndId-06-01", &[("counterparty.routing", "scheme.routing_required")]),
        ],
        skipped_in_transactions: &[
            "PmtInf/CdtTrfTxInf/Amt/EqvtAmt/Amt",
            "PmtInf/CdtTrfTxInf/Amt/EqvtAmt/Amt/@Ccy",
            "PmtInf/CdtTrfTxInf/Cdtr/PstlAdr/AdrLine",
            "PmtInf/CdtTrfTxInf/PmtId/InstrId",
            "PmtInf/CdtTrfTxInf/PmtTpInf/LclInstrm/Prtry",
            "PmtInf/CdtTrfTxInf/RmtInf/Strd/CdtrRefInf/Ref",
            "PmtInf/CdtTrfTxInf/RmtInf/Strd/CdtrRefInf/Tp/CdOrPrtry/Prtry",
        ],
        skipped_total: 38,
    };
    sepa_king_swiss_variant: "sepa-king_pain.001.001.03.ch.02_swiss-variant.xml" => Expected {
        message: "pain.001",
        transactions: 3,
        first_end_to_end_id: "ENDTOENDID-001",
        first_amount: "3949.75",
        own_ibans: &["CH5481230000001998736"],
        records: 3,
        config_refusals: &[],
        refusals: &[
            ("ENDTOENDID-001", &[
                ("counterparty.name", "field.required"),
                ("counterparty.account.country", "field.required"),
                ("counterparty.account.number", "number.country_required"),
            ]),
            ("ENDTOENDID-002", &[("counterparty.account.number", "number.iban_only")]),
            ("ENDTOENDID-003", &[("currency", "currency.account")]),
        ],
        skipped_in_transactions: &[
            "PmtInf/CdtTrfTxInf/Cdtr/PstlAdr/AdrLine",
            "PmtInf/CdtTrfTxInf/PmtId/InstrId",
            "PmtInf/CdtTrfTxInf/PmtTpInf/LclInstrm/Prtry",
            "PmtInf/CdtTrfTxInf/RmtInf/Strd/CdtrRefInf/Ref",
        ],
        skipped_total: 19,
    };
    sepa_king_pain001: "sepa-king_pain.001.001.03.xml" => Expected {
        message: "pain.001",
        transactions: 2,
        first_end_to_end_id: "OriginatorID1234",
        first_amount: "6543.14",
        own_ibans: &["DE87200500001234567890"],
        records: 2,
        config_refusals: &[],
        refusals: &[],
        skipped_in_transactions: &[],
        skipped_total: 5,
    };
    synthetic_multi_pmtinf: "synthetic_pain.001.001.09_multi-pmtinf.xml" => Expected {
        message: "pain.001",
        transactions: 4,
        first_end_to_end_id: "INV-77120",
        first_amount: "12500.50",
        own_ibans: &["NL91ABNA0417164300", "NL91ABNA0417164301"],
        records: 4,
        config_refusals: &[("accounts[1].iban", BAD_IBAN)],
        refusals: &[("INV-77121", &[("counterparty.account.number", BAD_IBAN)])],
        skipped_in_transactions: &[
            "PmtInf/CdtTrfTxInf/Purp/Cd",
            "PmtInf/CdtTrfTxInf/RmtInf/Strd/RfrdDocAmt/DuePyblAmt",
            "PmtInf/CdtTrfTxInf/RmtInf/Strd/RfrdDocAmt/DuePyblAmt/@Ccy",
            "PmtInf/CdtTrfTxInf/RmtInf/Strd/RfrdDocInf/Nb",
            "PmtInf/CdtTrfTxInf/RmtInf/Strd/RfrdDocInf/RltdDt",
            "PmtInf/CdtTrfTxInf/RmtInf/Strd/RfrdDocInf/Tp/CdOrPrtry/Cd",
        ],
        skipped_total: 14,
    };
    corpus_de_sdd_b2b_frst: "pain001-corpus_de_sdd-B2B-FRST_pain.008.001.08.xml" => Expected {
        message: "pain.008",
        transactions: 1,
        first_end_to_end_id: "LSG-2026-09-000001",
        first_amount: "1490.00",
        own_ibans: &["DE41674816287138335500"],
        records: 2,
        config_refusals: &[],
        refusals: &[],
        skipped_in_transactions: &[],
        skipped_total: 14,
    };
    php_sepa_xml_pain008_v02: "php-sepa-xml_pain.008.001.02.xml" => Expected {
        message: "pain.008",
        transactions: 1,
        first_end_to_end_id: "SomethingUnique",
        first_amount: "12.34",
        own_ibans: &["BG87200500001234567890"],
        records: 2,
        config_refusals: &[
            ("accounts[0].iban", BAD_IBAN),
            ("accounts[0].creditor_id", "creditor_id.checksum"),
        ],
        refusals: &[],
        skipped_in_transactions: &[],
        skipped_total: 5,
    };
    php_sepa_xml_pain008_v08: "php-sepa-xml_pain.008.001.08.xml" => Expected {
        message: "pain.008",
        transactions: 1,
        first_end_to_end_id: "SomethingUnique",
        first_amount: "12.34",
        own_ibans: &["BG87200500001234567890"],
        records: 2,
        config_refusals: &[
            ("accounts[0].iban", BAD_IBAN),
            ("accounts[0].creditor_id", "creditor_id.checksum"),
        ],
        refusals: &[],
        skipped_in_transactions: &[
            "PmtInf/DrctDbtTxInf/Dbtr/PstlAdr/Flr",
            "PmtInf/DrctDbtTxInf/PmtId/UETR",
        ],
        skipped_total: 7,
    };
    postfinance_ch_chdd: "postfinance-ch_pain.008.001.02.ch.03_chdd-musterfile.xml" => Expected {
        message: "pain.008",
        transactions: 2,
        first_end_to_end_id: "E2EId-CHDD-1",
        first_amount: "1.5",
        own_ibans: &["CH2909000000250094239"],
        records: 2,
        config_refusals: &[("accounts[0].creditor_id", "creditor_id.country")],
        refusals: &[
            ("E2EId-CHDD-1", &[("scheme", "field.required"), ("mandate", "field.required")]),
            ("E2EId-CHDD-2", &[("scheme", "field.required"), ("mandate", "field.required")]),
        ],
        skipped_in_transactions: &[
            "PmtInf/DrctDbtTxInf/Dbtr/Nm",
            "PmtInf/DrctDbtTxInf/Dbtr/PstlAdr/Ctry",
            "PmtInf/DrctDbtTxInf/Dbtr/PstlAdr/PstCd",
            "PmtInf/DrctDbtTxInf/Dbtr/PstlAdr/StrtNm",
            "PmtInf/DrctDbtTxInf/Dbtr/PstlAdr/TwnNm",
            "PmtInf/DrctDbtTxInf/DbtrAcct/Id/IBAN",
            "PmtInf/DrctDbtTxInf/DbtrAgt/FinInstnId/ClrSysMmbId/MmbId",
            "PmtInf/DrctDbtTxInf/PmtId/InstrId",
        ],
        skipped_total: 29,
    };
    sepa_king_de_dk_pain008: "sepa-king_pain.008.003.02_de-dk.xml" => Expected {
        message: "pain.008",
        transactions: 2,
        first_end_to_end_id: "OriginatorID1234",
        first_amount: "6543.14",
        own_ibans: &["DE87200500001234567890"],
        records: 4,
        config_refusals: &[("accounts[0].creditor_id", "creditor_id.checksum")],
        refusals: &[],
        skipped_in_transactions: &[
            "PmtInf/DrctDbtTxInf/DrctDbtTx/MndtRltdInf/AmdmntInd",
            "PmtInf/DrctDbtTxInf/DrctDbtTx/MndtRltdInf/AmdmntInfDtls/OrgnlCdtrSchmeId/Id/PrvtId/Othr/Id",
            "PmtInf/DrctDbtTxInf/DrctDbtTx/MndtRltdInf/AmdmntInfDtls/OrgnlCdtrSchmeId/Id/PrvtId/Othr/SchmeNm/Prtry",
            "PmtInf/DrctDbtTxInf/DrctDbtTx/MndtRltdInf/AmdmntInfDtls/OrgnlCdtrSchmeId/Nm",
            "PmtInf/DrctDbtTxInf/UltmtDbtr/Nm",
        ],
        skipped_total: 11,
    };
    synthetic_multi_seqtp: "synthetic_pain.008.001.08_multi-seqtp.xml" => Expected {
        message: "pain.008",
        transactions: 4,
        first_end_to_end_id: "DD-0001",
        first_amount: "120.45",
        own_ibans: &["NL91ABNA0417164300"],
        records: 8,
        config_refusals: &[("accounts[0].creditor_id", "creditor_id.checksum")],
        refusals: &[("MND-0000115", &[("debtor.account.number", BAD_IBAN)])],
        skipped_in_transactions: &[
            "PmtInf/DrctDbtTxInf/DbtrAgt/FinInstnId/Othr/Id",
            "PmtInf/DrctDbtTxInf/DrctDbtTx/MndtRltdInf/AmdmntInd",
            "PmtInf/DrctDbtTxInf/DrctDbtTx/MndtRltdInf/AmdmntInfDtls/OrgnlDbtrAcct/Id/IBAN",
            "PmtInf/DrctDbtTxInf/DrctDbtTx/MndtRltdInf/AmdmntInfDtls/OrgnlMndtId",
            "PmtInf/DrctDbtTxInf/PmtId/InstrId",
            "PmtInf/DrctDbtTxInf/RmtInf/Strd/RfrdDocInf/Nb",
            "PmtInf/DrctDbtTxInf/RmtInf/Strd/RfrdDocInf/Tp/CdOrPrtry/Cd",
        ],
        skipped_total: 17,
    };
}

/// Every sample in the shared directory has a row in the table, and every row a file.
#[test]
fn every_sample_is_checked() {
    let mut found: Vec<String> = ["pain.001", "pain.008"]
        .iter()
        .flat_map(|m| sample_files(m))
        .map(|p| file_name(&p))
        .collect();
    found.sort();
    let mut checked: Vec<String> = CHECKED.iter().map(|s| (*s).to_owned()).collect();
    checked.sort();
    assert_eq!(found, checked);
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .and_then(|n| n.to_str())
        .expect("UTF-8 file name")
        .to_owned()
}

/// The full record for a cross-border payment: NUMBER account with the country of the
/// creditor address, BIC and US_ABA routing from `ClrSysMmbId`, `ReqdExctnDt/Dt`.
#[test]
fn crossborder_record_in_full() {
    let (_, sample) = read(
        "pain.001",
        "pain001-corpus_ch_crossborder-USD-URGP_pain.001.001.09.xml",
    );
    assert_eq!(
        sample.records,
        [json!({
            "type": "credit_transfer", "id": "AFM-X-0921-001", "source_account": "acct-1",
            "scheme": "CROSS_BORDER", "amount": "48200.00", "currency": "USD",
            "requested_date": "2026-09-22", "reference": "PO 2026-772",
            "counterparty": {
                "name": "Sierra Optics Inc",
                "address": {"country": "US", "town": "Fremont", "postal_code": "94538"},
                "account": {"type": "NUMBER", "number": "5512345678", "country": "US"},
                "routing": [
                    {"type": "BIC", "value": "DXTQUSY0"},
                    {"type": "US_ABA", "value": "121000248"}
                ]
            }
        })]
    );
    assert_eq!(
        sample.config_toml(),
        "[[accounts]]\nid = \"acct-1\"\nname = \"Alpina Feinmechanik AG\"\n\
         iban = \"CH9009808930715794848\"\nbic = \"OSEDCHZ0\"\ncurrency = \"USD\"\n\
         connection = \"sample\"\n\n"
    );
}

/// Instant scheme from `SvcLvl` SEPA + `LclInstrm` INST; the date of a `DtTm`, whose
/// time is listed as skipped.
#[test]
fn instant_record_in_full() {
    let (_, sample) = read("pain.001", "pain001-corpus_de_sct-inst_pain.001.001.09.xml");
    assert_eq!(
        sample.records,
        [json!({
            "type": "credit_transfer", "id": "MSTR-INST-2026-0921-01", "source_account": "acct-1",
            "scheme": "SEPA_INSTANT_CREDIT_TRANSFER", "amount": "450.00", "currency": "EUR",
            "requested_date": "2026-09-21", "reference": "Eilrechnung 2026-117",
            "counterparty": {
                "name": "Schnelldienst Berlin GmbH",
                "address": {"country": "DE", "town": "Berlin", "postal_code": "10115"},
                "account": {"type": "IBAN", "number": "DE46910579234762349724"},
                "routing": [{"type": "BIC", "value": "CYCVDEQ0"}]
            }
        })]
    );
    assert!(
        sample
            .skipped
            .contains(&"PmtInf/ReqdExctnDt/DtTm=2026-09-21T14:05:00".to_owned())
    );
}

/// Structured RF reference; two payment information blocks of one debtor account with
/// another `Dbtr/Nm` (kept skipped); an AdrLine-only address gives no address.
#[test]
fn postfinance_details() {
    let (_, sample) = read(
        "pain.001",
        "postfinance-ch_pain.001.001.03.ch.02_musterfile.xml",
    );
    let by_id = |id: &str| {
        sample
            .records
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("record {id}"))
            .clone()
    };
    assert_eq!(
        by_id("EEndToEndId-06-01")["reference"],
        json!({"structured": "RF18539007547034"})
    );
    let equivalent = by_id("EndToEndId-04-01");
    assert_eq!(equivalent.get("amount"), None);
    assert_eq!(equivalent["currency"], "EUR");
    assert_eq!(
        equivalent["counterparty"]["address"],
        json!({"country": "IT"})
    );
    for text in [
        // The group header counts 7 transactions; the file holds 8 (CtrlSum agrees).
        "GrpHdr/NbOfTxs=7",
        "PmtInf[4]/Dbtr/Nm=Robert Schneider SA",
        "PmtInf[4]/CdtTrfTxInf/Amt/EqvtAmt/Amt=1",
        "PmtInf[4]/CdtTrfTxInf/Cdtr/PstlAdr/AdrLine[1]=Via 10",
        "PmtInf[4]/PmtMtd=TRA",
    ] {
        assert!(sample.skipped.contains(&text.to_owned()), "{text}");
    }
    let accounts: Vec<_> = sample
        .transactions
        .iter()
        .map(|t| t.account.as_str())
        .collect();
    assert_eq!(
        accounts,
        [
            "acct-1", "acct-1", "acct-1", "acct-1", "acct-1", "acct-1", "acct-2", "acct-2"
        ]
    );
}

/// pain.008: the mandates first (one per MndtId), then the direct debits.
#[test]
fn direct_debit_records_in_full() {
    let (_, sample) = read(
        "pain.008",
        "pain001-corpus_de_sdd-B2B-FRST_pain.008.001.08.xml",
    );
    assert_eq!(
        sample.records,
        [
            json!({
                "type": "mandate", "id": "LSG-MNDT-2026-0044", "scheme": "SEPA_DIRECT_DEBIT_B2B",
                "creditor_account": "acct-1", "signed_on": "2026-09-01", "active": true,
                "debtor": {
                    "name": "Speditions Meier GmbH",
                    "address": {"country": "DE", "town": "Stuttgart", "postal_code": "70173"},
                    "account": {"type": "IBAN", "number": "DE82305524694002643988"},
                    "routing": [{"type": "BIC", "value": "TTDWDEC0"}]
                }
            }),
            json!({
                "type": "direct_debit", "id": "LSG-2026-09-000001", "source_account": "acct-1",
                "scheme": "SEPA_DIRECT_DEBIT_B2B", "amount": "1490.00", "currency": "EUR",
                "requested_date": "2026-09-25", "mandate": "LSG-MNDT-2026-0044",
                "reference": "Leasingrate 10/2026"
            }),
        ]
    );
    assert_eq!(
        sample.accounts[0].creditor_id.as_deref(),
        Some("DE98ZZZ09999999999")
    );
    assert!(
        sample
            .config_toml()
            .contains("creditor_id = \"DE98ZZZ09999999999\"\n")
    );
}

/// What no sample has: namespace prefixes, entities, an EndToEndId of NOTPROVIDED (the
/// InstrId is used), none at all (a synthetic id), a repeated mandate with the same data.
#[test]
fn prefixes_entities_and_fallback_ids() {
    let xml = r#"<?xml version="1.0"?>
<p:Document xmlns:p="urn:iso:std:iso:20022:tech:xsd:pain.008.001.02">
 <p:CstmrDrctDbtInitn>
  <p:GrpHdr><p:MsgId>M1</p:MsgId><p:NbOfTxs>3</p:NbOfTxs><p:CtrlSum>3.00</p:CtrlSum></p:GrpHdr>
  <p:PmtInf>
   <p:PmtMtd>DD</p:PmtMtd>
   <p:PmtTpInf><p:SvcLvl><p:Cd>SEPA</p:Cd></p:SvcLvl><p:LclInstrm><p:Cd>CORE</p:Cd></p:LclInstrm></p:PmtTpInf>
   <p:ReqdColltnDt>2026-01-05</p:ReqdColltnDt>
   <p:Cdtr><p:Nm>Smith &amp; Sons</p:Nm></p:Cdtr>
   <p:CdtrAcct><p:Id><p:IBAN>DE89370400440532013000</p:IBAN></p:Id><p:Ccy>EUR</p:Ccy></p:CdtrAcct>
   <p:CdtrSchmeId><p:Id><p:PrvtId><p:Othr><p:Id>DE98ZZZ09999999999</p:Id></p:Othr></p:PrvtId></p:Id></p:CdtrSchmeId>
   <p:DrctDbtTxInf>
    <p:PmtId><p:InstrId>I-1</p:InstrId><p:EndToEndId>NOTPROVIDED</p:EndToEndId></p:PmtId>
    <p:InstdAmt Ccy="EUR">1.00</p:InstdAmt>
    <p:DrctDbtTx><p:MndtRltdInf><p:MndtId>M-1</p:MndtId><p:DtOfSgntr>2025-12-01</p:DtOfSgntr></p:MndtRltdInf></p:DrctDbtTx>
    <p:Dbtr><p:Nm>J&#246;rg</p:Nm></p:Dbtr>
    <p:DbtrAcct><p:Id><p:IBAN>NL91ABNA0417164300</p:IBAN></p:Id></p:DbtrAcct>
    <p:RmtInf><p:Ustrd><![CDATA[a<b]]></p:Ustrd></p:RmtInf>
   </p:DrctDbtTxInf>
   <p:DrctDbtTxInf>
    <p:InstdAmt Ccy="EUR">2.00</p:InstdAmt>
    <p:DrctDbtTx><p:MndtRltdInf><p:MndtId>M-1</p:MndtId><p:DtOfSgntr>2025-12-01</p:DtOfSgntr></p:MndtRltdInf></p:DrctDbtTx>
    <p:Dbtr><p:Nm>J&#246;rg</p:Nm></p:Dbtr>
    <p:DbtrAcct><p:Id><p:IBAN>NL91ABNA0417164300</p:IBAN></p:Id></p:DbtrAcct>
   </p:DrctDbtTxInf>
  </p:PmtInf>
 </p:CstmrDrctDbtInitn>
</p:Document>"#;
    let sample = read_sample(xml).expect("readable");
    let ids: Vec<&str> = sample
        .records
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["M-1", "I-1", "sample-tx-2"]);
    assert_eq!(sample.records[0]["debtor"]["name"], "Jörg");
    assert_eq!(sample.records[1]["reference"], "a<b");
    assert_eq!(sample.accounts[0].name.as_deref(), Some("Smith & Sons"));
    // NbOfTxs 3 and CtrlSum 3.00 disagree with the two transactions (sum 3.00).
    assert_eq!(
        sample.skipped,
        [
            "GrpHdr/MsgId=M1",
            "GrpHdr/NbOfTxs=3",
            "PmtInf/DrctDbtTxInf[1]/PmtId/EndToEndId=NOTPROVIDED",
        ]
    );
}

#[test]
fn other_messages_are_refused() {
    let err = read_sample("<Document><CstmrPmtStsRpt/></Document>").unwrap_err();
    assert!(err.contains("CstmrPmtStsRpt"), "{err}");
    assert!(read_sample("<Document><CstmrCdtTrfInitn></Document>").is_err());
}

/// Every text field of every sample (names, address parts, remittance lines), carried in
/// a valid instruction, renders in both pain.001 versions, validates, and is found in the
/// file converted to the SEPA character set. This covers the texts of transactions that
/// intake refuses for other reasons (wrong check digits, Swiss domestic schemes).
#[test]
fn every_sample_text_field_round_trips() {
    let config = common::config();
    let book = AccountBook::from_config(&config);
    let mut records = Vec::new();
    let mut expected = Vec::new();
    for message in ["pain.001", "pain.008"] {
        for path in sample_files(message) {
            let xml = std::fs::read(&path).unwrap();
            let mut reader = XmlReader::new(&xml[..], XmlLimits::default());
            reader.document().expect("sample is ISO 20022");
            loop {
                let parent = reader.path().last().cloned().unwrap_or_default();
                match reader.read_node().expect("sample reads") {
                    Node::End {
                        name,
                        text: Some(text),
                    } => {
                        let field = match name.as_str() {
                            "Nm" if matches!(
                                parent.as_str(),
                                "Cdtr" | "Dbtr" | "InitgPty" | "UltmtCdtr" | "UltmtDbtr"
                            ) =>
                            {
                                "name"
                            }
                            "Nm" => continue,
                            "StrtNm" => "street",
                            "TwnNm" => "town",
                            "PstCd" => "postal_code",
                            "BldgNb" => "building_number",
                            "Ustrd" | "AdrLine" => "reference",
                            _ => continue,
                        };
                        let n = records.len();
                        let mut record = json!({"type": "credit_transfer", "id": format!("text-{n}"),
                            "source_account": "acme-eur", "scheme": "SEPA_CREDIT_TRANSFER",
                            "amount": "1.00", "currency": "EUR", "requested_date": "2026-11-23",
                            "counterparty": {"name": "Placeholder", "address": {"country": "DE"},
                                "account": {"type": "IBAN", "number": "DE89370400440532013000"}}});
                        match field {
                            "name" => record["counterparty"]["name"] = json!(text),
                            "reference" => record["reference"] = json!(text),
                            part => record["counterparty"]["address"][part] = json!(text),
                        }
                        let file = path.file_name().unwrap().to_string_lossy().into_owned();
                        expected.push((file, field, text));
                        records.push(record);
                    }
                    Node::Eof => break,
                    _ => {}
                }
            }
        }
    }
    assert!(expected.len() > 100, "texts found: {}", expected.len());
    let instructions: Vec<Instruction> = records
        .iter()
        .zip(&expected)
        .map(|(record, (file, field, text))| {
            intake::instruction::read_record(record, &book)
                .outcome
                .unwrap_or_else(|e| panic!("{file}: {field} {text:?} is refused: {e:?}"))
        })
        .collect();
    for message in [MessageVersion::Pain001V09, MessageVersion::Pain001V03] {
        let input = RenderInput {
            instructions: &instructions,
            accounts: &config.accounts,
            profile: &Profile::default(),
            message: Some(message),
            created_at: "2026-11-21T10:00:00Z".parse().unwrap(),
        };
        let (_, xml) = iso20022::render(&input, Vec::new()).expect("renders");
        common::xmllint(&xml, message.as_str()).unwrap_or_else(|e| panic!("{message}: {e}"));
        let in_file = element_texts(&xml);
        for (file, field, text) in &expected {
            let converted = to_sepa(text, Strictness::Lenient)
                .expect("convertible")
                .text;
            assert!(
                in_file.contains(&converted),
                "{file}: {field} {text:?} → {converted:?} missing in {message}"
            );
        }
    }
    println!("{} sample text fields round-tripped", expected.len());
}
