//! pain.002 status reports: every shared sample read to concrete values, the streaming
//! order, strictness about numbers, leniency about layout, mutated files that must fail
//! cleanly (never panic), and a 100,000-transaction file read without collecting.

use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::str::FromStr;

use bankgate::iso20022::pain002::{
    MAX_ADDITIONAL_INFO, MAX_REASONS, StatusReportReader, read_status_report,
};
use bankgate::iso20022::read::{ReadError, XmlLimits};
use bankgate::iso20022::report::{
    GroupStatus, PaymentInformationStatus, PaymentStatusReport, ReportedAmount, StatusItem,
    StatusReason, TransactionStatus,
};
use rust_decimal::Decimal;

// ---------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------

fn samples_dir() -> PathBuf {
    let shared = std::env::var("BANKGATE_SHARED")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../shared").to_owned());
    let dir = PathBuf::from(shared).join("iso20022/samples/pain.002");
    assert!(
        dir.is_dir(),
        "the pain.002 samples are missing: {} does not exist. Set BANKGATE_SHARED to the \
         shared reference directory (scripts/test.sh does); this test never skips.",
        dir.display()
    );
    dir
}

fn sample(file: &str) -> Vec<u8> {
    let path = samples_dir().join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn dec(text: &str) -> Decimal {
    Decimal::from_str(text).unwrap()
}

fn eur(text: &str) -> Option<ReportedAmount> {
    Some(ReportedAmount {
        value: dec(text),
        currency: "EUR".to_owned(),
    })
}

fn code(code: &str, info: &[&str]) -> StatusReason {
    StatusReason {
        code: Some(code.to_owned()),
        additional_info: info.iter().map(|s| s.to_string()).collect(),
        ..StatusReason::default()
    }
}

fn proprietary(code: &str) -> StatusReason {
    StatusReason {
        proprietary: Some(code.to_owned()),
        ..StatusReason::default()
    }
}

fn some(text: &str) -> Option<String> {
    Some(text.to_owned())
}

fn group(message_id: &str, created_at: &str, original: &str, name: &str) -> GroupStatus {
    GroupStatus {
        message_id: message_id.to_owned(),
        created_at: some(created_at),
        original_message_id: original.to_owned(),
        original_message_name: some(name),
        ..GroupStatus::default()
    }
}

fn block(id: &str, status: Option<&str>) -> PaymentInformationStatus {
    PaymentInformationStatus {
        original_payment_information_id: id.to_owned(),
        status: status.map(str::to_owned),
        ..PaymentInformationStatus::default()
    }
}

fn tx(block: &str, end_to_end: &str, status: Option<&str>) -> TransactionStatus {
    TransactionStatus {
        original_payment_information_id: block.to_owned(),
        original_end_to_end_id: some(end_to_end),
        status: status.map(str::to_owned),
        ..TransactionStatus::default()
    }
}

/// `G`, `P`, `T` for each streamed item.
fn kinds(items: &[StatusItem]) -> String {
    items
        .iter()
        .map(|item| match item {
            StatusItem::Group(_) => 'G',
            StatusItem::PaymentInformation(_) => 'P',
            StatusItem::Transaction(_) => 'T',
        })
        .collect()
}

fn stream(bytes: &[u8], limits: XmlLimits) -> Result<Vec<StatusItem>, ReadError> {
    StatusReportReader::open(bytes, limits)?.collect()
}

/// Reads `file` both ways and compares with the expected report and streaming order.
fn check(file: &str, expected: &PaymentStatusReport, order: &str) {
    let bytes = sample(file);
    let report = read_status_report(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert_eq!(report.message, expected.message, "{file}: message");
    assert_eq!(report.group, expected.group, "{file}: group");
    assert_eq!(
        report.payment_information, expected.payment_information,
        "{file}: payment information"
    );
    assert_eq!(
        report.transactions, expected.transactions,
        "{file}: transactions"
    );
    assert_eq!(&report, expected, "{file}");

    let reader = StatusReportReader::open(bytes.as_slice(), XmlLimits::default()).unwrap();
    assert_eq!(reader.message().family, "pain.002");
    let items: Vec<StatusItem> = reader.collect::<Result<_, _>>().unwrap();
    assert_eq!(kinds(&items), order, "{file}: streaming order");
    // Every transaction follows the block it names.
    let mut current = None;
    for item in &items {
        match item {
            StatusItem::PaymentInformation(p) => {
                current = Some(p.original_payment_information_id.clone())
            }
            StatusItem::Transaction(t) => assert_eq!(
                Some(&t.original_payment_information_id),
                current.as_ref(),
                "{file}"
            ),
            StatusItem::Group(_) => assert!(current.is_none(), "{file}: group comes first"),
        }
    }
}

// ---------------------------------------------------------------------------------------
// Every shared sample, to concrete values
// ---------------------------------------------------------------------------------------

fn expectations() -> Vec<(&'static str, PaymentStatusReport, &'static str)> {
    vec![
        (
            "epc-style-pt_pain.002.001.03_grp-partial-NbOfTxsPerSts_tx-AC04.xml",
            PaymentStatusReport {
                message: "pain.002.001.03".into(),
                group: GroupStatus {
                    original_number_of_transactions: Some(3),
                    original_control_sum: Some(dec("450000.81")),
                    reasons: vec![proprietary("M009")],
                    ..group(
                        "BBBB/20111222/123456",
                        "2011-12-27T20:05:00",
                        "EFG-100023-2011",
                        "pain.001.001.03",
                    )
                },
                payment_information: vec![PaymentInformationStatus {
                    original_number_of_transactions: Some(3),
                    original_control_sum: Some(dec("450000.81")),
                    reasons: vec![proprietary("L002")],
                    ..block("20111205-00001", None)
                }],
                transactions: vec![TransactionStatus {
                    reasons: vec![code("AC04", &[])],
                    original_amount: eur("150000.81"),
                    ..tx("20111205-00001", "EFG/2011L0987/2011-12-05", None)
                }],
            },
            "GPT",
        ),
        (
            "postfinance-ch_pain.002.001.03.ch.02_chdd-direct-debit_pmtinf-ACCP.xml",
            PaymentStatusReport {
                message: "pain.002.001.03.ch.02".into(),
                group: group(
                    "20180313375204216308259",
                    "2018-03-13T17:22:51",
                    "MsgId-CHDD-Musterfile",
                    "pain.008.001.02.ch.03",
                ),
                payment_information: vec![block("PmtInfId-CHDD-1", Some("ACCP"))],
                transactions: vec![],
            },
            "GP",
        ),
        (
            "postfinance-ch_pain.002.001.03.ch.02_grp-ACTC.xml",
            PaymentStatusReport {
                message: "pain.002.001.03.ch.02".into(),
                group: GroupStatus {
                    status: some("ACTC"),
                    ..group(
                        "20180315375204222821684",
                        "2018-03-15T10:49:10",
                        "MsgId-001",
                        "pain.001.001.03.ch.02",
                    )
                },
                payment_information: vec![],
                transactions: vec![],
            },
            "G",
        ),
        (
            "postfinance-ch_pain.002.001.03.ch.02_grp-RJCT-AM10-ctrlsum.xml",
            PaymentStatusReport {
                message: "pain.002.001.03.ch.02".into(),
                group: GroupStatus {
                    status: some("RJCT"),
                    reasons: vec![code("AM10", &["904114;ControlSum fehlerhaft"])],
                    ..group(
                        "20180326375204011685776",
                        "2018-03-26T14:40:00",
                        "MsgId-005",
                        "pain.001.001.03.ch.02",
                    )
                },
                payment_information: vec![],
                transactions: vec![],
            },
            "G",
        ),
        (
            "postfinance-ch_pain.002.001.03.ch.02_pmtinf-PART_tx-RJCT-AC01.xml",
            PaymentStatusReport {
                message: "pain.002.001.03.ch.02".into(),
                group: group(
                    "20180315375204222822452",
                    "2018-03-15T11:25:12",
                    "MsgId-001",
                    "pain.001.001.03.ch.02",
                ),
                payment_information: vec![block("PmtInfId-001-03", Some("PART"))],
                transactions: vec![TransactionStatus {
                    original_instruction_id: some("InstrId-001-03-04"),
                    reasons: vec![code("AC01", &["1301813;Konto ungültig"])],
                    ..tx("PmtInfId-001-03", "EndToEndId-001-03-04", Some("RJCT"))
                }],
            },
            "GPT",
        ),
        (
            "postfinance-ch_pain.002.001.03.ch.02_pmtinf-RJCT-NARR_tx-RJCT-AC01.xml",
            PaymentStatusReport {
                message: "pain.002.001.03.ch.02".into(),
                group: group(
                    "20180326375204011678275",
                    "2018-03-26T12:09:48",
                    "MsgId-006",
                    "pain.001.001.03.ch.02",
                ),
                payment_information: vec![PaymentInformationStatus {
                    reasons: vec![StatusReason {
                        originator: some("POFICHBE"),
                        ..code(
                            "NARR",
                            &["1297193;Sammelauftrag ohne ausführbaren Einzelauftrag"],
                        )
                    }],
                    ..block("PmtInfId-006-01", Some("RJCT"))
                }],
                transactions: vec![TransactionStatus {
                    original_instruction_id: some("InstrId-006-01-01"),
                    reasons: vec![code("AC01", &["1301813;Konto ungültig"])],
                    ..tx("PmtInfId-006-01", "EndToEndId-006-01-01", Some("RJCT"))
                }],
            },
            "GPT",
        ),
        (
            "synthetic_pain.002.001.10_grp-PART_pmtinf-PART_tx-RJCT.xml",
            PaymentStatusReport {
                message: "pain.002.001.10".into(),
                group: GroupStatus {
                    original_number_of_transactions: Some(2),
                    original_control_sum: Some(dec("8600.00")),
                    status: some("PART"),
                    ..group(
                        "STS-20260824-0007",
                        "2026-08-24T11:15:00",
                        "MSG-20260824-0007",
                        "pain.001.001.09",
                    )
                },
                payment_information: vec![block("BATCH-0007", Some("PART"))],
                transactions: vec![
                    TransactionStatus {
                        original_amount: eur("5100.00"),
                        ..tx("BATCH-0007", "SUP-0007-A", Some("ACCP"))
                    },
                    TransactionStatus {
                        reasons: vec![code("AC01", &["Creditor account number is invalid"])],
                        original_amount: eur("3500.00"),
                        ..tx("BATCH-0007", "SUP-0007-B", Some("RJCT"))
                    },
                ],
            },
            "GPTT",
        ),
    ]
}

fn sample_files() -> Vec<String> {
    let mut files: Vec<String> = std::fs::read_dir(samples_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".xml"))
        .collect();
    files.sort();
    files
}

#[test]
fn every_sample_has_expectations_and_reads_to_them() {
    let table = expectations();
    let mut expected_files: Vec<String> = table.iter().map(|(f, _, _)| f.to_string()).collect();
    expected_files.sort();
    assert_eq!(
        sample_files(),
        expected_files,
        "every pain.002 sample needs a row in expectations()"
    );
    for (file, expected, order) in &table {
        check(file, expected, order);
    }
}

#[test]
fn amounts_keep_their_scale() {
    let report = read_status_report(&sample(
        "synthetic_pain.002.001.10_grp-PART_pmtinf-PART_tx-RJCT.xml",
    ))
    .unwrap();
    let amount = report.transactions[0].original_amount.as_ref().unwrap();
    assert_eq!(amount.value.to_string(), "5100.00");
    assert_eq!(
        report.group.original_control_sum.unwrap().to_string(),
        "8600.00"
    );
}

#[test]
fn samples_read_under_tight_limits() {
    // The deepest sample path (OrgnlTxRef/RmtInf/Strd/CdtrRefInf/Tp/CdOrPrtry/Cd) is 11.
    let limits = XmlLimits {
        max_depth: 11,
        max_text_bytes: 128,
    };
    for file in sample_files() {
        stream(&sample(&file), limits).unwrap_or_else(|e| panic!("{file}: {e}"));
    }
    let deep = "epc-style-pt_pain.002.001.03_grp-partial-NbOfTxsPerSts_tx-AC04.xml";
    let too_tight = XmlLimits {
        max_depth: 10,
        max_text_bytes: 128,
    };
    assert!(matches!(
        stream(&sample(deep), too_tight),
        Err(ReadError::TooDeep { max: 10, .. })
    ));
}

// ---------------------------------------------------------------------------------------
// Layouts, order and strictness
// ---------------------------------------------------------------------------------------

const NS10: &str = "urn:iso:std:iso:20022:tech:xsd:pain.002.001.10";

fn doc(ns: &str, body: &str) -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"{ns}\"><CstmrPmtStsRpt>\
         <GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-01-02T03:04:05</CreDtTm></GrpHdr>\
         <OrgnlGrpInfAndSts><OrgnlMsgId>O1</OrgnlMsgId><OrgnlMsgNmId>pain.001.001.09</OrgnlMsgNmId>\
         <GrpSts>PART</GrpSts></OrgnlGrpInfAndSts>{body}</CstmrPmtStsRpt></Document>"
    )
}

fn field_error(result: Result<impl std::fmt::Debug, ReadError>) -> (String, String, String) {
    match result {
        Err(ReadError::Field {
            path,
            expected,
            actual,
            ..
        }) => (path, expected, actual),
        other => panic!("expected a field error, got {other:?}"),
    }
}

#[test]
fn the_2019_fields_are_read() {
    let xml = doc(
        NS10,
        "<OrgnlPmtInfAndSts><OrgnlPmtInfId>B1</OrgnlPmtInfId><OrgnlNbOfTxs>1</OrgnlNbOfTxs>\
         <OrgnlCtrlSum>12.5</OrgnlCtrlSum><PmtInfSts>RJCT</PmtInfSts>\
         <StsRsnInf><Orgtr><Nm>Bank AG</Nm></Orgtr><Rsn><Prtry>X1</Prtry></Rsn>\
         <AddtlInf>one</AddtlInf><AddtlInf>two</AddtlInf></StsRsnInf>\
         <StsRsnInf><Orgtr><Id><OrgId><AnyBIC>BANKDEFFXXX</AnyBIC></OrgId></Id></Orgtr>\
         <Rsn><Cd>AM04</Cd></Rsn></StsRsnInf>\
         <TxInfAndSts><StsId>S1</StsId><OrgnlInstrId>I1</OrgnlInstrId>\
         <OrgnlEndToEndId>E1</OrgnlEndToEndId>\
         <OrgnlUETR>7f3e1b2c-0a4d-4e5f-8a9b-1c2d3e4f5a6b</OrgnlUETR><TxSts>RJCT</TxSts>\
         <AccptncDtTm>2026-01-02T04:00:00</AccptncDtTm><AcctSvcrRef>ASR1</AcctSvcrRef>\
         <OrgnlTxRef><Amt><InstdAmt Ccy=\"CHF\">0.00001</InstdAmt></Amt></OrgnlTxRef>\
         </TxInfAndSts></OrgnlPmtInfAndSts>",
    );
    let report = read_status_report(xml.as_bytes()).unwrap();
    assert_eq!(report.group.message_id, "M1");
    assert_eq!(report.group.status.as_deref(), Some("PART"));
    let block = &report.payment_information[0];
    assert_eq!(block.original_number_of_transactions, Some(1));
    assert_eq!(block.original_control_sum, Some(dec("12.5")));
    assert_eq!(
        block.reasons,
        vec![
            StatusReason {
                proprietary: some("X1"),
                additional_info: vec!["one".into(), "two".into()],
                originator: some("Bank AG"),
                ..StatusReason::default()
            },
            StatusReason {
                code: some("AM04"),
                originator: some("BANKDEFFXXX"),
                ..StatusReason::default()
            },
        ]
    );
    assert_eq!(
        report.transactions,
        vec![TransactionStatus {
            original_payment_information_id: "B1".into(),
            status_id: some("S1"),
            original_instruction_id: some("I1"),
            original_end_to_end_id: some("E1"),
            original_uetr: some("7f3e1b2c-0a4d-4e5f-8a9b-1c2d3e4f5a6b"),
            status: some("RJCT"),
            reasons: vec![],
            acceptance_date_time: some("2026-01-02T04:00:00"),
            account_servicer_reference: some("ASR1"),
            original_amount: Some(ReportedAmount {
                value: dec("0.00001"),
                currency: "CHF".into(),
            }),
        }]
    );
}

#[test]
fn transactions_without_a_block_unknown_elements_and_any_order() {
    let xml = format!(
        "\u{feff}<p:Document xmlns:p=\"{NS10}\"><p:CstmrPmtStsRpt>\
         <p:GrpHdr><p:Unknown>x</p:Unknown><p:CreDtTm>2026-01-02T03:04:05</p:CreDtTm>\
         <p:MsgId>M1</p:MsgId></p:GrpHdr>\
         <p:OrgnlGrpInfAndSts><p:GrpSts>RJCT</p:GrpSts><p:OrgnlMsgId>O1</p:OrgnlMsgId>\
         <p:NbOfTxsPerSts><p:DtldNbOfTxs>2</p:DtldNbOfTxs><p:DtldSts>RJCT</p:DtldSts>\
         </p:NbOfTxsPerSts></p:OrgnlGrpInfAndSts>\
         <p:TxInfAndSts><p:TxSts>RJCT</p:TxSts><p:Vendor><p:TxSts>IGNORED</p:TxSts></p:Vendor>\
         <p:OrgnlEndToEndId>E1</p:OrgnlEndToEndId><p:OrgnlPmtInfId>B9</p:OrgnlPmtInfId>\
         </p:TxInfAndSts>\
         <p:TxInfAndSts><p:OrgnlEndToEndId>E2</p:OrgnlEndToEndId></p:TxInfAndSts>\
         </p:CstmrPmtStsRpt></p:Document>\r\n"
    );
    let report = read_status_report(xml.as_bytes()).unwrap();
    assert_eq!(report.group.message_id, "M1");
    assert_eq!(report.group.original_message_id, "O1");
    assert_eq!(report.group.status.as_deref(), Some("RJCT"));
    assert!(report.payment_information.is_empty());
    assert_eq!(
        report.transactions,
        vec![tx("B9", "E1", Some("RJCT")), tx("", "E2", None),]
    );
}

#[test]
fn a_block_is_streamed_before_its_transactions() {
    // The second transaction is broken: the block and the first transaction still arrive,
    // then the error, then nothing.
    let xml = doc(
        NS10,
        "<OrgnlPmtInfAndSts><OrgnlPmtInfId>B1</OrgnlPmtInfId><PmtInfSts>PART</PmtInfSts>\
         <TxInfAndSts><OrgnlEndToEndId>E1</OrgnlEndToEndId></TxInfAndSts>\
         <TxInfAndSts><OrgnlTxRef><Amt><InstdAmt Ccy=\"EUR\">1e3</InstdAmt></Amt></OrgnlTxRef>\
         </TxInfAndSts></OrgnlPmtInfAndSts>",
    );
    let mut reader = StatusReportReader::open(xml.as_bytes(), XmlLimits::default()).unwrap();
    assert!(matches!(reader.next(), Some(Ok(StatusItem::Group(_)))));
    assert!(matches!(
        reader.next(),
        Some(Ok(StatusItem::PaymentInformation(p))) if p.original_payment_information_id == "B1"
    ));
    assert!(
        matches!(reader.next(), Some(Ok(StatusItem::Transaction(t))) if t.original_end_to_end_id.as_deref() == Some("E1"))
    );
    let (path, expected, actual) = field_error(reader.next().unwrap());
    assert!(
        path.ends_with("TxInfAndSts/OrgnlTxRef/Amt/InstdAmt"),
        "{path}"
    );
    assert!(expected.contains("18 digits"), "{expected}");
    assert_eq!(actual, "1e3");
    assert!(reader.next().is_none());
    assert!(reader.next().is_none());
}

#[test]
fn block_fields_after_its_first_transaction_are_refused() {
    let xml = doc(
        NS10,
        "<OrgnlPmtInfAndSts><OrgnlPmtInfId>B1</OrgnlPmtInfId>\
         <TxInfAndSts><OrgnlEndToEndId>E1</OrgnlEndToEndId></TxInfAndSts>\
         <PmtInfSts>RJCT</PmtInfSts></OrgnlPmtInfAndSts>",
    );
    let (path, expected, _) = field_error(read_status_report(xml.as_bytes()));
    assert!(path.ends_with("OrgnlPmtInfAndSts/PmtInfSts"), "{path}");
    assert!(expected.contains("before the first TxInfAndSts"));

    let no_id = doc(
        NS10,
        "<OrgnlPmtInfAndSts><TxInfAndSts><OrgnlEndToEndId>E1</OrgnlEndToEndId></TxInfAndSts>\
         </OrgnlPmtInfAndSts>",
    );
    let (_, expected, _) = field_error(read_status_report(no_id.as_bytes()));
    assert!(expected.contains("OrgnlPmtInfId"), "{expected}");
}

#[test]
fn numbers_are_strict() {
    let bad_amounts = [
        "1000000000000000000000000000000",
        "1234567890123456789",
        "1.123456",
        "-5.00",
        "+5.00",
        "5,00",
        "5.",
        ".5",
        "1e3",
        "NaN",
        "12 34",
    ];
    for amount in bad_amounts {
        let xml = doc(
            NS10,
            &format!(
                "<TxInfAndSts><OrgnlTxRef><Amt><InstdAmt Ccy=\"EUR\">{amount}</InstdAmt>\
                 </Amt></OrgnlTxRef></TxInfAndSts>"
            ),
        );
        let (path, _, actual) = field_error(read_status_report(xml.as_bytes()));
        assert!(path.ends_with("InstdAmt"), "{amount}: {path}");
        assert_eq!(actual, amount);
    }
    for currency in ["", " Ccy=\"eur\"", " Ccy=\"EURO\""] {
        let xml = doc(
            NS10,
            &format!(
                "<TxInfAndSts><OrgnlTxRef><Amt><InstdAmt{currency}>1.00</InstdAmt>\
                 </Amt></OrgnlTxRef></TxInfAndSts>"
            ),
        );
        let (path, expected, _) = field_error(read_status_report(xml.as_bytes()));
        assert!(path.ends_with("InstdAmt@Ccy"), "{path}");
        assert!(expected.contains("currency"));
    }
    for count in ["three", "-1", "1.0", "1000000000000000", ""] {
        let xml = doc(
            NS10,
            &format!(
                "<OrgnlPmtInfAndSts><OrgnlPmtInfId>B</OrgnlPmtInfId>\
                 <OrgnlNbOfTxs>{count}</OrgnlNbOfTxs></OrgnlPmtInfAndSts>"
            ),
        );
        let (path, _, _) = field_error(read_status_report(xml.as_bytes()));
        assert!(path.ends_with("OrgnlNbOfTxs"), "{count}: {path}");
    }
    // The group's own count and sum, in a real sample.
    let sample = String::from_utf8(sample(
        "synthetic_pain.002.001.10_grp-PART_pmtinf-PART_tx-RJCT.xml",
    ))
    .unwrap();
    for (from, to, field) in [
        (
            "<OrgnlNbOfTxs>2<",
            "<OrgnlNbOfTxs>2x<",
            "OrgnlGrpInfAndSts/OrgnlNbOfTxs",
        ),
        (
            "<OrgnlCtrlSum>8600.00<",
            "<OrgnlCtrlSum>1000000000000000000000000000000<",
            "OrgnlGrpInfAndSts/OrgnlCtrlSum",
        ),
        ("5100.00", "5100.000001", "InstdAmt"),
    ] {
        let mutated = sample.replacen(from, to, 1);
        assert_ne!(mutated, sample);
        let (path, _, _) = field_error(read_status_report(mutated.as_bytes()));
        assert!(path.ends_with(field), "{path}");
    }
}

#[test]
fn keys_are_neither_empty_nor_repeated() {
    for body in [
        "<TxInfAndSts><OrgnlEndToEndId>E1</OrgnlEndToEndId><OrgnlEndToEndId>E2</OrgnlEndToEndId></TxInfAndSts>",
        "<TxInfAndSts><TxSts/></TxInfAndSts>",
        "<TxInfAndSts><StsRsnInf><Rsn><Cd>AC01</Cd><Cd>AC04</Cd></Rsn></StsRsnInf></TxInfAndSts>",
        "<OrgnlPmtInfAndSts><OrgnlPmtInfId>B</OrgnlPmtInfId><OrgnlPmtInfId>C</OrgnlPmtInfId></OrgnlPmtInfAndSts>",
        "<OrgnlPmtInfAndSts><PmtInfSts>RJCT</PmtInfSts></OrgnlPmtInfAndSts>",
        "<TxInfAndSts><OrgnlTxRef><Amt><InstdAmt Ccy=\"EUR\">1</InstdAmt><InstdAmt Ccy=\"EUR\">2</InstdAmt></Amt></OrgnlTxRef></TxInfAndSts>",
    ] {
        let xml = doc(NS10, body);
        field_error(read_status_report(xml.as_bytes()));
    }
}

#[test]
fn the_group_is_required_and_comes_first() {
    let ns = NS10;
    let no_group = format!(
        "<Document xmlns=\"{ns}\"><CstmrPmtStsRpt><GrpHdr><MsgId>M</MsgId></GrpHdr>\
         </CstmrPmtStsRpt></Document>"
    );
    field_error(read_status_report(no_group.as_bytes()));
    let block_first = format!(
        "<Document xmlns=\"{ns}\"><CstmrPmtStsRpt><GrpHdr><MsgId>M</MsgId></GrpHdr>\
         <OrgnlPmtInfAndSts><OrgnlPmtInfId>B</OrgnlPmtInfId></OrgnlPmtInfAndSts>\
         <OrgnlGrpInfAndSts><OrgnlMsgId>O</OrgnlMsgId></OrgnlGrpInfAndSts>\
         </CstmrPmtStsRpt></Document>"
    );
    field_error(read_status_report(block_first.as_bytes()));
    let no_original_id = format!(
        "<Document xmlns=\"{ns}\"><CstmrPmtStsRpt><GrpHdr><MsgId>M</MsgId></GrpHdr>\
         <OrgnlGrpInfAndSts><GrpSts>ACTC</GrpSts></OrgnlGrpInfAndSts>\
         </CstmrPmtStsRpt></Document>"
    );
    let (_, expected, _) = field_error(read_status_report(no_original_id.as_bytes()));
    assert!(expected.contains("OrgnlMsgId"));
    let two_groups = doc(
        ns,
        "<OrgnlGrpInfAndSts><OrgnlMsgId>O2</OrgnlMsgId></OrgnlGrpInfAndSts>",
    );
    field_error(read_status_report(two_groups.as_bytes()));
}

#[test]
fn other_messages_are_unsupported() {
    for (ns, actual) in [
        (
            "urn:iso:std:iso:20022:tech:xsd:pain.001.001.03",
            "pain.001.001.03",
        ),
        (
            "urn:iso:std:iso:20022:tech:xsd:camt.053.001.02",
            "camt.053.001.02",
        ),
        (
            "urn:iso:std:iso:20022:tech:xsd:pain.002.001.02",
            "pain.002.001.02",
        ),
        (
            "urn:iso:std:iso:20022:tech:xsd:pain.002.001.15",
            "pain.002.001.15",
        ),
    ] {
        let xml = doc(ns, "");
        match read_status_report(xml.as_bytes()) {
            Err(ReadError::Unsupported {
                expected,
                actual: got,
            }) => {
                assert_eq!(got, actual);
                assert!(expected.contains("pain.002.001.03"));
            }
            other => panic!("{ns}: {other:?}"),
        }
    }
    for ns in [
        "urn:iso:std:iso:20022:tech:xsd:pain.002.001.03",
        "urn:iso:std:iso:20022:tech:xsd:pain.002.001.14",
        "urn:iso:std:iso:20022:tech:xsd:pain.002.003.03",
        "http://www.six-interbank-clearing.com/de/pain.002.001.03.ch.02.xsd",
    ] {
        read_status_report(doc(ns, "").as_bytes()).unwrap_or_else(|e| panic!("{ns}: {e}"));
    }
    assert_eq!(
        read_status_report(doc("urn:iso:std:iso:20022:tech:xsd:pain.002.003.03", "").as_bytes())
            .unwrap()
            .message,
        "pain.002.003.03"
    );
    assert!(matches!(
        read_status_report(b"<Other/>"),
        Err(ReadError::NotIso20022 { .. })
    ));
}

#[test]
fn repeated_reasons_are_bounded() {
    let reasons = "<StsRsnInf><Rsn><Cd>NARR</Cd></Rsn></StsRsnInf>".repeat(MAX_REASONS);
    let ok = doc(NS10, &format!("<TxInfAndSts>{reasons}</TxInfAndSts>"));
    let report = read_status_report(ok.as_bytes()).unwrap();
    assert_eq!(report.transactions[0].reasons.len(), MAX_REASONS);
    let too_many = doc(
        NS10,
        &format!("<TxInfAndSts>{reasons}<StsRsnInf/></TxInfAndSts>"),
    );
    field_error(read_status_report(too_many.as_bytes()));

    let info = "<AddtlInf>x</AddtlInf>".repeat(MAX_ADDITIONAL_INFO + 1);
    let too_much = doc(
        NS10,
        &format!("<TxInfAndSts><StsRsnInf>{info}</StsRsnInf></TxInfAndSts>"),
    );
    field_error(read_status_report(too_much.as_bytes()));
}

// ---------------------------------------------------------------------------------------
// Hostile input
// ---------------------------------------------------------------------------------------

#[test]
fn doctype_and_entity_bombs_are_refused() {
    let bomb = format!(
        "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n\
         {}\n]>\n<Document xmlns=\"{NS10}\"><CstmrPmtStsRpt><GrpHdr><MsgId>&lol9;</MsgId>\
         </GrpHdr></CstmrPmtStsRpt></Document>",
        (1..10)
            .map(|i| format!(
                " <!ENTITY lol{i} \"{}\">",
                format!(
                    "&lol{};",
                    if i == 1 {
                        String::new()
                    } else {
                        (i - 1).to_string()
                    }
                )
                .repeat(10)
            ))
            .collect::<Vec<_>>()
            .join("\n")
    );
    assert!(matches!(
        read_status_report(bomb.as_bytes()),
        Err(ReadError::DocType { .. })
    ));
    assert!(matches!(
        StatusReportReader::open(bomb.as_bytes(), XmlLimits::default()).err(),
        Some(ReadError::DocType { .. })
    ));
    // An external entity (XXE) is refused the same way.
    let xxe = format!(
        "<!DOCTYPE d [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><Document xmlns=\"{NS10}\">&x;</Document>"
    );
    assert!(matches!(
        read_status_report(xxe.as_bytes()),
        Err(ReadError::DocType { .. })
    ));
    // An undeclared entity is not expanded either.
    let entity = doc(NS10, "<TxInfAndSts><TxSts>&lol;</TxSts></TxInfAndSts>");
    assert!(matches!(
        read_status_report(entity.as_bytes()),
        Err(ReadError::Entity { .. })
    ));
}

#[test]
fn deep_nesting_and_giant_text_hit_the_limits() {
    let base = String::from_utf8(sample(
        "synthetic_pain.002.001.10_grp-PART_pmtinf-PART_tx-RJCT.xml",
    ))
    .unwrap();
    let deep = base.replacen(
        "<TxSts>RJCT</TxSts>",
        &format!(
            "<TxSts>RJCT</TxSts>{}{}",
            "<a>".repeat(100_000),
            "</a>".repeat(100_000)
        ),
        1,
    );
    assert!(matches!(
        read_status_report(deep.as_bytes()),
        Err(ReadError::TooDeep { max: 48, .. })
    ));
    let giant = base.replacen(
        "Creditor account number is invalid",
        &"x".repeat(4 * 1024 * 1024),
        1,
    );
    match read_status_report(giant.as_bytes()) {
        Err(ReadError::TextTooLong { path, max, .. }) => {
            assert_eq!(max, 64 * 1024);
            assert!(path.ends_with("StsRsnInf/AddtlInf"), "{path}");
        }
        other => panic!("{other:?}"),
    }
    // Many references adding up to giant text are bounded the same way.
    let refs = base.replacen("SUP-0007-A", &"&amp;".repeat(70_000), 1);
    assert!(matches!(
        read_status_report(refs.as_bytes()),
        Err(ReadError::TextTooLong { .. })
    ));
}

/// A small deterministic generator (xorshift64*), so failures are reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const FUZZ_LIMITS: XmlLimits = XmlLimits {
    max_depth: 16,
    max_text_bytes: 256,
};

/// Reads `bytes` with tight limits, catching panics; checks that whatever came back
/// respects the limits.
fn survive(bytes: &[u8], what: &str) -> Result<Vec<StatusItem>, ReadError> {
    let result = std::panic::catch_unwind(|| stream(bytes, FUZZ_LIMITS))
        .unwrap_or_else(|_| panic!("the reader panicked on {what}"));
    match &result {
        Ok(items) => {
            for item in items {
                let value = serde_json::to_value(item).unwrap();
                check_strings(&value, what);
            }
        }
        Err(ReadError::TooDeep { max, .. }) => assert_eq!(*max, FUZZ_LIMITS.max_depth),
        Err(ReadError::TextTooLong { max, .. }) => assert_eq!(*max, FUZZ_LIMITS.max_text_bytes),
        Err(_) => {}
    }
    // The convenience reader must survive it too.
    std::panic::catch_unwind(|| read_status_report(bytes))
        .unwrap_or_else(|_| panic!("read_status_report panicked on {what}"))
        .ok();
    result
}

fn check_strings(value: &serde_json::Value, what: &str) {
    match value {
        serde_json::Value::String(s) => assert!(
            s.len() <= FUZZ_LIMITS.max_text_bytes,
            "{what}: a {} byte string passed the limit",
            s.len()
        ),
        serde_json::Value::Array(items) => items.iter().for_each(|v| check_strings(v, what)),
        serde_json::Value::Object(map) => map.values().for_each(|v| check_strings(v, what)),
        _ => {}
    }
}

fn all_samples() -> Vec<(String, Vec<u8>)> {
    sample_files()
        .into_iter()
        .map(|f| {
            let bytes = sample(&f);
            (f, bytes)
        })
        .collect()
}

#[test]
fn truncated_files_fail_at_every_byte() {
    for (file, bytes) in all_samples() {
        let end = bytes
            .windows(b"</Document>".len())
            .rposition(|w| w == b"</Document>")
            .unwrap()
            + b"</Document>".len();
        for cut in 0..bytes.len() {
            let result = survive(&bytes[..cut], &format!("{file} cut at {cut}"));
            if cut < end {
                assert!(
                    result.is_err(),
                    "{file} cut at byte {cut} was read as complete"
                );
            } else {
                assert!(result.is_ok(), "{file} cut after the root at {cut}");
            }
        }
    }
}

#[test]
fn flipped_bytes_never_panic() {
    let mut rng = Rng(0x5eed_0002);
    for (file, bytes) in all_samples() {
        for round in 0..400 {
            let mut mutated = bytes.clone();
            for _ in 0..=rng.below(4) {
                let at = rng.below(mutated.len());
                mutated[at] = match rng.below(4) {
                    0 => rng.next() as u8,
                    1 => mutated[at] ^ (1 << rng.below(8)),
                    2 => b"<>/&;\"'=0.9"[rng.below(11)],
                    _ => 0xff,
                };
            }
            survive(&mutated, &format!("{file} flip round {round}")).ok();
        }
    }
}

/// Byte ranges of elements `<Name ...>...</Name>` (first matching close tag).
fn elements(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    for (start, _) in text.match_indices('<') {
        let rest = &text[start + 1..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == ':' || *c == '.')
            .collect();
        if name.is_empty() {
            continue;
        }
        let close = format!("</{name}>");
        if let Some(at) = text[start..].find(&close) {
            spans.push((start, start + at + close.len()));
        }
    }
    spans
}

#[test]
fn duplicated_deleted_and_moved_elements_never_panic() {
    let mut rng = Rng(0x0dd_ba11);
    for (file, bytes) in all_samples() {
        let text = String::from_utf8(bytes).unwrap();
        let spans = elements(&text);
        assert!(!spans.is_empty());
        for round in 0..300 {
            let (start, end) = spans[rng.below(spans.len())];
            let element = &text[start..end];
            let mutated = match rng.below(4) {
                0 => format!("{}{element}{}", &text[..end], &text[end..]),
                1 => format!("{}{}", &text[..start], &text[end..]),
                2 => {
                    // Move the element in front of another one.
                    let (to, _) = spans[rng.below(spans.len())];
                    let without = format!("{}{}", &text[..start], &text[end..]);
                    let to = if to > start {
                        to.saturating_sub(end - start)
                    } else {
                        to
                    };
                    let to = to.min(without.len());
                    if !without.is_char_boundary(to) {
                        continue;
                    }
                    format!("{}{element}{}", &without[..to], &without[to..])
                }
                _ => {
                    // Swap in huge numbers or giant text for the element's content.
                    let inner_start = start + element.find('>').unwrap() + 1;
                    let inner_end = end - element.rfind("</").map(|i| element.len() - i).unwrap();
                    if inner_start > inner_end {
                        continue;
                    }
                    let payload = match rng.below(4) {
                        0 => format!("1{}", "0".repeat(30)),
                        1 => format!("{}.{}", "9".repeat(18), "9".repeat(6)),
                        2 => "x".repeat(FUZZ_LIMITS.max_text_bytes + 1),
                        _ => "<a>".repeat(40) + &"</a>".repeat(40),
                    };
                    format!("{}{payload}{}", &text[..inner_start], &text[inner_end..])
                }
            };
            survive(mutated.as_bytes(), &format!("{file} element round {round}")).ok();
        }
    }
}

#[test]
fn inserted_deep_nesting_is_refused_anywhere() {
    let mut rng = Rng(0xdee9);
    for (file, bytes) in all_samples() {
        let text = String::from_utf8(bytes).unwrap();
        let spans = elements(&text);
        for _ in 0..20 {
            let (at, _) = spans[rng.below(spans.len())];
            // Inside the Document element: before it the reader refuses any element.
            let inside_from = text.find("<Document").unwrap();
            let inside_to = text.rfind("</Document>").unwrap();
            if at <= inside_from || at > inside_to {
                continue;
            }
            let n = 20 + rng.below(5_000);
            let mutated = format!(
                "{}{}{}{}",
                &text[..at],
                "<a>".repeat(n),
                "</a>".repeat(n),
                &text[at..]
            );
            let result = survive(mutated.as_bytes(), &format!("{file} nesting at {at}"));
            assert!(
                matches!(result, Err(ReadError::TooDeep { .. })),
                "{file} with {n} nested elements at {at}: {result:?}"
            );
        }
    }
}

// ---------------------------------------------------------------------------------------
// Size: a 100,000-transaction file streams
// ---------------------------------------------------------------------------------------

/// Produces a pain.002 with `blocks` × `per_block` transactions on the fly, so the file
/// itself is never in memory either.
struct Generated {
    blocks: usize,
    per_block: usize,
    block: usize,
    transaction: usize,
    stage: u8,
    pending: Vec<u8>,
    at: usize,
}

impl Generated {
    fn new(blocks: usize, per_block: usize) -> Self {
        Self {
            blocks,
            per_block,
            block: 0,
            transaction: 0,
            stage: 0,
            pending: Vec::new(),
            at: 0,
        }
    }

    fn refill(&mut self) {
        self.pending.clear();
        self.at = 0;
        let total = self.blocks * self.per_block;
        let chunk = match self.stage {
            0 => {
                self.stage = 1;
                format!(
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"{NS10}\">\
                     <CstmrPmtStsRpt><GrpHdr><MsgId>BIG</MsgId><CreDtTm>2026-01-01T00:00:00\
                     </CreDtTm></GrpHdr><OrgnlGrpInfAndSts><OrgnlMsgId>BIG-ORIG</OrgnlMsgId>\
                     <OrgnlNbOfTxs>{total}</OrgnlNbOfTxs><GrpSts>PART</GrpSts>\
                     </OrgnlGrpInfAndSts>\n"
                )
            }
            1 if self.block < self.blocks => {
                let b = self.block;
                if self.transaction == 0 {
                    self.transaction = 1;
                    format!(
                        "<OrgnlPmtInfAndSts><OrgnlPmtInfId>B{b}</OrgnlPmtInfId>\
                         <PmtInfSts>PART</PmtInfSts>\n"
                    )
                } else if self.transaction <= self.per_block {
                    let t = self.transaction;
                    self.transaction += 1;
                    let (status, reason) = if t.is_multiple_of(10) {
                        ("RJCT", "<StsRsnInf><Rsn><Cd>AC01</Cd></Rsn></StsRsnInf>")
                    } else {
                        ("ACCP", "")
                    };
                    format!(
                        "  <TxInfAndSts><OrgnlEndToEndId>E-{b}-{t}</OrgnlEndToEndId>\
                         <TxSts>{status}</TxSts>{reason}<OrgnlTxRef><Amt>\
                         <InstdAmt Ccy=\"EUR\">{t}.{:02}</InstdAmt></Amt></OrgnlTxRef>\
                         </TxInfAndSts>\n",
                        t % 100
                    )
                } else {
                    self.block += 1;
                    self.transaction = 0;
                    "</OrgnlPmtInfAndSts>\n".to_owned()
                }
            }
            1 => {
                self.stage = 2;
                "</CstmrPmtStsRpt></Document>\n".to_owned()
            }
            _ => String::new(),
        };
        self.pending.extend_from_slice(chunk.as_bytes());
    }
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.pending.len() {
            self.refill();
        }
        let n = out.len().min(self.pending.len() - self.at);
        out[..n].copy_from_slice(&self.pending[self.at..n + self.at]);
        self.at += n;
        Ok(n)
    }
}

#[test]
fn a_hundred_thousand_transactions_stream() {
    let (blocks, per_block) = (10, 10_000);
    let input = BufReader::with_capacity(8 * 1024, Generated::new(blocks, per_block));
    let reader = StatusReportReader::open(input, XmlLimits::default()).unwrap();
    let (mut groups, mut block_count, mut transactions, mut rejected) = (0, 0, 0usize, 0);
    let mut last = None;
    for item in reader {
        match item.unwrap() {
            StatusItem::Group(g) => {
                groups += 1;
                assert_eq!(g.original_number_of_transactions, Some(100_000));
            }
            StatusItem::PaymentInformation(_) => block_count += 1,
            StatusItem::Transaction(t) => {
                transactions += 1;
                if t.status.as_deref() == Some("RJCT") {
                    rejected += 1;
                    assert_eq!(t.reasons[0].code.as_deref(), Some("AC01"));
                }
                last = Some(t);
            }
        }
    }
    assert_eq!(groups, 1);
    assert_eq!(block_count, blocks);
    assert_eq!(transactions, 100_000);
    assert_eq!(rejected, 10_000);
    let last = last.unwrap();
    assert_eq!(last.original_payment_information_id, "B9");
    assert_eq!(last.original_end_to_end_id.as_deref(), Some("E-9-10000"));
    assert_eq!(last.original_amount, eur("10000.00"));
}

#[test]
fn nothing_may_follow_the_document() {
    let base = doc(NS10, "");
    read_status_report(base.as_bytes()).unwrap();
    for trailer in [
        "<Document><CstmrPmtStsRpt/></Document>",
        "<x/>",
        "</Document>",
    ] {
        let xml = format!("{base}{trailer}");
        assert!(
            read_status_report(xml.as_bytes()).is_err(),
            "{trailer:?} after the Document element was accepted"
        );
    }
    // Comments, processing instructions and whitespace are fine. (Stray text after the
    // root is not seen: `XmlReader` drops text outside elements.)
    read_status_report(format!("{base}\n<!-- end --><?pi x?>\r\n").as_bytes()).unwrap();
}
