//! camt.052/053/054 reader: every real sample with concrete expectations, mutation
//! ("fuzz") tests on the samples, and a 50,000-entry statement that must stream.

use std::cell::Cell;
use std::io::{BufReader, Read};
use std::path::PathBuf;
use std::rc::Rc;

use bankgate::iso20022::camt::{AccountReportReader, read_account_report};
use bankgate::iso20022::read::{ReadError, XmlLimits};
use bankgate::iso20022::report::{
    AccountReport, BankTransactionCode, CreditDebit, EntryStatus, ReportKind, ReportedAmount,
    StatementItem,
};

// ---------------------------------------------------------------------------------------
// Samples
// ---------------------------------------------------------------------------------------

fn shared_dir() -> PathBuf {
    let dir = std::env::var_os("BANKGATE_SHARED")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared")));
    assert!(
        dir.join("iso20022/samples").is_dir(),
        "the shared reference material is missing: {} has no iso20022/samples \
         (set BANKGATE_SHARED, as scripts/test.sh does)",
        dir.display()
    );
    dir
}

fn sample_path(file: &str) -> PathBuf {
    let family = if file.contains("camt.054") {
        "camt.054"
    } else {
        "camt.053"
    };
    shared_dir()
        .join("iso20022/samples")
        .join(family)
        .join(file)
}

fn sample_bytes(file: &str) -> Vec<u8> {
    let path = sample_path(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read sample {}: {e}", path.display()))
}

/// What one sample must contain.
struct Expected {
    message: &'static str,
    message_id: &'static str,
    /// (Id, account) of each statement/notification.
    statements: &'static [(&'static str, &'static str)],
    entries: usize,
    first: First,
    /// Indexes of the entries with `RvslInd` true.
    reversals: &'static [usize],
    /// Number of `TxDtls` over all entries.
    transactions: usize,
    facts: &'static [Fact],
}

/// The first entry.
struct First {
    amount: &'static str,
    credit_debit: &'static str,
    status: &'static str,
    booking_date: Option<&'static str>,
    value_date: Option<&'static str>,
    /// `DOMN/FMLY/SUBFMLY`, then `+PROPRIETARY` when there is one; "" without `BkTxCd`.
    bank_transaction_code: &'static str,
    account_servicer_reference: Option<&'static str>,
    reference: Option<&'static str>,
}

/// Further facts, entry and transaction indexes zero-based.
enum Fact {
    EndToEnd(usize, usize, &'static str),
    TxAcctSvcrRef(usize, usize, &'static str),
    PmtInfId(usize, usize, &'static str),
    InstrId(usize, usize, &'static str),
    MsgId(usize, usize, &'static str),
    MandateId(usize, usize, &'static str),
    Uetr(usize, usize, &'static str),
    TxAmount(usize, usize, &'static str),
    InstructedAmount(usize, usize, &'static str),
    TxCreditDebit(usize, usize, &'static str),
    Remittance(usize, usize, &'static [&'static str]),
    /// entry, batch: MsgId, PmtInfId, NbOfTxs, TtlAmt, CdtDbtInd.
    Batch(
        usize,
        usize,
        Option<&'static str>,
        Option<&'static str>,
        Option<u64>,
        Option<&'static str>,
        Option<&'static str>,
    ),
    /// entry, transaction: Rsn/Cd, Rsn/Prtry, first AddtlInf.
    Return(
        usize,
        usize,
        Option<&'static str>,
        Option<&'static str>,
        Option<&'static str>,
    ),
    /// entry: amount, CdtDbtInd, BkTxCd.
    EntryAt(usize, &'static str, &'static str, &'static str),
    StatementCurrency(usize, Option<&'static str>),
    StatementSequence(usize, Option<&'static str>),
}

fn amount_text(amount: &ReportedAmount) -> String {
    format!("{} {}", amount.value, amount.currency)
}

fn credit_debit_text(cd: CreditDebit) -> &'static str {
    match cd {
        CreditDebit::Credit => "CRDT",
        CreditDebit::Debit => "DBIT",
    }
}

fn status_text(status: &EntryStatus) -> String {
    match status {
        EntryStatus::Booked => "BOOK".into(),
        EntryStatus::Pending => "PDNG".into(),
        EntryStatus::Information => "INFO".into(),
        EntryStatus::Other(code) => code.clone(),
    }
}

fn code_text(code: Option<&BankTransactionCode>) -> String {
    let Some(code) = code else {
        return String::new();
    };
    let mut text = code.iso().unwrap_or_default();
    if let Some(proprietary) = &code.proprietary {
        text.push('+');
        text.push_str(proprietary);
    }
    text
}

fn check(file: &str, expected: &Expected) {
    let report: AccountReport = read_account_report(&sample_bytes(file))
        .unwrap_or_else(|e| panic!("{file}: expected to parse, got {e}"));
    let ctx = |what: &str| format!("{file}: {what}");
    assert_eq!(report.message, expected.message, "{}", ctx("message"));
    assert_eq!(
        report.message_id,
        expected.message_id,
        "{}",
        ctx("GrpHdr/MsgId")
    );
    let statements: Vec<(&str, &str)> = report
        .statements
        .iter()
        .map(|s| (s.id.as_str(), s.account.as_str()))
        .collect();
    assert_eq!(statements, expected.statements, "{}", ctx("statements"));
    let kind = if file.contains("camt.054") {
        ReportKind::Notification
    } else {
        ReportKind::Statement
    };
    for statement in &report.statements {
        assert_eq!(statement.kind, kind, "{}", ctx("kind"));
        assert_eq!(
            statement.message_id,
            expected.message_id,
            "{}",
            ctx("header MsgId")
        );
    }
    assert_eq!(report.entries.len(), expected.entries, "{}", ctx("entries"));
    let ids: Vec<&str> = report.statements.iter().map(|s| s.id.as_str()).collect();
    for entry in &report.entries {
        assert!(
            ids.contains(&entry.statement_id.as_str()),
            "{}",
            ctx("statement_id")
        );
    }

    if let Some(entry) = report.entries.first() {
        let first = &expected.first;
        assert_eq!(
            amount_text(&entry.amount),
            first.amount,
            "{}",
            ctx("first Amt")
        );
        assert_eq!(
            credit_debit_text(entry.credit_debit),
            first.credit_debit,
            "{}",
            ctx("first CdtDbtInd")
        );
        assert_eq!(
            status_text(&entry.status),
            first.status,
            "{}",
            ctx("first Sts")
        );
        assert_eq!(
            entry.booking_date.map(|d| d.to_string()).as_deref(),
            first.booking_date,
            "{}",
            ctx("first BookgDt")
        );
        assert_eq!(
            entry.value_date.map(|d| d.to_string()).as_deref(),
            first.value_date,
            "{}",
            ctx("first ValDt")
        );
        assert_eq!(
            code_text(entry.bank_transaction_code.as_ref()),
            first.bank_transaction_code,
            "{}",
            ctx("first BkTxCd")
        );
        assert_eq!(
            entry.account_servicer_reference.as_deref(),
            first.account_servicer_reference,
            "{}",
            ctx("first AcctSvcrRef")
        );
        assert_eq!(
            entry.reference.as_deref(),
            first.reference,
            "{}",
            ctx("first NtryRef")
        );
    }
    let reversals: Vec<usize> = report
        .entries
        .iter()
        .enumerate()
        .filter(|(_, e)| e.reversal)
        .map(|(i, _)| i)
        .collect();
    assert_eq!(reversals, expected.reversals, "{}", ctx("RvslInd"));
    let transactions: usize = report.entries.iter().map(|e| e.transactions.len()).sum();
    assert_eq!(
        transactions,
        expected.transactions,
        "{}",
        ctx("TxDtls count")
    );

    let tx = |e: usize, t: usize| {
        report
            .entries
            .get(e)
            .and_then(|entry| entry.transactions.get(t))
            .unwrap_or_else(|| panic!("{file}: no entry {e} transaction {t}"))
    };
    for fact in expected.facts {
        match fact {
            Fact::EndToEnd(e, t, v) => {
                assert_eq!(
                    tx(*e, *t).references.end_to_end_id.as_deref(),
                    Some(*v),
                    "{}",
                    ctx("EndToEndId")
                );
            }
            Fact::TxAcctSvcrRef(e, t, v) => assert_eq!(
                tx(*e, *t).references.account_servicer_reference.as_deref(),
                Some(*v),
                "{}",
                ctx("Refs/AcctSvcrRef")
            ),
            Fact::PmtInfId(e, t, v) => assert_eq!(
                tx(*e, *t).references.payment_information_id.as_deref(),
                Some(*v),
                "{}",
                ctx("Refs/PmtInfId")
            ),
            Fact::InstrId(e, t, v) => assert_eq!(
                tx(*e, *t).references.instruction_id.as_deref(),
                Some(*v),
                "{}",
                ctx("Refs/InstrId")
            ),
            Fact::MsgId(e, t, v) => assert_eq!(
                tx(*e, *t).references.message_id.as_deref(),
                Some(*v),
                "{}",
                ctx("Refs/MsgId")
            ),
            Fact::MandateId(e, t, v) => assert_eq!(
                tx(*e, *t).references.mandate_id.as_deref(),
                Some(*v),
                "{}",
                ctx("Refs/MndtId")
            ),
            Fact::Uetr(e, t, v) => assert_eq!(
                tx(*e, *t).references.uetr.as_deref(),
                Some(*v),
                "{}",
                ctx("Refs/UETR")
            ),
            Fact::TxAmount(e, t, v) => assert_eq!(
                tx(*e, *t).amount.as_ref().map(amount_text).as_deref(),
                Some(*v),
                "{}",
                ctx("TxDtls amount")
            ),
            Fact::InstructedAmount(e, t, v) => assert_eq!(
                tx(*e, *t)
                    .instructed_amount
                    .as_ref()
                    .map(amount_text)
                    .as_deref(),
                Some(*v),
                "{}",
                ctx("InstdAmt")
            ),
            Fact::TxCreditDebit(e, t, v) => assert_eq!(
                tx(*e, *t).credit_debit.map(credit_debit_text),
                Some(*v),
                "{}",
                ctx("TxDtls/CdtDbtInd")
            ),
            Fact::Remittance(e, t, v) => {
                assert_eq!(tx(*e, *t).remittance, *v, "{}", ctx("RmtInf"));
            }
            Fact::Batch(e, b, msg_id, pmt_inf_id, count, total, cd) => {
                let batch = report.entries[*e]
                    .batches
                    .get(*b)
                    .unwrap_or_else(|| panic!("{file}: no entry {e} batch {b}"));
                assert_eq!(
                    batch.message_id.as_deref(),
                    *msg_id,
                    "{}",
                    ctx("Btch/MsgId")
                );
                assert_eq!(
                    batch.payment_information_id.as_deref(),
                    *pmt_inf_id,
                    "{}",
                    ctx("Btch/PmtInfId")
                );
                assert_eq!(
                    batch.number_of_transactions,
                    *count,
                    "{}",
                    ctx("Btch/NbOfTxs")
                );
                assert_eq!(
                    batch.total_amount.as_ref().map(amount_text).as_deref(),
                    *total,
                    "{}",
                    ctx("Btch/TtlAmt")
                );
                assert_eq!(
                    batch.credit_debit.map(credit_debit_text),
                    *cd,
                    "{}",
                    ctx("Btch/CdtDbtInd")
                );
            }
            Fact::Return(e, t, code, proprietary, info) => {
                let rtr = tx(*e, *t)
                    .return_information
                    .as_ref()
                    .unwrap_or_else(|| panic!("{file}: entry {e} tx {t} has no RtrInf"));
                assert_eq!(rtr.reason.as_deref(), *code, "{}", ctx("RtrInf/Rsn/Cd"));
                assert_eq!(
                    rtr.proprietary_reason.as_deref(),
                    *proprietary,
                    "{}",
                    ctx("RtrInf/Rsn/Prtry")
                );
                assert_eq!(
                    rtr.additional_info.first().map(String::as_str),
                    *info,
                    "{}",
                    ctx("RtrInf/AddtlInf")
                );
            }
            Fact::EntryAt(e, amount, cd, code) => {
                let entry = &report.entries[*e];
                assert_eq!(amount_text(&entry.amount), *amount, "{}", ctx("entry Amt"));
                assert_eq!(
                    credit_debit_text(entry.credit_debit),
                    *cd,
                    "{}",
                    ctx("entry CdtDbtInd")
                );
                assert_eq!(
                    code_text(entry.bank_transaction_code.as_ref()),
                    *code,
                    "{}",
                    ctx("entry BkTxCd")
                );
            }
            Fact::StatementCurrency(s, ccy) => assert_eq!(
                report.statements[*s].account_currency.as_deref(),
                *ccy,
                "{}",
                ctx("Acct/Ccy")
            ),
            Fact::StatementSequence(s, seq) => assert_eq!(
                report.statements[*s].electronic_sequence_number.as_deref(),
                *seq,
                "{}",
                ctx("ElctrncSeqNb")
            ),
        }
    }
}

fn samples() -> Vec<(&'static str, Expected)> {
    use Fact::*;
    vec![
        (
            "ch_camt.053.001.10_datetime-charges.xml",
            Expected {
                message: "camt.053.001.10",
                message_id: "1234567-1234567891000",
                statements: &[("7301750-38631543-1688639227213", "11111111")],
                entries: 1,
                first: First {
                    amount: "195.86 USD",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    // BookgDt/DtTm 2023-06-21T12:35:33.115965+00:00: the date part.
                    booking_date: Some("2023-06-21"),
                    value_date: None,
                    bank_transaction_code: "+TRANSFER-123456789",
                    account_servicer_reference: None,
                    reference: Some("Test Buchung"),
                },
                reversals: &[],
                transactions: 0,
                facts: &[StatementCurrency(0, Some("USD"))],
            },
        ),
        (
            "de_camt.053.001.02_batch-booking-Btch.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "201906240000000_2019062111111111",
                statements: &[("2019062434566666666666666", "NL18INGB00012345678")],
                entries: 3,
                first: First {
                    amount: "4753.74 EUR",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: Some("2019-05-21"),
                    value_date: Some("2019-05-21"),
                    bank_transaction_code: "PMNT/ICDT/ESCT+00200",
                    account_servicer_reference: Some("68047a4871ab34285b5555555502010c"),
                    reference: Some("032222222222222221000000001"),
                },
                reversals: &[],
                transactions: 2,
                facts: &[Batch(
                    0,
                    0,
                    Some("02453b1e17c11241073a777ad9c273b4149"),
                    Some("O0OpeAYTkhjerKu3eE9asw"),
                    Some(3),
                    None,
                    None,
                )],
            },
        ),
        (
            "de_camt.053.001.02_with-InstdAmt-AmtDtls.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "MSG-C053-190720325942-01",
                statements: &[("STM-C053-190720325942-06", "CH9788761065025111111")],
                entries: 1,
                first: First {
                    amount: "4500.00 CHF",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2019-05-13"),
                    value_date: Some("2019-05-13"),
                    bank_transaction_code: "*/*/OTHR",
                    account_servicer_reference: Some("1340044232"),
                    reference: Some("1340044232"),
                },
                reversals: &[],
                transactions: 1,
                facts: &[
                    // AmtDtls: InstdAmt 4500.00, TxAmt 0.04 (as the file says).
                    InstructedAmount(0, 0, "4500.00 CHF"),
                    TxAmount(0, 0, "0.04 CHF"),
                    Remittance(0, 0, &["Praxis am Weiher"]),
                    StatementCurrency(0, None),
                ],
            },
        ),
        (
            "genkgo_camt.053.001.02_all-balance-types.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "CAMT05300000001",
                statements: &[("CAMT0532015012200001", "CH2801234000123456789")],
                entries: 1,
                first: First {
                    amount: "8.850 EUR",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2014-12-31"),
                    value_date: Some("2015-01-02"),
                    bank_transaction_code: "+544",
                    account_servicer_reference: None,
                    reference: None,
                },
                reversals: &[],
                transactions: 1,
                facts: &[
                    EndToEnd(0, 0, "000000001"),
                    Remittance(0, 0, &["Transaction Description"]),
                ],
            },
        ),
        (
            "genkgo_camt.053.001.02_edge-Dt-vs-DtTm.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "I38y0h4YyLnQiOV6P7nEd44r2",
                statements: &[("I38y0h4YyLnQiOV6P7nEd44r2", "GB33BUKB20201555555555")],
                entries: 0,
                first: First {
                    amount: "",
                    credit_debit: "",
                    status: "",
                    booking_date: None,
                    value_date: None,
                    bank_transaction_code: "",
                    account_servicer_reference: None,
                    reference: None,
                },
                reversals: &[],
                transactions: 0,
                facts: &[],
            },
        ),
        (
            "genkgo_camt.053.001.02_five-decimal-amounts.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "CAMT053RIB000000000001",
                statements: &[("253EURNL26VAYB8060476890", "NL26VAYB8060476890")],
                entries: 1,
                first: First {
                    amount: "8.850 EUR",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2014-12-31"),
                    value_date: Some("2015-01-02"),
                    bank_transaction_code: "+544",
                    account_servicer_reference: None,
                    reference: None,
                },
                reversals: &[],
                transactions: 1,
                facts: &[
                    EndToEnd(0, 0, "000000001"),
                    StatementCurrency(0, Some("EUR")),
                ],
            },
        ),
        (
            "genkgo_camt.053.001.02_minimal.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "CAMT053RIB000000000001",
                statements: &[("253EURNL26VAYB8060476890", "NL26VAYB8060476890")],
                entries: 1,
                first: First {
                    amount: "8.85 EUR",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2014-12-31"),
                    value_date: Some("2015-01-02"),
                    bank_transaction_code: "+544",
                    account_servicer_reference: None,
                    reference: None,
                },
                reversals: &[],
                transactions: 1,
                facts: &[Remittance(0, 0, &["4654654654654654"])],
            },
        ),
        (
            "genkgo_camt.053.001.02_multiple-statements.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "CAMT053RIB000000000001",
                statements: &[
                    ("253EURNL26VAYB8060476890", "NL26VAYB8060476890"),
                    ("254EURNL26VAYB8060476890", "NL26VAYB8060476890"),
                ],
                entries: 2,
                first: First {
                    amount: "8.85 EUR",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2014-12-31"),
                    value_date: Some("2015-01-02"),
                    bank_transaction_code: "+544",
                    account_servicer_reference: None,
                    reference: None,
                },
                reversals: &[],
                transactions: 2,
                facts: &[
                    EndToEnd(0, 0, "000000001"),
                    Remittance(0, 0, &["Transaction Description 1"]),
                ],
            },
        ),
        (
            "genkgo_camt.053.001.04.xml",
            Expected {
                message: "camt.053.001.04",
                message_id: "CAMT053RIB000000000001",
                statements: &[("253EURNL26VAYB8060476890", "NL26VAYB8060476890")],
                entries: 1,
                first: First {
                    amount: "8.85 EUR",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2014-12-31"),
                    value_date: Some("2015-01-02"),
                    bank_transaction_code: "PAYM/0001/0005",
                    account_servicer_reference: Some("AAAASESS-FP-CN_98765/01"),
                    reference: None,
                },
                reversals: &[],
                transactions: 1,
                facts: &[TxAmount(0, 0, "0 SEK"), TxCreditDebit(0, 0, "CRDT")],
            },
        ),
        (
            "genkgo_camt.053.001.08.xml",
            Expected {
                message: "camt.053.001.08",
                message_id: "CAMT053RIB000000000001",
                statements: &[("253EURNL26VAYB8060476890", "NL26VAYB8060476890")],
                entries: 1,
                first: First {
                    amount: "8.85 EUR",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2014-12-31"),
                    value_date: Some("2015-01-02"),
                    bank_transaction_code: "PMNT/RCDT/BOOK",
                    account_servicer_reference: Some("AAAASESS-FP-CN_98765/01"),
                    reference: None,
                },
                reversals: &[],
                transactions: 1,
                facts: &[
                    EndToEnd(0, 0, "MUELL/FINP/RA12345"),
                    Remittance(0, 0, &["4654654654654654"]),
                ],
            },
        ),
        (
            "goldman-sachs-gb_camt.053.001.02_usd-reversals-returns.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "235549650",
                statements: &[("258158850", "DD01100056869")],
                entries: 19,
                first: First {
                    amount: "10.00 USD",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2025-12-06"),
                    value_date: Some("2025-12-06"),
                    bank_transaction_code: "+ACH Credit Reject",
                    account_servicer_reference: None,
                    reference: Some("52198201"),
                },
                reversals: &[0, 11, 14, 17, 18],
                transactions: 19,
                facts: &[
                    EndToEnd(0, 0, "GSGWGDNCTAHQM8"),
                    TxAcctSvcrRef(0, 0, "B20092800002225"),
                    MsgId(0, 0, "GSNULXSKMMJ479NMKS"),
                    PmtInfId(0, 0, "RP/GS/CTFILERP0002/CTBA0003"),
                    InstructedAmount(0, 0, "10.00 USD"),
                    Return(
                        0,
                        0,
                        None,
                        None,
                        Some("Status changed to REJECTED : REJECT REVERSAL"),
                    ),
                    Return(14, 0, None, Some("R02"), None),
                    Return(
                        17,
                        0,
                        None,
                        Some("AM06"),
                        Some("Specified transaction amount is less than agreed minimum"),
                    ),
                    Return(18, 0, None, Some("4"), Some("RCC Warranty Breach")),
                    StatementCurrency(0, Some("USD")),
                ],
            },
        ),
        (
            "lt-bank_camt.053.001.02.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "201509302599406884",
                statements: &[("201509302599406883", "LT007180000000000000")],
                entries: 4,
                first: First {
                    amount: "1.64 EUR",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: Some("2015-05-11"),
                    value_date: Some("2015-05-11"),
                    bank_transaction_code: "PMNT/MDOP/FEES",
                    account_servicer_reference: None,
                    reference: None,
                },
                reversals: &[],
                transactions: 4,
                facts: &[
                    EndToEnd(0, 0, "NOTPROVIDED"),
                    InstrId(0, 0, "215431"),
                    TxAmount(0, 0, "1.64 EUR"),
                ],
            },
        ),
        (
            "nordea-fi_camt.053.001.02_batch-charges-crossborder.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "BANKFILEID00001",
                statements: &[("BANKSTMTID0972009", "FI7433010001222090")],
                entries: 10,
                first: First {
                    amount: "1000.12 EUR",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: Some("2009-10-29"),
                    value_date: Some("2009-10-29"),
                    bank_transaction_code: "PMNT/ICDT/SALA+NTRF+701TransactionCodeText",
                    account_servicer_reference: Some("091029ACCTSTMTARCH01"),
                    reference: None,
                },
                reversals: &[],
                transactions: 12,
                facts: &[Batch(
                    0,
                    0,
                    Some("MSGSALA0001"),
                    Some("CustRefForSalaBatch"),
                    Some(4),
                    None,
                    None,
                )],
            },
        ),
        (
            "postfinance-ch_camt.053.001.04.xml",
            Expected {
                message: "camt.053.001.04",
                message_id: "20201124375204229003967",
                statements: &[("20201124375204229003973", "CH2909000000250094239")],
                entries: 5,
                first: First {
                    amount: "4.50 CHF",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2020-11-24"),
                    value_date: Some("2020-11-24"),
                    bank_transaction_code: "PMNT/IDDT/PMDD",
                    account_servicer_reference: Some("0758103031480900"),
                    reference: Some("41100000000872849"),
                },
                reversals: &[],
                transactions: 5,
                facts: &[
                    TxAcctSvcrRef(0, 0, "0758103031480900"),
                    TxAmount(0, 0, "4.50 CHF"),
                    TxCreditDebit(0, 0, "CRDT"),
                ],
            },
        ),
        (
            "postfinance-ch_camt.053.001.04_reversals-returns-charges.xml",
            Expected {
                message: "camt.053.001.04",
                message_id: "20160430375204000008573",
                statements: &[("20160430375204000008574", "CH0309000000250090342")],
                entries: 13,
                first: First {
                    amount: "24.00 CHF",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: Some("2016-04-30"),
                    value_date: Some("2016-04-30"),
                    bank_transaction_code: "ACMT/ADOP/CHRG",
                    account_servicer_reference: Some("20160401001027080060699001000107"),
                    reference: None,
                },
                reversals: &[11, 12],
                transactions: 32,
                facts: &[
                    Batch(6, 0, None, None, Some(10), None, None),
                    Return(
                        8,
                        0,
                        Some("NARR"),
                        None,
                        Some("RETOUR VAL 23.03.2016 BEGUENSTIGTER UNBEKANNT"),
                    ),
                    MsgId(8, 1, "MSG-Return-Muster"),
                    Return(
                        11,
                        0,
                        Some("MD06"),
                        None,
                        Some("Lastschrift-Widerspruch durch den Zahlungspflichtigen"),
                    ),
                ],
            },
        ),
        (
            "sns-bank-nl_camt.053.001.02_two-statements.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "CAMT053SNS987654321647",
                statements: &[
                    ("CAMT05398765432164600000", "NL14SNSB0012345678"),
                    ("CAMT05398765432164700000", "NL78SNSB0022446688"),
                ],
                entries: 11,
                first: First {
                    amount: "6.05 EUR",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: Some("2026-01-24"),
                    value_date: Some("2026-01-24"),
                    bank_transaction_code: "PMNT/MDOP/OTHR+7261",
                    account_servicer_reference: None,
                    reference: Some("20260125-137113"),
                },
                reversals: &[],
                transactions: 11,
                facts: &[StatementCurrency(1, Some("EUR"))],
            },
        ),
        (
            "synthetic_camt.053.001.08_typical.xml",
            Expected {
                message: "camt.053.001.08",
                message_id: "STMT-20260819-0001",
                statements: &[("NL91ABNA0417164300-2026-08-19", "NL91ABNA0417164300")],
                entries: 2,
                first: First {
                    amount: "12500.00 EUR",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: Some("2026-08-19"),
                    value_date: Some("2026-08-19"),
                    bank_transaction_code: "PMNT/ICDT/ESCT",
                    account_servicer_reference: Some("BK0000000001"),
                    reference: None,
                },
                reversals: &[],
                transactions: 2,
                facts: &[
                    EndToEnd(0, 0, "INV-10042"),
                    EndToEnd(1, 0, "INV-90211"),
                    Remittance(0, 0, &["INV-10042"]),
                ],
            },
        ),
        (
            "ubs-ch_camt.053.001.08.xml",
            Expected {
                message: "camt.053.001.08",
                message_id: "R39B4SA289HMZ6XA",
                statements: &[("R30B4SA880HMZ9XA", "CH1111111111111111111")],
                entries: 3,
                first: First {
                    amount: "474.4 CHF",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2023-06-20"),
                    value_date: Some("2023-06-20"),
                    bank_transaction_code: "PMNT/RCDT/AUTT+Z04",
                    account_servicer_reference: Some("9999171ZC0173078"),
                    reference: None,
                },
                reversals: &[],
                transactions: 3,
                facts: &[
                    EndToEnd(0, 0, "80000004540000100095"),
                    Uetr(0, 0, "d0826d0f-a005-5e3b-b3dc-54da4ac7f0d0"),
                    TxAmount(0, 0, "474.4 CHF"),
                    InstructedAmount(0, 0, "474.4 CHF"),
                    Remittance(0, 0, &["INVOICE R77561"]),
                    Batch(
                        1,
                        0,
                        Some("1b30f9941c8e459f9b0a7b11137b3720"),
                        Some("8d8075ce49134553a261033714278400"),
                        Some(1),
                        Some("88.85 CHF"),
                        Some("CRDT"),
                    ),
                    StatementCurrency(0, Some("CHF")),
                ],
            },
        ),
        (
            "volksbank-de_camt.053.001.02_batch-entries.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "053D2013-12-27T22:05:03.0N130000005",
                statements: &[("0352C5320131227220503", "DE14740618130000033626")],
                entries: 4,
                first: First {
                    amount: "2.00 EUR",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: Some("2013-12-27"),
                    value_date: Some("2013-12-27"),
                    // An empty <BkTxCd/>.
                    bank_transaction_code: "",
                    account_servicer_reference: Some("2013122710583450000"),
                    reference: Some("1234567890sdfghjk"),
                },
                reversals: &[],
                transactions: 5,
                facts: &[
                    EndToEnd(0, 0, "EndToEndReference"),
                    MandateId(0, 0, "MandateReference"),
                    TxAcctSvcrRef(0, 0, "BankReference"),
                    Batch(
                        3,
                        0,
                        None,
                        Some("STZV-PmInf27122013-11:02-2"),
                        Some(2),
                        None,
                        None,
                    ),
                    MsgId(3, 0, "STZV-Msg27122013-11:02"),
                ],
            },
        ),
        (
            "volksbank-de_camt.053.001.02_with-debits.xml",
            Expected {
                message: "camt.053.001.02",
                message_id: "053D2013-12-27T22:05:03.0N130000005",
                statements: &[("0352C5320131227220503", "DE14740618130000033626")],
                entries: 4,
                first: First {
                    amount: "2.00 EUR",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: Some("2013-12-27"),
                    value_date: Some("2013-12-27"),
                    bank_transaction_code: "",
                    account_servicer_reference: Some("2013122710583450000"),
                    reference: None,
                },
                reversals: &[],
                transactions: 5,
                facts: &[Batch(
                    3,
                    0,
                    None,
                    Some("STZV-PmInf27122013-11:02-2"),
                    Some(2),
                    None,
                    None,
                )],
            },
        ),
        // camt.054
        (
            "genkgo_camt.054.001.02.xml",
            Expected {
                message: "camt.054.001.02",
                message_id: "AAAASESS-FP-ACCR001",
                statements: &[("AAAASESS-FP-ACCR001", "CH2801234000123456789")],
                entries: 1,
                first: First {
                    amount: "200000 SEK",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: Some("2007-10-18"),
                    value_date: Some("2007-10-18"),
                    bank_transaction_code: "PMNT/ICDT/DMCT",
                    account_servicer_reference: Some("AAAASESS-FP-ACCR001"),
                    reference: None,
                },
                reversals: &[],
                transactions: 3,
                facts: &[
                    EndToEnd(0, 0, "MUELL/FINP/RA12345"),
                    Remittance(
                        0,
                        0,
                        &[
                            "Unstructured Remittance Information V1",
                            "ISR ref number V1",
                        ],
                    ),
                ],
            },
        ),
        (
            "genkgo_camt.054.001.04.xml",
            Expected {
                message: "camt.054.001.04",
                message_id: "AAAASESS-FP-ACCR001",
                statements: &[("AAAASESS-FP-ACCR001", "CH2801234000123456789")],
                entries: 1,
                first: First {
                    amount: "200000 SEK",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: Some("2007-10-18"),
                    value_date: Some("2007-10-18"),
                    bank_transaction_code: "PMNT/ICDT/DMCT+Z24",
                    account_servicer_reference: Some("ACSR160617103200001"),
                    reference: None,
                },
                reversals: &[],
                transactions: 3,
                facts: &[
                    Batch(
                        0,
                        0,
                        Some("UXC06170000006"),
                        Some("UXC06170000006PI00001"),
                        Some(2),
                        Some("6.3 CHF"),
                        Some("DBIT"),
                    ),
                    EndToEnd(0, 1, "UXC06170000006PI00001EE00002"),
                    InstrId(0, 0, "UXC06170000006PI00001II00001"),
                    TxAmount(0, 1, "3.2 CHF"),
                ],
            },
        ),
        (
            "genkgo_camt.054.001.08.xml",
            Expected {
                message: "camt.054.001.08",
                message_id: "AAAASESS-FP-ACCR001",
                statements: &[("AAAASESS-FP-ACCR001", "CH2801234000123456789")],
                entries: 1,
                first: First {
                    amount: "200000 SEK",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: Some("2007-10-18"),
                    value_date: Some("2007-10-18"),
                    bank_transaction_code: "PMNT/ICDT/DMCT+Z24",
                    account_servicer_reference: Some("ACSR160617103200001"),
                    reference: None,
                },
                reversals: &[],
                transactions: 3,
                facts: &[
                    Batch(
                        0,
                        0,
                        Some("UXC06170000006"),
                        Some("UXC06170000006PI00001"),
                        Some(2),
                        Some("6.3 CHF"),
                        Some("DBIT"),
                    ),
                    EndToEnd(0, 0, "UXC06170000006PI00001EE00001"),
                    TxAmount(0, 0, "3.1 CHF"),
                ],
            },
        ),
        (
            "genkgo_camt.054.001.08_with-UETR.xml",
            Expected {
                message: "camt.054.001.08",
                message_id: "AAAASESS-FP-ACCR001",
                statements: &[("AAAASESS-FP-ACCR001", "CH2801234000123456789")],
                entries: 1,
                first: First {
                    amount: "200000 SEK",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: None,
                    value_date: None,
                    bank_transaction_code: "",
                    account_servicer_reference: None,
                    reference: None,
                },
                reversals: &[],
                transactions: 1,
                facts: &[Uetr(0, 0, "255ae394-9965-4438-ac86-f406feada396")],
            },
        ),
        (
            "nordea-fi_camt.054.001.02_reversal-return-AC01.xml",
            Expected {
                message: "camt.054.001.02",
                message_id: "BANKFILEID219073",
                statements: &[("BANKFILEID00001NTR00001", "FI7433010001222090")],
                entries: 6,
                first: First {
                    amount: "2000.00 EUR",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2009-10-29"),
                    value_date: Some("2009-10-29"),
                    bank_transaction_code: "PMNT/RCDT/DMCT+NTRF+705TransactionCodeText",
                    account_servicer_reference: Some("091029ACCTSTMTARCH04"),
                    reference: None,
                },
                reversals: &[5],
                transactions: 13,
                facts: &[
                    Batch(
                        0,
                        0,
                        Some("BANKFILEID998765"),
                        None,
                        Some(2),
                        Some("2000.00 EUR"),
                        Some("CRDT"),
                    ),
                    TxAcctSvcrRef(0, 0, "D091029N987654321S001"),
                    TxAmount(0, 0, "1900.00 EUR"),
                    Remittance(0, 0, &["3900", "12344"]),
                    EntryAt(
                        5,
                        "100.00 EUR",
                        "CRDT",
                        "PMNT/RDDT/PMDD+NTRF+705TransactionCodeText",
                    ),
                    Return(5, 0, Some("AC01"), None, Some("1+TILIÄ EI LÖYDY")),
                    Return(5, 1, Some("CUST"), None, Some("4+MAKSAJA PERUUTTANUT")),
                    StatementSequence(0, Some("96")),
                ],
            },
        ),
        (
            "postfinance-ch_camt.054.001.04_chdd-direct-debit-batch.xml",
            Expected {
                message: "camt.054.001.04",
                message_id: "20190520375204228751067",
                statements: &[("20190516375204228751070", "CH2909000000250094239")],
                entries: 1,
                first: First {
                    amount: "4.50 CHF",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2019-05-19"),
                    value_date: Some("2019-05-19"),
                    bank_transaction_code: "PMNT/IDDT/PMDD",
                    account_servicer_reference: Some("0758103031480900"),
                    reference: Some("41100000000872849"),
                },
                reversals: &[],
                transactions: 2,
                facts: &[
                    Batch(0, 0, None, None, Some(2), None, None),
                    EndToEnd(0, 0, "E2EId-CHDD-1"),
                    EndToEnd(0, 1, "E2EId-CHDD-2"),
                    MsgId(0, 0, "MsgId-CHDD-Musterfile"),
                    PmtInfId(0, 0, "PmtInfId-CHDD-1"),
                    TxAmount(0, 1, "3.00 CHF"),
                    Remittance(0, 0, &["Rechnung 1001"]),
                ],
            },
        ),
        (
            "postfinance-ch_camt.054.001.04_esr-batch-charges.xml",
            Expected {
                message: "camt.054.001.04",
                message_id: "20190424375204228750928",
                statements: &[("20190424375204228750931", "CH2909000000250094239")],
                entries: 2,
                first: First {
                    amount: "1537.00 CHF",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2019-04-24"),
                    value_date: Some("2019-04-25"),
                    bank_transaction_code: "PMNT/RCDT/VCOM",
                    account_servicer_reference: Some("07582000303KBMSU"),
                    reference: Some("014295803"),
                },
                reversals: &[],
                transactions: 6,
                facts: &[
                    Batch(0, 0, None, None, Some(5), None, None),
                    EndToEnd(0, 0, "EndToEndId-001-02-02"),
                    TxAcctSvcrRef(0, 0, "180315CH02ZX5RI3"),
                    TxAmount(0, 0, "250.00 CHF"),
                    Remittance(0, 0, &["120000000000234478943216899"]),
                ],
            },
        ),
        (
            "postfinance-ch_camt.054.001.04_returns-batch.xml",
            Expected {
                message: "camt.054.001.04",
                message_id: "20190520375204012050698",
                statements: &[("20190520375204012050705", "CH2909000000250094239")],
                entries: 1,
                first: First {
                    amount: "400.00 CHF",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2019-05-20"),
                    value_date: Some("2019-05-20"),
                    bank_transaction_code: "PMNT/ICDT/RRTN",
                    account_servicer_reference: Some("086820002PBWFX2U"),
                    reference: None,
                },
                reversals: &[],
                transactions: 1,
                facts: &[
                    EndToEnd(0, 0, "EndToEndId-004-01-01"),
                    Return(0, 0, Some("AC01"), None, Some("Kontonummer falsch")),
                    Batch(0, 0, None, None, Some(1), None, None),
                ],
            },
        ),
        (
            "postfinance-ch_camt.054.001.04_returns-reversal.xml",
            Expected {
                message: "camt.054.001.04",
                message_id: "20201124375204228763929",
                statements: &[("20201124375204228763930", "CH5109000000250092291")],
                entries: 1,
                first: First {
                    amount: "500.00 CHF",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2020-11-24"),
                    value_date: Some("2020-11-24"),
                    bank_transaction_code: "PMNT/ICDT/RRTN",
                    account_servicer_reference: Some("075820002ZZTJR1K"),
                    reference: None,
                },
                reversals: &[0],
                transactions: 1,
                facts: &[
                    EndToEnd(0, 0, "EndToEndId-001-03-04"),
                    InstrId(0, 0, "InstrId-001-03-04"),
                    Return(0, 0, Some("AC01"), None, Some("Kontonummer falsch")),
                ],
            },
        ),
        (
            "postfinance-ch_camt.054.001.04_reversal-returns-MD06.xml",
            Expected {
                message: "camt.054.001.04",
                message_id: "20160410375204000131033",
                statements: &[("20160410375204000131032", "CH0309000000250090342")],
                entries: 4,
                first: First {
                    amount: "24.00 CHF",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2016-04-10"),
                    value_date: Some("2016-04-10"),
                    bank_transaction_code: "PMNT/RDDT/PMDD",
                    account_servicer_reference: Some("20160410375244000000000000000081"),
                    reference: Some("41107767420881932"),
                },
                reversals: &[2, 3],
                transactions: 5,
                facts: &[
                    EndToEnd(0, 0, "EndToEnd-CRDBRActSame-1B9C-CHDDBB2"),
                    Batch(0, 0, None, None, Some(2), None, None),
                    Return(
                        2,
                        0,
                        Some("MD06"),
                        None,
                        Some("Lastschrift-Widerspruch durch den Zahlungspflichtigen"),
                    ),
                    Return(
                        3,
                        0,
                        Some("MD06"),
                        None,
                        Some("Lastschrift-Widerspruch durch den Zahlungspflichtigen"),
                    ),
                ],
            },
        ),
        (
            "postfinance-ch_camt.054.001.04_single-credit.xml",
            Expected {
                message: "camt.054.001.04",
                message_id: "201904245375204223076552",
                statements: &[("20190424375204223076553", "CH2909000000250094239")],
                entries: 1,
                first: First {
                    amount: "1500.00 CHF",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2019-04-24"),
                    value_date: Some("2019-04-25"),
                    bank_transaction_code: "PMNT/RCDT/VCOM",
                    account_servicer_reference: Some("074820002ZZ9J42U"),
                    reference: None,
                },
                reversals: &[],
                transactions: 1,
                facts: &[TxAmount(0, 0, "1500.00 CHF")],
            },
        ),
        (
            "postfinance-ch_camt.054.001.04_single-debit.xml",
            Expected {
                message: "camt.054.001.04",
                message_id: "20190424375204222704046",
                statements: &[("20190424375204222704047", "CH2909000000250094239")],
                entries: 1,
                first: First {
                    amount: "913.00 CHF",
                    credit_debit: "DBIT",
                    status: "BOOK",
                    booking_date: Some("2019-04-25"),
                    value_date: Some("2019-04-25"),
                    bank_transaction_code: "PMNT/ICDT/AUTT",
                    account_servicer_reference: Some("074820002ZU1EQ0K"),
                    reference: None,
                },
                reversals: &[],
                transactions: 1,
                facts: &[
                    EndToEnd(0, 0, "20190424001255000100006"),
                    MsgId(0, 0, "20190424-000369773"),
                    PmtInfId(0, 0, "30003101"),
                    TxCreditDebit(0, 0, "DBIT"),
                ],
            },
        ),
        (
            "synthetic_camt.054.001.08_charges-splmtrydata.xml",
            Expected {
                message: "camt.054.001.08",
                message_id: "NTFY-20260116-0001",
                statements: &[("NTFY-001", "DE89370400440532013000")],
                entries: 2,
                first: First {
                    amount: "1500.00 EUR",
                    credit_debit: "CRDT",
                    status: "BOOK",
                    booking_date: Some("2026-01-16"),
                    value_date: None,
                    bank_transaction_code: "PMNT/RCDT/ESCT",
                    account_servicer_reference: None,
                    reference: None,
                },
                reversals: &[],
                transactions: 2,
                facts: &[
                    EndToEnd(0, 0, "E2E-0001"),
                    EndToEnd(1, 0, "E2E-0002"),
                    Remittance(0, 0, &["Invoice 2026-0042"]),
                ],
            },
        ),
    ]
}

#[test]
fn every_sample_parses_with_its_concrete_values() {
    let table = samples();
    // The table covers every camt.053/camt.054 sample there is, and nothing else.
    let mut on_disk = Vec::new();
    for family in ["camt.053", "camt.054"] {
        let dir = shared_dir().join("iso20022/samples").join(family);
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
            on_disk.push(entry.unwrap().file_name().to_string_lossy().into_owned());
        }
    }
    on_disk.sort();
    let mut listed: Vec<String> = table.iter().map(|(f, _)| (*f).to_owned()).collect();
    listed.sort();
    assert_eq!(
        listed, on_disk,
        "the sample table must list every camt sample"
    );
    for (file, expected) in &table {
        check(file, expected);
    }
}

#[test]
fn streaming_order_and_header_before_entries() {
    let bytes = sample_bytes("sns-bank-nl_camt.053.001.02_two-statements.xml");
    let reader = AccountReportReader::open(&bytes[..], XmlLimits::default()).unwrap();
    assert_eq!(reader.message().family, "camt.053");
    assert_eq!(reader.message().version, "camt.053.001.02");
    let mut current = None;
    let mut shape = String::new();
    for item in reader {
        match item.unwrap() {
            StatementItem::Statement(header) => {
                current = Some(header.id.clone());
                shape.push('S');
            }
            StatementItem::Entry(entry) => {
                assert_eq!(Some(&entry.statement_id), current.as_ref());
                shape.push('e');
            }
        }
    }
    let statements = shape.matches('S').count();
    assert_eq!(statements, 2);
    assert!(shape.starts_with('S'), "{shape}");
    assert_eq!(shape.len(), 13);
}

// ---------------------------------------------------------------------------------------
// Hand-made documents: versions, strictness, leniency
// ---------------------------------------------------------------------------------------

fn doc(version: &str, statement: &str) -> String {
    let (root, stmt) = match &version[..8] {
        "camt.052" => ("BkToCstmrAcctRpt", "Rpt"),
        "camt.054" => ("BkToCstmrDbtCdtNtfctn", "Ntfctn"),
        _ => ("BkToCstmrStmt", "Stmt"),
    };
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n\
         <Document xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" \
         xmlns=\"urn:iso:std:iso:20022:tech:xsd:{version}\">\r\n\
         <{root}><GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-01-02T10:00:00</CreDtTm></GrpHdr>\r\n\
         <{stmt}><Id>S1</Id><ElctrncSeqNb>7</ElctrncSeqNb><CreDtTm>2026-01-02T10:00:00</CreDtTm>\
         <Acct><Id><Othr><Id>12345</Id></Othr></Id><Ccy>EUR</Ccy></Acct>{statement}</{stmt}></{root}></Document>"
    )
}

const ENTRY_2019: &str = "<Ntry><NtryRef>R1</NtryRef><Amt Ccy=\"EUR\">100.25</Amt><CdtDbtInd>DBIT</CdtDbtInd>\
    <RvslInd>true</RvslInd><Sts><Cd>PDNG</Cd></Sts><BookgDt><DtTm>2026-01-02T23:59:59+01:00</DtTm></BookgDt>\
    <ValDt><Dt>2026-01-03</Dt></ValDt><AcctSvcrRef>ASR1</AcctSvcrRef>\
    <BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>UPDD</SubFmlyCd></Fmly></Domn>\
    <Prtry><Cd>NDDT+109</Cd><Issr>DK</Issr></Prtry></BkTxCd>\
    <NtryDtls><Btch><MsgId>BM</MsgId><PmtInfId>PI-1</PmtInfId><NbOfTxs>1</NbOfTxs>\
    <TtlAmt Ccy=\"EUR\">100.25</TtlAmt><CdtDbtInd>DBIT</CdtDbtInd></Btch>\
    <TxDtls><Refs><MsgId>OM</MsgId><AcctSvcrRef>TA</AcctSvcrRef><PmtInfId>PI-1</PmtInfId>\
    <InstrId>I1</InstrId><EndToEndId>E2E-1</EndToEndId><UETR>u-1</UETR><TxId>T1</TxId>\
    <MndtId>MD-1</MndtId></Refs><Amt Ccy=\"EUR\">100.25</Amt><CdtDbtInd>DBIT</CdtDbtInd>\
    <AmtDtls><InstdAmt><Amt Ccy=\"USD\">110.00</Amt></InstdAmt></AmtDtls>\
    <RmtInf><Ustrd>line 1</Ustrd><Strd><CdtrRefInf><Ref>RF18539007547034</Ref></CdtrRefInf></Strd></RmtInf>\
    <RtrInf><OrgnlBkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>IDDT</Cd><SubFmlyCd>ESDD</SubFmlyCd></Fmly></Domn></OrgnlBkTxCd>\
    <Orgtr><Id><OrgId><AnyBIC>BANKDEFFXXX</AnyBIC></OrgId></Id></Orgtr>\
    <Rsn><Cd>AM04</Cd></Rsn><AddtlInf>insufficient</AddtlInf><AddtlInf>funds</AddtlInf></RtrInf>\
    </TxDtls></NtryDtls></Ntry>";

fn read(xml: &str) -> Result<AccountReport, ReadError> {
    read_account_report(xml.as_bytes())
}

#[test]
fn versions_2_to_14_of_all_three_families_are_accepted() {
    for family in ["camt.052", "camt.053", "camt.054"] {
        for version in 2..=14 {
            let name = format!("{family}.001.{version:02}");
            let report = read(&doc(&name, ENTRY_2019)).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(report.message, name);
            assert_eq!(report.entries.len(), 1);
            let kind = match family {
                "camt.052" => ReportKind::AccountReport,
                "camt.053" => ReportKind::Statement,
                _ => ReportKind::Notification,
            };
            assert_eq!(report.statements[0].kind, kind);
        }
    }
    for name in [
        "camt.053.001.01",
        "camt.053.001.15",
        "camt.055.001.08",
        "pain.002.001.10",
    ] {
        let err = read(&doc(name, "")).unwrap_err();
        assert!(
            matches!(err, ReadError::Unsupported { .. }),
            "{name}: {err}"
        );
    }
    // A national variant namespace.
    let swiss = doc("camt.054.001.04", ENTRY_2019).replace(
        "urn:iso:std:iso:20022:tech:xsd:camt.054.001.04",
        "http://www.six-interbank-clearing.com/de/camt.054.001.04.ch.02.xsd",
    );
    let reader = AccountReportReader::open(swiss.as_bytes(), XmlLimits::default()).unwrap();
    assert_eq!(reader.message().variant.as_deref(), Some("ch.02"));
    assert_eq!(reader.count(), 2);
}

#[test]
fn a_2019_entry_with_every_field() {
    let report = read(&doc("camt.053.001.08", ENTRY_2019)).unwrap();
    assert_eq!(report.message_id, "M1");
    let header = &report.statements[0];
    assert_eq!(header.id, "S1");
    assert_eq!(header.account, "12345");
    assert_eq!(header.account_currency.as_deref(), Some("EUR"));
    assert_eq!(header.electronic_sequence_number.as_deref(), Some("7"));
    assert_eq!(header.created_at.as_deref(), Some("2026-01-02T10:00:00"));
    let entry = &report.entries[0];
    assert_eq!(entry.statement_id, "S1");
    assert_eq!(entry.reference.as_deref(), Some("R1"));
    assert_eq!(amount_text(&entry.amount), "100.25 EUR");
    assert_eq!(entry.credit_debit, CreditDebit::Debit);
    assert!(entry.reversal);
    assert_eq!(entry.status, EntryStatus::Pending);
    assert_eq!(entry.booking_date, Some(jiff::civil::date(2026, 1, 2)));
    assert_eq!(entry.value_date, Some(jiff::civil::date(2026, 1, 3)));
    assert_eq!(
        code_text(entry.bank_transaction_code.as_ref()),
        "PMNT/IDDT/UPDD+NDDT+109"
    );
    let batch = &entry.batches[0];
    assert_eq!(batch.message_id.as_deref(), Some("BM"));
    assert_eq!(batch.payment_information_id.as_deref(), Some("PI-1"));
    assert_eq!(batch.number_of_transactions, Some(1));
    assert_eq!(
        batch.total_amount.as_ref().map(amount_text).as_deref(),
        Some("100.25 EUR")
    );
    assert_eq!(batch.credit_debit, Some(CreditDebit::Debit));
    let tx = &entry.transactions[0];
    let r = &tx.references;
    assert_eq!(
        [
            &r.message_id,
            &r.account_servicer_reference,
            &r.payment_information_id,
            &r.instruction_id,
            &r.end_to_end_id,
            &r.uetr,
            &r.transaction_id,
            &r.mandate_id
        ]
        .map(|v| v.as_deref()),
        [
            Some("OM"),
            Some("TA"),
            Some("PI-1"),
            Some("I1"),
            Some("E2E-1"),
            Some("u-1"),
            Some("T1"),
            Some("MD-1")
        ]
    );
    assert_eq!(
        tx.amount.as_ref().map(amount_text).as_deref(),
        Some("100.25 EUR")
    );
    assert_eq!(
        tx.instructed_amount.as_ref().map(amount_text).as_deref(),
        Some("110.00 USD")
    );
    assert_eq!(tx.credit_debit, Some(CreditDebit::Debit));
    assert_eq!(tx.remittance, ["line 1", "RF18539007547034"]);
    let rtr = tx.return_information.as_ref().unwrap();
    assert_eq!(
        rtr.original_bank_transaction_code
            .as_ref()
            .and_then(|c| c.iso())
            .as_deref(),
        Some("PMNT/IDDT/ESDD")
    );
    assert_eq!(rtr.originator.as_deref(), Some("BANKDEFFXXX"));
    assert_eq!(rtr.reason.as_deref(), Some("AM04"));
    assert_eq!(rtr.additional_info, ["insufficient", "funds"]);
}

#[test]
fn a_2009_entry_status_text_and_tx_amount_in_amount_details() {
    let entry = "<Ntry><Amt Ccy=\"CHF\">5.00000</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>INFO</Sts>\
        <BookgDt><Dt>2024-02-29</Dt></BookgDt><NtryDtls><TxDtls>\
        <AmtDtls><InstdAmt><Amt Ccy=\"EUR\">4.00</Amt></InstdAmt><TxAmt><Amt Ccy=\"CHF\">5.00</Amt></TxAmt></AmtDtls>\
        <RtrInf><Orgtr><Nm>Debtor Bank</Nm><Id><OrgId><BICOrBEI>X</BICOrBEI></OrgId></Id></Orgtr>\
        <Rsn><Prtry>X99</Prtry></Rsn></RtrInf></TxDtls></NtryDtls></Ntry>\
        <Ntry><Amt Ccy=\"CHF\">1</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts>FUTR</Sts></Ntry>";
    let report = read(&doc("camt.053.001.02", entry)).unwrap();
    let first = &report.entries[0];
    assert_eq!(first.status, EntryStatus::Information);
    assert!(!first.reversal);
    assert_eq!(amount_text(&first.amount), "5.00000 CHF");
    let tx = &first.transactions[0];
    assert_eq!(
        tx.amount.as_ref().map(amount_text).as_deref(),
        Some("5.00 CHF")
    );
    assert_eq!(
        tx.instructed_amount.as_ref().map(amount_text).as_deref(),
        Some("4.00 EUR")
    );
    let rtr = tx.return_information.as_ref().unwrap();
    assert_eq!(rtr.originator.as_deref(), Some("Debtor Bank"));
    assert_eq!(rtr.proprietary_reason.as_deref(), Some("X99"));
    assert_eq!(rtr.reason, None);
    assert_eq!(report.entries[1].status, EntryStatus::Other("FUTR".into()));
}

#[test]
fn lenient_about_prefixes_bom_unknown_elements_and_order() {
    let xml = "\u{feff}<?xml version=\"1.0\"?>\r\n<c:Document xmlns:c=\"urn:iso:std:iso:20022:tech:xsd:camt.054.001.08\">\
        <c:BkToCstmrDbtCdtNtfctn><c:GrpHdr><c:MsgId>M</c:MsgId><c:Unknown>x</c:Unknown></c:GrpHdr>\
        <c:Ntfctn><c:Acct><c:Id><c:IBAN>DE89370400440532013000</c:IBAN></c:Id></c:Acct><c:Id>N1</c:Id>\
        <c:Ntry><c:Sts><c:Cd>BOOK</c:Cd></c:Sts><c:CdtDbtInd>CRDT</c:CdtDbtInd><!-- order swapped -->\
        <c:Amt Ccy=\"EUR\">1.5</c:Amt><c:Foo><c:Bar/></c:Foo></c:Ntry></c:Ntfctn>\
        <c:SplmtryData><c:Envlp><c:Any>y</c:Any></c:Envlp></c:SplmtryData>\
        </c:BkToCstmrDbtCdtNtfctn></c:Document>";
    let report = read_account_report(xml.as_bytes()).unwrap();
    assert_eq!(report.statements[0].account, "DE89370400440532013000");
    assert_eq!(report.statements[0].id, "N1");
    assert_eq!(amount_text(&report.entries[0].amount), "1.5 EUR");
    // A statement without entries is still reported, at its end.
    let report = read(&doc(
        "camt.052.001.08",
        "<Bal><Amt Ccy=\"EUR\">1</Amt></Bal>",
    ))
    .unwrap();
    assert_eq!(report.statements.len(), 1);
    assert!(report.entries.is_empty());
}

fn field_error(xml: &str) -> (String, String, String) {
    match read(xml) {
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
fn strict_about_amounts_currencies_dates_indicators_and_mandatory_fields() {
    let with = |from: &str, to: &str| {
        assert!(ENTRY_2019.contains(from), "{from}");
        doc("camt.053.001.08", &ENTRY_2019.replacen(from, to, 1))
    };
    let cases: &[(&str, &str, &str)] = &[
        (
            "<Amt Ccy=\"EUR\">100.25</Amt>",
            "<Amt Ccy=\"EUR\">1000000000000000000000000000000</Amt>",
            "Ntry/Amt",
        ),
        (
            "<Amt Ccy=\"EUR\">100.25</Amt>",
            "<Amt Ccy=\"EUR\">-1.00</Amt>",
            "Ntry/Amt",
        ),
        (
            "<Amt Ccy=\"EUR\">100.25</Amt>",
            "<Amt Ccy=\"EUR\">1.123456</Amt>",
            "Ntry/Amt",
        ),
        (
            "<Amt Ccy=\"EUR\">100.25</Amt>",
            "<Amt Ccy=\"EUR\">1,5</Amt>",
            "Ntry/Amt",
        ),
        (
            "<Amt Ccy=\"EUR\">100.25</Amt>",
            "<Amt Ccy=\"eur\">1.5</Amt>",
            "Ntry/Amt/@Ccy",
        ),
        (
            "<Amt Ccy=\"EUR\">100.25</Amt>",
            "<Amt>1.5</Amt>",
            "Ntry/Amt/@Ccy",
        ),
        ("<Amt Ccy=\"EUR\">100.25</Amt>", "", "Ntry/Amt"),
        (
            "<CdtDbtInd>DBIT</CdtDbtInd>",
            "<CdtDbtInd>DEBIT</CdtDbtInd>",
            "Ntry/CdtDbtInd",
        ),
        ("<CdtDbtInd>DBIT</CdtDbtInd>", "", "Ntry/CdtDbtInd"),
        (
            "<RvslInd>true</RvslInd>",
            "<RvslInd>yes</RvslInd>",
            "Ntry/RvslInd",
        ),
        ("<Sts><Cd>PDNG</Cd></Sts>", "", "Ntry/Sts"),
        (
            "<DtTm>2026-01-02T23:59:59+01:00</DtTm>",
            "<DtTm>2026-01-02</DtTm>",
            "BookgDt/DtTm",
        ),
        ("<Dt>2026-01-03</Dt>", "<Dt>2026-02-30</Dt>", "ValDt/Dt"),
        ("<Dt>2026-01-03</Dt>", "<Dt>03.01.2026</Dt>", "ValDt/Dt"),
        (
            "<NbOfTxs>1</NbOfTxs>",
            "<NbOfTxs>one</NbOfTxs>",
            "Btch/NbOfTxs",
        ),
        (
            "<TtlAmt Ccy=\"EUR\">100.25</TtlAmt>",
            "<TtlAmt Ccy=\"EURO\">100.25</TtlAmt>",
            "Btch/TtlAmt/@Ccy",
        ),
        (
            "<Amt Ccy=\"USD\">110.00</Amt>",
            "<Amt Ccy=\"USD\">1e3</Amt>",
            "InstdAmt/Amt",
        ),
    ];
    for (from, to, path) in cases {
        let (got_path, expected, actual) = field_error(&with(from, to));
        assert!(
            got_path.ends_with(path),
            "{to:?}: path {got_path} should end with {path} (expected {expected}, actual {actual})"
        );
        assert!(!expected.is_empty() && !actual.is_empty());
    }
    let (_, _, actual) = field_error(&with("<Dt>2026-01-03</Dt>", "<Dt>2026-02-30</Dt>"));
    assert_eq!(actual, "\"2026-02-30\"");
    // Account currency is strict too.
    let (path, _, _) =
        field_error(&doc("camt.053.001.08", "").replace("<Ccy>EUR</Ccy>", "<Ccy>E1R</Ccy>"));
    assert!(path.ends_with("Acct/Ccy"), "{path}");
}

#[test]
fn after_an_error_the_iterator_ends() {
    let xml = doc(
        "camt.053.001.08",
        &format!("{}{}", ENTRY_2019.replacen("DBIT", "XXXX", 1), ENTRY_2019),
    );
    let mut reader = AccountReportReader::open(xml.as_bytes(), XmlLimits::default()).unwrap();
    assert!(matches!(
        reader.next(),
        Some(Ok(StatementItem::Statement(_)))
    ));
    assert!(matches!(reader.next(), Some(Err(ReadError::Field { .. }))));
    assert!(reader.next().is_none());
    assert!(reader.next().is_none());
}

// ---------------------------------------------------------------------------------------
// Mutation ("fuzz") tests on the real samples
// ---------------------------------------------------------------------------------------

/// xorshift64*: a seeded, dependency-free generator so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const SMALL_LIMITS: XmlLimits = XmlLimits {
    max_depth: 40,
    max_text_bytes: 4096,
};

/// Parses everything, never panicking; returns the items read and the error if any.
fn parse_all(bytes: &[u8], limits: XmlLimits) -> (usize, Option<ReadError>) {
    let mut reader = match AccountReportReader::open(bytes, limits) {
        Ok(reader) => reader,
        Err(e) => return (0, Some(e)),
    };
    let mut items = 0;
    for item in reader.by_ref() {
        match item {
            Ok(_) => items += 1,
            Err(e) => return (items, Some(e)),
        }
        assert!(items < 1_000_000, "runaway iterator");
    }
    (items, None)
}

fn all_sample_files() -> Vec<&'static str> {
    samples().into_iter().map(|(f, _)| f).collect()
}

#[test]
fn truncation_at_many_points_is_an_error_never_a_panic() {
    for file in all_sample_files() {
        let bytes = sample_bytes(file);
        let text = String::from_utf8_lossy(&bytes);
        let close = text.rfind("Document>").expect("closing Document tag");
        let close = text[..close].rfind('<').unwrap();
        let step = (bytes.len() / 97).max(1);
        let mut cut = 0;
        while cut < bytes.len() {
            let (_, err) = parse_all(&bytes[..cut], XmlLimits::default());
            if cut < close {
                assert!(
                    err.is_some(),
                    "{file}: cut at {cut} of {} parsed without error",
                    bytes.len()
                );
            }
            cut += step;
        }
    }
}

#[test]
fn random_byte_flips_insertions_and_deletions_never_panic() {
    let mut rng = Rng(0x5eed_ca47_0053_0054);
    let specials = [
        b'<', b'>', b'/', b'&', b'"', b'=', b'0', b'.', b'-', 0xFF, 0xC3, b'\n',
    ];
    for file in all_sample_files() {
        let original = sample_bytes(file);
        for _ in 0..60 {
            let mut bytes = original.clone();
            for _ in 0..1 + rng.below(4) {
                let at = rng.below(bytes.len());
                match rng.below(4) {
                    0 => bytes[at] = rng.next() as u8,
                    1 => bytes[at] = specials[rng.below(specials.len())],
                    2 => {
                        bytes.remove(at);
                    }
                    _ => bytes.insert(at, specials[rng.below(specials.len())]),
                }
            }
            let _ = parse_all(&bytes, SMALL_LIMITS);
        }
    }
}

/// Byte ranges of the elements of a document: (start of `<X`, end after `</X>`).
fn element_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut open: Vec<(String, usize)> = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(rel) = text[i..].find('<') {
        let start = i + rel;
        let Some(end_rel) = text[start..].find('>') else {
            break;
        };
        let end = start + end_rel + 1;
        let tag = &text[start + 1..end - 1];
        if tag.starts_with('?') || tag.starts_with('!') {
        } else if let Some(name) = tag.strip_prefix('/') {
            if let Some(pos) = open.iter().rposition(|(n, _)| n == name.trim()) {
                let (_, s) = open[pos].clone();
                open.truncate(pos);
                spans.push((s, end));
            }
        } else if bytes[end - 2] == b'/' {
            spans.push((start, end));
        } else {
            let name = tag.split_whitespace().next().unwrap_or("").to_owned();
            open.push((name, start));
        }
        i = end;
    }
    spans
}

#[test]
fn deleting_and_duplicating_elements_never_panics() {
    let mut rng = Rng(42);
    for file in all_sample_files() {
        let text = String::from_utf8(sample_bytes(file)).unwrap();
        let spans = element_spans(&text);
        assert!(spans.len() > 10, "{file}");
        for round in 0..80 {
            let (s, e) = spans[rng.below(spans.len())];
            let mutated = if round % 2 == 0 {
                format!("{}{}", &text[..s], &text[e..])
            } else {
                format!("{}{}{}", &text[..e], &text[s..e], &text[e..])
            };
            let _ = parse_all(mutated.as_bytes(), SMALL_LIMITS);
        }
    }
}

#[test]
fn deleting_an_entry_amount_or_indicator_names_the_field() {
    for file in all_sample_files() {
        let text = String::from_utf8(sample_bytes(file)).unwrap();
        // The first <Ntry>, with whatever prefix the file uses.
        let found = text.match_indices("Ntry>").find_map(|(at, _)| {
            let lt = text[..at].rfind('<')?;
            let prefix = &text[lt + 1..at];
            (prefix.is_empty() || (prefix.ends_with(':') && !prefix.contains('/')))
                .then_some((at, prefix))
        });
        let Some((tag_end, prefix)) = found else {
            continue;
        };
        let ntry = tag_end;
        for field in ["Amt", "CdtDbtInd"] {
            // The entry's own field is the first such element after <Ntry>.
            let open = format!("<{prefix}{field}");
            let start = ntry
                + text[ntry..]
                    .find(&open)
                    .unwrap_or_else(|| panic!("{file}: {open}"));
            let close = format!("</{prefix}{field}>");
            let end = start + text[start..].find(&close).unwrap() + close.len();
            let mutated = format!("{}{}", &text[..start], &text[end..]);
            match read_account_report(mutated.as_bytes()) {
                Err(ReadError::Field { path, .. }) => {
                    assert!(path.ends_with(&format!("Ntry/{field}")), "{file}: {path}")
                }
                other => panic!("{file} without Ntry/{field}: {other:?}"),
            }
        }
    }
}

#[test]
fn hostile_inputs_respect_the_limits() {
    let sample = String::from_utf8(sample_bytes("synthetic_camt.053.001.08_typical.xml")).unwrap();
    // Deep nesting inside an entry.
    let deep = sample.replacen(
        "<AcctSvcrRef>",
        &format!("{}<AcctSvcrRef>", "<X>".repeat(10_000)),
        1,
    );
    assert!(matches!(
        parse_all(deep.as_bytes(), XmlLimits::default()).1,
        Some(ReadError::TooDeep { .. })
    ));
    // Giant text.
    let giant = sample.replacen("INV-10042", &"A".repeat(2_000_000), 1);
    assert!(matches!(
        parse_all(giant.as_bytes(), XmlLimits::default()).1,
        Some(ReadError::TextTooLong { .. })
    ));
    // Giant amount.
    let huge = sample.replacen("12500.00", "1000000000000000000000000000000", 1);
    assert!(matches!(
        parse_all(huge.as_bytes(), XmlLimits::default()).1,
        Some(ReadError::Field { .. })
    ));
    // DOCTYPE / entity bombs, before or after the root.
    let bomb = "<!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">]>";
    let with_bomb = sample.replacen("<Document", &format!("{bomb}<Document"), 1);
    assert!(matches!(
        parse_all(with_bomb.as_bytes(), XmlLimits::default()).1,
        Some(ReadError::DocType { .. })
    ));
    let entity = sample.replacen("INV-10042", "&lol2;", 1);
    assert!(matches!(
        parse_all(entity.as_bytes(), XmlLimits::default()).1,
        Some(ReadError::Entity { .. })
    ));
    // Many entries in a tiny file: each is reported, none accumulates.
    let entry_start = sample.find("<Ntry>").unwrap();
    let entry_end = sample.find("</Ntry>").unwrap() + "</Ntry>".len();
    let many = format!(
        "{}{}{}",
        &sample[..entry_start],
        sample[entry_start..entry_end].repeat(2000),
        &sample[entry_end..]
    );
    assert_eq!(parse_all(many.as_bytes(), SMALL_LIMITS), (2002, None));
    // Not a camt file.
    assert!(matches!(
        parse_all(b"", XmlLimits::default()).1,
        Some(ReadError::NotIso20022 { .. })
    ));
    let head = &sample_bytes("synthetic_camt.053.001.08_typical.xml")[..20];
    assert!(parse_all(head, XmlLimits::default()).1.is_some());
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(200))]
    #[test]
    fn arbitrary_splices_into_an_entry_never_panic(
        at in 0usize..2000,
        junk in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..64),
    ) {
        let xml = doc("camt.053.001.08", ENTRY_2019);
        let mut bytes = xml.into_bytes();
        let at = at.min(bytes.len());
        bytes.splice(at..at, junk);
        let _ = parse_all(&bytes, SMALL_LIMITS);
    }

    #[test]
    fn amount_text_is_accepted_exactly_when_it_is_a_valid_decimal(text in "[0-9.,+-]{0,24}") {
        let entry = ENTRY_2019.replacen(">100.25<", &format!(">{text}<"), 1);
        let result = read(&doc("camt.053.001.08", &entry));
        let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
        let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
        let valid = digits(whole)
            && (!text.contains('.') || (digits(fraction) && fraction.len() <= 5))
            && whole.len() + fraction.len() <= 18;
        proptest::prop_assert_eq!(result.is_ok(), valid, "{:?} -> {:?}", text, result);
    }
}

// ---------------------------------------------------------------------------------------
// Streaming
// ---------------------------------------------------------------------------------------

/// A camt.053 generated on the fly, never held whole in memory; counts bytes handed out.
struct Generated {
    entries: usize,
    next_entry: usize,
    chunk: Vec<u8>,
    pos: usize,
    stage: u8,
    produced: Rc<Cell<usize>>,
}

const ENTRY_BYTES_MAX: usize = 700;

impl Generated {
    fn entry(i: usize) -> String {
        format!(
            "<Ntry><NtryRef>{i}</NtryRef><Amt Ccy=\"EUR\">{}.{:02}</Amt><CdtDbtInd>{}</CdtDbtInd>\
             <Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-03-02</Dt></BookgDt><ValDt><Dt>2026-03-02</Dt></ValDt>\
             <AcctSvcrRef>ASR{i:08}</AcctSvcrRef><BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd>\
             <SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd><NtryDtls><TxDtls><Refs>\
             <EndToEndId>E2E-{i}</EndToEndId></Refs><Amt Ccy=\"EUR\">{}.{:02}</Amt>\
             <RmtInf><Ustrd>Invoice {i}</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>\r\n",
            i / 100,
            i % 100,
            if i.is_multiple_of(2) { "CRDT" } else { "DBIT" },
            i / 100,
            i % 100,
        )
    }
}

impl Read for Generated {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.pos == self.chunk.len() {
            self.pos = 0;
            self.chunk = match self.stage {
                0 => {
                    self.stage = 1;
                    doc("camt.053.001.08", "@@")
                        .split("@@")
                        .next()
                        .unwrap()
                        .as_bytes()
                        .to_vec()
                }
                1 if self.next_entry < self.entries => {
                    self.next_entry += 1;
                    Self::entry(self.next_entry - 1).into_bytes()
                }
                1 => {
                    self.stage = 2;
                    doc("camt.053.001.08", "@@")
                        .split("@@")
                        .nth(1)
                        .unwrap()
                        .as_bytes()
                        .to_vec()
                }
                _ => return Ok(0),
            };
        }
        let n = out.len().min(self.chunk.len() - self.pos);
        out[..n].copy_from_slice(&self.chunk[self.pos..self.pos + n]);
        self.pos += n;
        self.produced.set(self.produced.get() + n);
        Ok(n)
    }
}

#[test]
fn fifty_thousand_entries_stream_one_at_a_time() {
    const ENTRIES: usize = 50_000;
    const BUFFER: usize = 8 * 1024;
    assert!(Generated::entry(ENTRIES).len() < ENTRY_BYTES_MAX);
    let produced = Rc::new(Cell::new(0));
    let input = BufReader::with_capacity(
        BUFFER,
        Generated {
            entries: ENTRIES,
            next_entry: 0,
            chunk: Vec::new(),
            pos: 0,
            stage: 0,
            produced: produced.clone(),
        },
    );
    let reader = AccountReportReader::open(input, XmlLimits::default()).unwrap();
    // The reader itself is small: it has no collection of entries in it.
    assert!(
        std::mem::size_of::<AccountReportReader<BufReader<Generated>>>() < 2048,
        "{}",
        std::mem::size_of::<AccountReportReader<BufReader<Generated>>>()
    );
    let mut statements = 0;
    let mut entries = 0;
    let mut credits = 0;
    for item in reader {
        match item.unwrap() {
            StatementItem::Statement(header) => {
                statements += 1;
                assert_eq!(header.id, "S1");
            }
            StatementItem::Entry(entry) => {
                assert_eq!(entry.reference, Some(entries.to_string()));
                assert_eq!(entry.transactions.len(), 1);
                assert_eq!(
                    entry.transactions[0].references.end_to_end_id,
                    Some(format!("E2E-{entries}"))
                );
                if entry.credit_debit == CreditDebit::Credit {
                    credits += 1;
                }
                entries += 1;
                // Entry n is yielded before much more than entry n has been read: the
                // file is not read ahead, so nothing piles up behind the reader.
                assert!(
                    produced.get() <= 1024 + (entries + 1) * ENTRY_BYTES_MAX + BUFFER,
                    "entry {entries}: {} bytes read ahead",
                    produced.get()
                );
            }
        }
    }
    assert_eq!((statements, entries, credits), (1, ENTRIES, ENTRIES / 2));
    assert!(produced.get() > ENTRIES * 400, "the whole file was read");
}
