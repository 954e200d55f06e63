//! Reconciliation scenarios: known payments plus a sequence of bank reports (built here
//! directly as parsed items) → expected statuses, applied events, flags and unmatched
//! lines, all through one `check`. Then properties over random report sequences.

use bankgate::domain::event::{Actor, EventContext, EventRecord};
use bankgate::domain::mandate::MandateStatus;
use bankgate::domain::money::{Amount, Currency};
use bankgate::domain::payment::PaymentStatus;
use bankgate::domain::scheme::SchemeKind;
use bankgate::engine::reconcile::{
    BankBehaviour, Book, FlagKind, OutboundMandate, OutboundPayment, Reconciliation,
    apply_account_report, apply_status_report,
};
use bankgate::iso20022::report::{
    BankTransactionCode, Batch, CreditDebit, Entry, EntryStatus, GroupStatus,
    PaymentInformationStatus, References, ReportKind, ReportedAmount, ReturnInformation,
    StatementHeader, StatementItem, StatusItem, StatusReason, TransactionDetails,
    TransactionStatus,
};
use jiff::Timestamp;
use proptest::prelude::*;
use rust_decimal::Decimal;

use CreditDebit::{Credit, Debit};
use FlagKind as F;
use MandateStatus as M;
use PaymentStatus as P;

// ---------------------------------------------------------------------------------------
// Builders.

const ACCOUNT: &str = "DE89370400440532013000";

fn ctx() -> EventContext {
    EventContext::new(
        Actor::Bank("testbank".to_owned()),
        "2026-03-02T10:00:00Z".parse::<Timestamp>().unwrap(),
    )
}

fn eur(amount: &str) -> Amount {
    Amount::parse(amount, Currency::EUR).unwrap()
}

/// A credit transfer of 100.00 EUR, `E2E-<id>`, in `MSG1`/`PMT1`, status `SENT`.
fn ct(id: &str) -> OutboundPayment {
    OutboundPayment {
        id: id.to_owned(),
        end_to_end_id: format!("E2E-{id}"),
        instruction_id: None,
        message_id: "MSG1".to_owned(),
        payment_information_id: "PMT1".to_owned(),
        amount: eur("100.00"),
        kind: SchemeKind::CreditTransfer,
        mandate_id: None,
        status: P::Sent,
    }
}

/// A direct debit like [`ct`], collecting under `mandate`, in `MSG1`/`PMTD`.
fn dd(id: &str, mandate: &str) -> OutboundPayment {
    OutboundPayment {
        kind: SchemeKind::DirectDebit,
        mandate_id: Some(mandate.to_owned()),
        payment_information_id: "PMTD".to_owned(),
        ..ct(id)
    }
}

fn at(payment: OutboundPayment, message: &str, block: &str) -> OutboundPayment {
    OutboundPayment {
        message_id: message.to_owned(),
        payment_information_id: block.to_owned(),
        ..payment
    }
}

fn with_status(payment: OutboundPayment, status: PaymentStatus) -> OutboundPayment {
    OutboundPayment { status, ..payment }
}

fn mandate(id: &str, status: MandateStatus) -> OutboundMandate {
    OutboundMandate {
        id: id.to_owned(),
        status,
    }
}

fn code(c: Option<&str>) -> Option<String> {
    c.map(str::to_owned)
}

fn reason(c: &str) -> Vec<StatusReason> {
    vec![StatusReason {
        code: Some(c.to_owned()),
        ..StatusReason::default()
    }]
}

fn grp(message: &str, status: Option<&str>) -> StatusItem {
    StatusItem::Group(GroupStatus {
        message_id: "STS1".to_owned(),
        original_message_id: message.to_owned(),
        status: code(status),
        ..GroupStatus::default()
    })
}

fn blk(block: &str, status: Option<&str>) -> StatusItem {
    StatusItem::PaymentInformation(PaymentInformationStatus {
        original_payment_information_id: block.to_owned(),
        status: code(status),
        ..PaymentInformationStatus::default()
    })
}

fn txs(block: &str, end_to_end: &str, status: Option<&str>) -> TransactionStatus {
    TransactionStatus {
        original_payment_information_id: block.to_owned(),
        original_end_to_end_id: Some(end_to_end.to_owned()),
        status: code(status),
        ..TransactionStatus::default()
    }
}

fn tx(block: &str, end_to_end: &str, status: Option<&str>) -> StatusItem {
    StatusItem::Transaction(txs(block, end_to_end, status))
}

fn tx_reason(block: &str, end_to_end: &str, status: &str, why: &str) -> StatusItem {
    StatusItem::Transaction(TransactionStatus {
        reasons: reason(why),
        ..txs(block, end_to_end, Some(status))
    })
}

fn amt(value: &str) -> ReportedAmount {
    ReportedAmount {
        value: value.parse::<Decimal>().unwrap(),
        currency: "EUR".to_owned(),
    }
}

fn stmt() -> StatementItem {
    StatementItem::Statement(StatementHeader {
        kind: ReportKind::Statement,
        message_id: "CAMT1".to_owned(),
        id: "STMT1".to_owned(),
        electronic_sequence_number: None,
        legal_sequence_number: None,
        created_at: None,
        account: ACCOUNT.to_owned(),
        account_currency: Some("EUR".to_owned()),
    })
}

/// A booked entry with `AcctSvcrRef` `reference` and no details.
fn entry(reference: &str, amount: &str, direction: CreditDebit) -> Entry {
    Entry {
        statement_id: "STMT1".to_owned(),
        reference: None,
        amount: amt(amount),
        credit_debit: direction,
        reversal: false,
        status: EntryStatus::Booked,
        booking_date: Some(jiff::civil::date(2026, 3, 2)),
        value_date: None,
        account_servicer_reference: Some(reference.to_owned()),
        bank_transaction_code: None,
        batches: Vec::new(),
        transactions: Vec::new(),
    }
}

fn details(end_to_end: &str) -> TransactionDetails {
    TransactionDetails {
        references: References {
            end_to_end_id: Some(end_to_end.to_owned()),
            ..References::default()
        },
        ..TransactionDetails::default()
    }
}

/// A booked entry for one transaction, referenced by `EndToEndId`.
fn single(reference: &str, end_to_end: &str, amount: &str, direction: CreditDebit) -> Entry {
    Entry {
        transactions: vec![details(end_to_end)],
        ..entry(reference, amount, direction)
    }
}

fn btc(text: &str) -> Option<BankTransactionCode> {
    let mut parts = text.split('/').map(|p| Some(p.to_owned()));
    Some(BankTransactionCode {
        domain: parts.next().flatten(),
        family: parts.next().flatten(),
        sub_family: parts.next().flatten(),
        proprietary: None,
    })
}

/// A return entry: `direction`, bank transaction code, and `RtrInf` with `why` if given.
fn returned(
    reference: &str,
    end_to_end: &str,
    direction: CreditDebit,
    code: Option<&str>,
    why: Option<&str>,
) -> Entry {
    Entry {
        bank_transaction_code: code.and_then(btc),
        transactions: vec![TransactionDetails {
            return_information: why.map(|w| ReturnInformation {
                reason: Some(w.to_owned()),
                ..ReturnInformation::default()
            }),
            ..details(end_to_end)
        }],
        ..entry(reference, "100.00", direction)
    }
}

fn batch(reference: &str, block: &str, count: u64, total: &str, direction: CreditDebit) -> Entry {
    Entry {
        batches: vec![Batch {
            message_id: Some("MSG1".to_owned()),
            payment_information_id: Some(block.to_owned()),
            number_of_transactions: Some(count),
            total_amount: Some(amt(total)),
            credit_debit: Some(direction),
        }],
        ..entry(reference, total, direction)
    }
}

#[derive(Debug, Clone)]
enum Report {
    Pain002(Vec<StatusItem>),
    Camt(ReportKind, Vec<Entry>),
}

fn pain002(items: Vec<StatusItem>) -> Report {
    Report::Pain002(items)
}

fn camt053(entries: Vec<Entry>) -> Report {
    Report::Camt(ReportKind::Statement, entries)
}

fn camt054(entries: Vec<Entry>) -> Report {
    Report::Camt(ReportKind::Notification, entries)
}

fn camt052(entries: Vec<Entry>) -> Report {
    Report::Camt(ReportKind::AccountReport, entries)
}

fn apply(book: &mut Book, report: &Report, source: &str) -> Reconciliation {
    match report {
        Report::Pain002(items) => apply_status_report(book, items.clone(), &ctx(), source),
        Report::Camt(kind, entries) => {
            let items =
                std::iter::once(stmt()).chain(entries.iter().cloned().map(StatementItem::Entry));
            apply_account_report(book, *kind, items, &ctx(), source)
        }
    }
}

// ---------------------------------------------------------------------------------------
// One check for every scenario.

#[derive(Default)]
struct Scenario {
    name: String,
    bank: BankBehaviour,
    payments: Vec<OutboundPayment>,
    mandates: Vec<OutboundMandate>,
    reports: Vec<Report>,
    /// Final statuses (payments not named must keep theirs).
    statuses: Vec<(&'static str, PaymentStatus)>,
    mandate_statuses: Vec<(&'static str, MandateStatus)>,
    /// Applied records, in order per report (payments, then mandates):
    /// `p1 BANK_STATUS_RECEIVED SENT->FAILED [AC01]`.
    events: Vec<&'static str>,
    flags: Vec<(FlagKind, &'static str)>,
    /// Entry references of unmatched lines.
    unmatched: Vec<&'static str>,
    /// Entries skipped as already applied.
    duplicates: usize,
}

fn show<S: std::fmt::Display, K: std::fmt::Display>(r: &EventRecord<S, K>) -> String {
    let before = r
        .status_before
        .as_ref()
        .map(ToString::to_string)
        .unwrap_or_default();
    let reason = r
        .evidence
        .as_ref()
        .and_then(|e| e.reason_code.as_deref())
        .map(|c| format!(" [{c}]"))
        .unwrap_or_default();
    format!(
        "{} {} {before}->{}{reason}",
        r.entity_id, r.event, r.status_after
    )
}

fn check(s: Scenario) {
    let name = &s.name;
    let mut book = Book::new(s.bank);
    for p in &s.payments {
        assert!(
            book.add_payment(p.clone()),
            "{name}: duplicate payment {}",
            p.id
        );
    }
    for m in &s.mandates {
        book.add_mandate(m.clone());
    }
    let (mut events, mut flags, mut unmatched, mut duplicates) = (vec![], vec![], vec![], 0);
    for (n, report) in s.reports.iter().enumerate() {
        let result = apply(&mut book, report, &format!("file-{n}"));
        for record in &result.payment_records {
            assert_eq!(
                record.applied,
                record.status_before != Some(record.status_after)
            );
            assert_eq!(record.actor, Actor::Bank("testbank".to_owned()));
        }
        let noise = result.mandate_records.iter().filter(|r| !r.applied).count();
        assert_eq!(
            noise, 0,
            "{name}: mandate records are produced only when they apply"
        );
        events.extend(result.applied_payment_records().map(show));
        events.extend(
            result
                .mandate_records
                .iter()
                .filter(|r| r.applied)
                .map(show),
        );
        flags.extend(result.flags.iter().map(|f| (f.kind, f.reference.clone())));
        unmatched.extend(result.unmatched.iter().map(|u| u.entry_reference.clone()));
        duplicates += result.duplicates.len();
    }
    assert_eq!(events, s.events, "{name}: applied events");
    let want_flags: Vec<(FlagKind, String)> =
        s.flags.iter().map(|(k, r)| (*k, (*r).to_owned())).collect();
    assert_eq!(flags, want_flags, "{name}: flags");
    assert_eq!(unmatched, s.unmatched, "{name}: unmatched lines");
    assert_eq!(duplicates, s.duplicates, "{name}: duplicate entries");
    for p in &s.payments {
        let want = s
            .statuses
            .iter()
            .find(|(id, _)| *id == p.id)
            .map_or(p.status, |(_, st)| *st);
        let got = book.payment(&p.id).unwrap().status;
        assert_eq!(got, want, "{name}: status of {}", p.id);
    }
    for m in &s.mandates {
        let want = s
            .mandate_statuses
            .iter()
            .find(|(id, _)| *id == m.id)
            .map_or(m.status, |(_, st)| *st);
        assert_eq!(
            book.mandate(&m.id).unwrap().status,
            want,
            "{name}: mandate {}",
            m.id
        );
    }
}

fn run(scenarios: Vec<Scenario>) {
    for s in scenarios {
        check(s);
    }
}

// ---------------------------------------------------------------------------------------
// pain.002: the mapping table, level by level.

#[test]
fn pain002_codes_map_to_statuses() {
    let table: [(&str, Option<PaymentStatus>, &str); 13] = [
        (
            "RCVD",
            Some(P::PendingAtBank),
            "p1 BANK_STATUS_RECEIVED SENT->PENDING_AT_BANK",
        ),
        (
            "ACTC",
            Some(P::PendingAtBank),
            "p1 BANK_STATUS_RECEIVED SENT->PENDING_AT_BANK",
        ),
        (
            "PDNG",
            Some(P::PendingAtBank),
            "p1 BANK_STATUS_RECEIVED SENT->PENDING_AT_BANK",
        ),
        (
            "PATC",
            Some(P::PendingAtBank),
            "p1 BANK_STATUS_RECEIVED SENT->PENDING_AT_BANK",
        ),
        (
            "ACCP",
            Some(P::Accepted),
            "p1 BANK_STATUS_RECEIVED SENT->ACCEPTED",
        ),
        (
            "ACFC",
            Some(P::Accepted),
            "p1 BANK_STATUS_RECEIVED SENT->ACCEPTED",
        ),
        (
            "ACSP",
            Some(P::Accepted),
            "p1 BANK_STATUS_RECEIVED SENT->ACCEPTED",
        ),
        (
            "ACWC",
            Some(P::Accepted),
            "p1 BANK_STATUS_RECEIVED SENT->ACCEPTED",
        ),
        (
            "ACWP",
            Some(P::Accepted),
            "p1 BANK_STATUS_RECEIVED SENT->ACCEPTED",
        ),
        (
            "ACSC",
            Some(P::Executed),
            "p1 BANK_STATUS_RECEIVED SENT->EXECUTED",
        ),
        (
            "ACCC",
            Some(P::Executed),
            "p1 BANK_STATUS_RECEIVED SENT->EXECUTED",
        ),
        (
            "RJCT",
            Some(P::Failed),
            "p1 BANK_STATUS_RECEIVED SENT->FAILED",
        ),
        (
            "CANC",
            Some(P::Failed),
            "p1 BANK_STATUS_RECEIVED SENT->FAILED",
        ),
    ];
    let mut scenarios = Vec::new();
    for (code, status, event) in table {
        // The same code at each level: transaction, block, group.
        let levels = [
            vec![
                grp("MSG1", None),
                blk("PMT1", None),
                tx("PMT1", "E2E-p1", Some(code)),
            ],
            vec![
                grp("MSG1", None),
                blk("PMT1", Some(code)),
                tx("PMT1", "E2E-p1", None),
            ],
            vec![grp("MSG1", Some(code)), tx("PMT1", "E2E-p1", None)],
            vec![grp("MSG1", Some(code))],
        ];
        for (level, items) in levels.into_iter().enumerate() {
            scenarios.push(Scenario {
                name: format!("{code} at level {level}"),
                payments: vec![ct("p1")],
                reports: vec![pain002(items)],
                statuses: vec![("p1", status.unwrap())],
                events: vec![event],
                ..Scenario::default()
            });
        }
    }
    for code in ["BLCK", "XYZW", "RVCM"] {
        scenarios.push(Scenario {
            name: format!("unknown code {code}"),
            payments: vec![ct("p1")],
            reports: vec![pain002(vec![
                grp("MSG1", None),
                tx("PMT1", "E2E-p1", Some(code)),
            ])],
            flags: vec![(F::UnknownStatusCode, "E2E-p1")],
            ..Scenario::default()
        });
    }
    scenarios.push(Scenario {
        name: "PART at transaction level is not a transaction status".into(),
        payments: vec![ct("p1")],
        reports: vec![pain002(vec![
            grp("MSG1", None),
            tx("PMT1", "E2E-p1", Some("PART")),
        ])],
        flags: vec![(F::UnknownStatusCode, "E2E-p1")],
        ..Scenario::default()
    });
    run(scenarios);
}

#[test]
fn pain002_levels_and_partial_reports() {
    let three = || vec![ct("p1"), ct("p2"), at(ct("p3"), "MSG1", "PMT2")];
    run(vec![
        Scenario {
            name: "transaction status wins over block and group".into(),
            payments: three(),
            reports: vec![pain002(vec![
                grp("MSG1", Some("ACTC")),
                blk("PMT1", Some("ACCP")),
                tx("PMT1", "E2E-p1", Some("ACSC")),
            ])],
            statuses: vec![
                ("p1", P::Executed),
                ("p2", P::Accepted),
                ("p3", P::PendingAtBank),
            ],
            events: vec![
                "p1 BANK_STATUS_RECEIVED SENT->EXECUTED",
                "p2 BANK_STATUS_RECEIVED SENT->ACCEPTED",
                "p3 BANK_STATUS_RECEIVED SENT->PENDING_AT_BANK",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "group RJCT rejects every transaction of the message".into(),
            payments: three(),
            reports: vec![pain002(vec![StatusItem::Group(GroupStatus {
                reasons: reason("FF01"),
                ..match grp("MSG1", Some("RJCT")) {
                    StatusItem::Group(g) => g,
                    _ => unreachable!(),
                }
            })])],
            statuses: vec![("p1", P::Failed), ("p2", P::Failed), ("p3", P::Failed)],
            events: vec![
                "p1 BANK_STATUS_RECEIVED SENT->FAILED [FF01]",
                "p2 BANK_STATUS_RECEIVED SENT->FAILED [FF01]",
                "p3 BANK_STATUS_RECEIVED SENT->FAILED [FF01]",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "block RJCT rejects only its transactions".into(),
            payments: three(),
            reports: vec![pain002(vec![grp("MSG1", None), blk("PMT2", Some("RJCT"))])],
            statuses: vec![("p3", P::Failed)],
            events: vec!["p3 BANK_STATUS_RECEIVED SENT->FAILED"],
            ..Scenario::default()
        },
        Scenario {
            name: "group PART: listed apply, unlisted keep their status".into(),
            payments: three(),
            reports: vec![pain002(vec![
                grp("MSG1", Some("PART")),
                tx_reason("PMT1", "E2E-p1", "RJCT", "AC01"),
                tx("PMT2", "E2E-p3", Some("ACCP")),
            ])],
            statuses: vec![("p1", P::Failed), ("p3", P::Accepted)],
            events: vec![
                "p1 BANK_STATUS_RECEIVED SENT->FAILED [AC01]",
                "p3 BANK_STATUS_RECEIVED SENT->ACCEPTED",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "block PART under an accepted group: unlisted keep their status".into(),
            payments: three(),
            reports: vec![pain002(vec![
                grp("MSG1", Some("ACCP")),
                blk("PMT1", Some("PART")),
                tx_reason("PMT1", "E2E-p2", "RJCT", "AM04"),
            ])],
            statuses: vec![("p2", P::Failed), ("p3", P::Accepted)],
            events: vec![
                "p2 BANK_STATUS_RECEIVED SENT->FAILED [AM04]",
                "p3 BANK_STATUS_RECEIVED SENT->ACCEPTED",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "PmtInfId and InstrId find a transaction without EndToEndId".into(),
            payments: vec![
                OutboundPayment {
                    instruction_id: Some("INS-1".into()),
                    ..ct("p1")
                },
                ct("p2"),
            ],
            reports: vec![pain002(vec![
                grp("MSG1", None),
                StatusItem::Transaction(TransactionStatus {
                    original_instruction_id: Some("INS-1".into()),
                    original_end_to_end_id: None,
                    ..txs("PMT1", "", Some("ACSP"))
                }),
            ])],
            statuses: vec![("p1", P::Accepted)],
            events: vec!["p1 BANK_STATUS_RECEIVED SENT->ACCEPTED"],
            ..Scenario::default()
        },
        Scenario {
            name: "reports arriving over time move forward only".into(),
            payments: vec![ct("p1")],
            reports: vec![
                pain002(vec![grp("MSG1", Some("ACTC"))]),
                pain002(vec![grp("MSG1", None), tx("PMT1", "E2E-p1", Some("ACSC"))]),
                pain002(vec![grp("MSG1", Some("ACTC"))]),
                pain002(vec![grp("MSG1", None), tx("PMT1", "E2E-p1", Some("ACCP"))]),
            ],
            statuses: vec![("p1", P::Executed)],
            events: vec![
                "p1 BANK_STATUS_RECEIVED SENT->PENDING_AT_BANK",
                "p1 BANK_STATUS_RECEIVED PENDING_AT_BANK->EXECUTED",
            ],
            ..Scenario::default()
        },
    ]);
}

#[test]
fn pain002_reject_only_banks() {
    let bank = BankBehaviour {
        reports_only_rejections: true,
    };
    let three = || vec![ct("p1"), ct("p2"), at(ct("p3"), "MSG1", "PMT2")];
    run(vec![
        Scenario {
            name: "PART: unlisted become ACCEPTED".into(),
            bank,
            payments: three(),
            reports: vec![pain002(vec![
                grp("MSG1", Some("PART")),
                blk("PMT1", Some("PART")),
                tx_reason("PMT1", "E2E-p1", "RJCT", "AC04"),
            ])],
            statuses: vec![("p1", P::Failed), ("p2", P::Accepted), ("p3", P::Accepted)],
            events: vec![
                "p1 BANK_STATUS_RECEIVED SENT->FAILED [AC04]",
                "p2 BANK_STATUS_RECEIVED SENT->ACCEPTED",
                "p3 BANK_STATUS_RECEIVED SENT->ACCEPTED",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "no group status, only rejections listed: the rest is accepted".into(),
            bank,
            payments: three(),
            reports: vec![pain002(vec![
                grp("MSG1", None),
                tx("PMT2", "E2E-p3", Some("RJCT")),
            ])],
            statuses: vec![("p1", P::Accepted), ("p2", P::Accepted), ("p3", P::Failed)],
            events: vec![
                "p3 BANK_STATUS_RECEIVED SENT->FAILED",
                "p1 BANK_STATUS_RECEIVED SENT->ACCEPTED",
                "p2 BANK_STATUS_RECEIVED SENT->ACCEPTED",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "an explicit group status still governs unlisted transactions".into(),
            bank,
            payments: three(),
            reports: vec![pain002(vec![grp("MSG1", Some("ACTC"))])],
            statuses: vec![
                ("p1", P::PendingAtBank),
                ("p2", P::PendingAtBank),
                ("p3", P::PendingAtBank),
            ],
            events: vec![
                "p1 BANK_STATUS_RECEIVED SENT->PENDING_AT_BANK",
                "p2 BANK_STATUS_RECEIVED SENT->PENDING_AT_BANK",
                "p3 BANK_STATUS_RECEIVED SENT->PENDING_AT_BANK",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "same report under a normal bank: unlisted untouched".into(),
            payments: three(),
            reports: vec![pain002(vec![
                grp("MSG1", None),
                tx("PMT2", "E2E-p3", Some("RJCT")),
            ])],
            statuses: vec![("p3", P::Failed)],
            events: vec!["p3 BANK_STATUS_RECEIVED SENT->FAILED"],
            ..Scenario::default()
        },
    ]);
}

#[test]
fn pain002_rejections_after_execution_unknowns_and_duplicates() {
    let report = || {
        pain002(vec![
            grp("MSG1", None),
            tx_reason("PMT1", "E2E-p1", "RJCT", "AC01"),
        ])
    };
    run(vec![
        Scenario {
            name: "RJCT after EXECUTED is a return".into(),
            payments: vec![with_status(ct("p1"), P::Executed)],
            reports: vec![report()],
            statuses: vec![("p1", P::Returned)],
            events: vec!["p1 BANK_STATUS_RECEIVED EXECUTED->RETURNED [AC01]"],
            ..Scenario::default()
        },
        Scenario {
            name: "RJCT after RECONCILED is a return".into(),
            payments: vec![with_status(ct("p1"), P::Reconciled)],
            reports: vec![report()],
            statuses: vec![("p1", P::Returned)],
            events: vec!["p1 BANK_STATUS_RECEIVED RECONCILED->RETURNED [AC01]"],
            ..Scenario::default()
        },
        Scenario {
            name: "the same file twice applies once".into(),
            payments: vec![ct("p1"), ct("p2")],
            reports: vec![
                pain002(vec![
                    grp("MSG1", Some("ACSP")),
                    tx("PMT1", "E2E-p1", Some("RJCT")),
                ]),
                pain002(vec![
                    grp("MSG1", Some("ACSP")),
                    tx("PMT1", "E2E-p1", Some("RJCT")),
                ]),
            ],
            statuses: vec![("p1", P::Failed), ("p2", P::Accepted)],
            events: vec![
                "p1 BANK_STATUS_RECEIVED SENT->FAILED",
                "p2 BANK_STATUS_RECEIVED SENT->ACCEPTED",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "unknown EndToEndId, message and block are flagged".into(),
            payments: vec![ct("p1")],
            reports: vec![
                pain002(vec![
                    grp("MSG1", None),
                    tx("PMT1", "E2E-nope", Some("RJCT")),
                ]),
                pain002(vec![grp("MSG9", Some("RJCT"))]),
                pain002(vec![grp("MSG1", None), blk("PMT9", Some("RJCT"))]),
            ],
            flags: vec![
                (F::UnknownReference, "E2E-nope"),
                (F::UnknownReference, "MSG9"),
                (F::UnknownReference, "PMT9"),
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "an echoed amount that differs is flagged, not applied".into(),
            payments: vec![ct("p1")],
            reports: vec![pain002(vec![
                grp("MSG1", None),
                StatusItem::Transaction(TransactionStatus {
                    original_amount: Some(amt("90.00")),
                    ..txs("PMT1", "E2E-p1", Some("RJCT"))
                }),
            ])],
            flags: vec![(F::AmountMismatch, "E2E-p1")],
            ..Scenario::default()
        },
        Scenario {
            name: "acceptance of a FAILED payment is conflicting evidence".into(),
            payments: vec![with_status(ct("p1"), P::Failed)],
            reports: vec![pain002(vec![
                grp("MSG1", None),
                tx("PMT1", "E2E-p1", Some("ACSC")),
            ])],
            flags: vec![(F::ConflictingEvidence, "E2E-p1")],
            ..Scenario::default()
        },
    ]);
}

// ---------------------------------------------------------------------------------------
// camt: bookings, matching, batches.

#[test]
fn camt_bookings_execute_and_reconcile() {
    run(vec![
        Scenario {
            name: "camt.054 BOOK DBIT executes a credit transfer".into(),
            payments: vec![ct("p1")],
            reports: vec![camt054(vec![single("R1", "E2E-p1", "100.00", Debit)])],
            statuses: vec![("p1", P::Executed)],
            events: vec!["p1 STATEMENT_BOOKED SENT->EXECUTED"],
            ..Scenario::default()
        },
        Scenario {
            name: "camt.052 BOOK executes".into(),
            payments: vec![with_status(ct("p1"), P::Accepted)],
            reports: vec![camt052(vec![single("R1", "E2E-p1", "100.00", Debit)])],
            statuses: vec![("p1", P::Executed)],
            events: vec!["p1 STATEMENT_BOOKED ACCEPTED->EXECUTED"],
            ..Scenario::default()
        },
        Scenario {
            name: "camt.053 BOOK reconciles".into(),
            payments: vec![ct("p1")],
            reports: vec![camt053(vec![single("R1", "E2E-p1", "100", Debit)])],
            statuses: vec![("p1", P::Reconciled)],
            events: vec!["p1 STATEMENT_BOOKED SENT->RECONCILED"],
            ..Scenario::default()
        },
        Scenario {
            name: "PDNG, INFO and other entry statuses change nothing".into(),
            payments: vec![ct("p1")],
            reports: vec![camt053(vec![
                Entry {
                    status: EntryStatus::Pending,
                    ..single("R1", "E2E-p1", "100.00", Debit)
                },
                Entry {
                    status: EntryStatus::Information,
                    ..single("R2", "E2E-p1", "100.00", Debit)
                },
                Entry {
                    status: EntryStatus::Other("FUTR".into()),
                    ..single("R3", "E2E-p1", "100.00", Debit)
                },
            ])],
            ..Scenario::default()
        },
        Scenario {
            name: "direct debit booked CRDT reconciles and activates its mandate".into(),
            payments: vec![dd("d1", "m1")],
            mandates: vec![mandate("m1", M::Created)],
            reports: vec![camt053(vec![single("R1", "E2E-d1", "100.00", Credit)])],
            statuses: vec![("d1", P::Reconciled)],
            mandate_statuses: vec![("m1", M::Active)],
            events: vec![
                "d1 STATEMENT_BOOKED SENT->RECONCILED",
                "m1 ACTIVATED CREATED->ACTIVE",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "pain.002 then camt.054 then camt.053".into(),
            payments: vec![ct("p1")],
            reports: vec![
                pain002(vec![grp("MSG1", Some("ACTC"))]),
                pain002(vec![grp("MSG1", Some("ACSC"))]),
                camt054(vec![single("R1", "E2E-p1", "100.00", Debit)]),
                camt053(vec![single("R1", "E2E-p1", "100.00", Debit)]),
            ],
            statuses: vec![("p1", P::Reconciled)],
            events: vec![
                "p1 BANK_STATUS_RECEIVED SENT->PENDING_AT_BANK",
                "p1 BANK_STATUS_RECEIVED PENDING_AT_BANK->EXECUTED",
                "p1 STATEMENT_BOOKED EXECUTED->RECONCILED",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "a booking of a FAILED payment is conflicting evidence".into(),
            payments: vec![with_status(ct("p1"), P::Failed)],
            reports: vec![camt053(vec![single("R1", "E2E-p1", "100.00", Debit)])],
            flags: vec![(F::ConflictingEvidence, "R1")],
            ..Scenario::default()
        },
        Scenario {
            name: "a credit transfer booked CRDT without return data is conflicting".into(),
            payments: vec![ct("p1")],
            reports: vec![camt053(vec![single("R1", "E2E-p1", "100.00", Credit)])],
            flags: vec![(F::ConflictingEvidence, "R1")],
            ..Scenario::default()
        },
    ]);
}

#[test]
fn camt_matching_order_and_mismatches() {
    let refs = |r: References| Entry {
        transactions: vec![TransactionDetails {
            references: r,
            ..TransactionDetails::default()
        }],
        ..entry("R1", "100.00", Debit)
    };
    run(vec![
        Scenario {
            name: "InstrId when the EndToEndId is NOTPROVIDED".into(),
            payments: vec![OutboundPayment {
                instruction_id: Some("INS-1".into()),
                ..ct("p1")
            }],
            reports: vec![camt053(vec![refs(References {
                end_to_end_id: Some("NOTPROVIDED".into()),
                instruction_id: Some("INS-1".into()),
                ..References::default()
            })])],
            statuses: vec![("p1", P::Reconciled)],
            events: vec!["p1 STATEMENT_BOOKED SENT->RECONCILED"],
            ..Scenario::default()
        },
        Scenario {
            name: "PmtInfId of a one-payment block".into(),
            payments: vec![ct("p1"), at(ct("p2"), "MSG1", "PMT2")],
            reports: vec![camt053(vec![refs(References {
                payment_information_id: Some("PMT2".into()),
                ..References::default()
            })])],
            statuses: vec![("p2", P::Reconciled)],
            events: vec!["p2 STATEMENT_BOOKED SENT->RECONCILED"],
            ..Scenario::default()
        },
        Scenario {
            name: "MsgId of a one-payment message".into(),
            payments: vec![ct("p1"), at(ct("p2"), "MSG2", "PMT1")],
            reports: vec![camt053(vec![refs(References {
                message_id: Some("MSG2".into()),
                ..References::default()
            })])],
            statuses: vec![("p2", P::Reconciled)],
            events: vec!["p2 STATEMENT_BOOKED SENT->RECONCILED"],
            ..Scenario::default()
        },
        Scenario {
            name: "EndToEndId reused across messages: MsgId decides, else ambiguous".into(),
            payments: vec![
                ct("p1"),
                OutboundPayment {
                    message_id: "MSG2".into(),
                    end_to_end_id: "E2E-p1".into(),
                    ..ct("p2")
                },
            ],
            reports: vec![camt053(vec![
                refs(References {
                    end_to_end_id: Some("E2E-p1".into()),
                    message_id: Some("MSG2".into()),
                    ..References::default()
                }),
                single("R2", "E2E-p1", "100.00", Debit),
            ])],
            statuses: vec![("p2", P::Reconciled)],
            events: vec!["p2 STATEMENT_BOOKED SENT->RECONCILED"],
            flags: vec![(F::AmbiguousReference, "R2")],
            ..Scenario::default()
        },
        Scenario {
            name: "amount and currency must agree".into(),
            payments: vec![ct("p1"), ct("p2")],
            reports: vec![camt053(vec![
                single("R1", "E2E-p1", "100.01", Debit),
                Entry {
                    amount: ReportedAmount {
                        value: Decimal::from(100),
                        currency: "SEK".into(),
                    },
                    ..single("R2", "E2E-p2", "100.00", Debit)
                },
            ])],
            flags: vec![(F::AmountMismatch, "R1"), (F::CurrencyMismatch, "R2")],
            ..Scenario::default()
        },
        Scenario {
            name: "unknown references are unmatched lines".into(),
            payments: vec![ct("p1")],
            reports: vec![camt053(vec![
                single("R1", "E2E-other", "55.00", Credit),
                entry("R2", "12.00", Debit),
                batch("R3", "PMT-unknown", 2, "200.00", Debit),
            ])],
            unmatched: vec!["R1", "R2", "R3"],
            ..Scenario::default()
        },
    ]);
}

#[test]
fn camt_batch_bookings() {
    let block = || {
        vec![
            ct("p1"),
            ct("p2"),
            OutboundPayment {
                amount: eur("50.00"),
                ..ct("p3")
            },
        ]
    };
    run(vec![
        Scenario {
            name: "Btch PmtInfId + NbOfTxs + TtlAmt reconciles the whole block".into(),
            payments: block(),
            reports: vec![camt053(vec![batch("R1", "PMT1", 3, "250.00", Debit)])],
            statuses: vec![
                ("p1", P::Reconciled),
                ("p2", P::Reconciled),
                ("p3", P::Reconciled),
            ],
            events: vec![
                "p1 STATEMENT_BOOKED SENT->RECONCILED",
                "p2 STATEMENT_BOOKED SENT->RECONCILED",
                "p3 STATEMENT_BOOKED SENT->RECONCILED",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "entry without TxDtls or Btch: NtryRef names the block".into(),
            payments: block(),
            reports: vec![camt054(vec![Entry {
                reference: Some("PMT1".into()),
                account_servicer_reference: None,
                ..entry("", "250.00", Debit)
            }])],
            statuses: vec![
                ("p1", P::Executed),
                ("p2", P::Executed),
                ("p3", P::Executed),
            ],
            events: vec![
                "p1 STATEMENT_BOOKED SENT->EXECUTED",
                "p2 STATEMENT_BOOKED SENT->EXECUTED",
                "p3 STATEMENT_BOOKED SENT->EXECUTED",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "one TxDtls naming only a multi-payment block is a batch".into(),
            payments: block(),
            reports: vec![camt053(vec![Entry {
                transactions: vec![TransactionDetails {
                    references: References {
                        payment_information_id: Some("PMT1".into()),
                        message_id: Some("MSG1".into()),
                        ..References::default()
                    },
                    ..TransactionDetails::default()
                }],
                ..entry("R1", "250.00", Debit)
            }])],
            statuses: vec![
                ("p1", P::Reconciled),
                ("p2", P::Reconciled),
                ("p3", P::Reconciled),
            ],
            events: vec![
                "p1 STATEMENT_BOOKED SENT->RECONCILED",
                "p2 STATEMENT_BOOKED SENT->RECONCILED",
                "p3 STATEMENT_BOOKED SENT->RECONCILED",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "a debulked camt.054: one entry, one TxDtls per payment".into(),
            payments: block(),
            reports: vec![camt054(vec![Entry {
                transactions: vec![
                    TransactionDetails {
                        amount: Some(amt("100.00")),
                        ..details("E2E-p1")
                    },
                    TransactionDetails {
                        amount: Some(amt("100.00")),
                        ..details("E2E-p2")
                    },
                    TransactionDetails {
                        amount: Some(amt("49.00")),
                        ..details("E2E-p3")
                    },
                    details("E2E-p1"),
                ],
                ..entry("R1", "250.00", Debit)
            }])],
            statuses: vec![("p1", P::Executed), ("p2", P::Executed)],
            events: vec![
                "p1 STATEMENT_BOOKED SENT->EXECUTED",
                "p2 STATEMENT_BOOKED SENT->EXECUTED",
            ],
            flags: vec![(F::AmountMismatch, "R1"), (F::AmountMismatch, "R1")],
            ..Scenario::default()
        },
        Scenario {
            name: "batch count differs".into(),
            payments: block(),
            reports: vec![camt053(vec![batch("R1", "PMT1", 2, "250.00", Debit)])],
            flags: vec![(F::BatchMismatch, "R1")],
            ..Scenario::default()
        },
        Scenario {
            name: "batch total differs".into(),
            payments: block(),
            reports: vec![camt053(vec![batch("R1", "PMT1", 3, "300.00", Debit)])],
            flags: vec![(F::AmountMismatch, "R1")],
            ..Scenario::default()
        },
        Scenario {
            name: "batch currency differs".into(),
            payments: block(),
            reports: vec![camt053(vec![Entry {
                batches: vec![Batch {
                    total_amount: Some(ReportedAmount {
                        value: Decimal::from(250),
                        currency: "SEK".into(),
                    }),
                    ..Batch {
                        payment_information_id: Some("PMT1".into()),
                        ..Batch::default()
                    }
                }],
                ..entry("R1", "250.00", Debit)
            }])],
            flags: vec![(F::CurrencyMismatch, "R1")],
            ..Scenario::default()
        },
        Scenario {
            name: "direct-debit batch credited activates every mandate once".into(),
            payments: vec![dd("d1", "m1"), dd("d2", "m1"), dd("d3", "m2")],
            mandates: vec![mandate("m1", M::Created), mandate("m2", M::Active)],
            reports: vec![camt053(vec![batch("R1", "PMTD", 3, "300.00", Credit)])],
            statuses: vec![
                ("d1", P::Reconciled),
                ("d2", P::Reconciled),
                ("d3", P::Reconciled),
            ],
            mandate_statuses: vec![("m1", M::Active)],
            events: vec![
                "d1 STATEMENT_BOOKED SENT->RECONCILED",
                "d2 STATEMENT_BOOKED SENT->RECONCILED",
                "d3 STATEMENT_BOOKED SENT->RECONCILED",
                "m1 ACTIVATED CREATED->ACTIVE",
            ],
            ..Scenario::default()
        },
    ]);
}

// ---------------------------------------------------------------------------------------
// Returns, reversals, mandates.

#[test]
fn returns_after_execution() {
    let executed = |p: OutboundPayment| with_status(p, P::Executed);
    run(vec![
        Scenario {
            name: "CT: CRDT PMNT/ICDT/RRTN with RtrInf".into(),
            payments: vec![executed(ct("p1"))],
            reports: vec![camt054(vec![returned(
                "R9",
                "E2E-p1",
                Credit,
                Some("PMNT/ICDT/RRTN"),
                Some("AC04"),
            )])],
            statuses: vec![("p1", P::Returned)],
            events: vec!["p1 RETURN_RECEIVED EXECUTED->RETURNED [AC04]"],
            ..Scenario::default()
        },
        Scenario {
            name: "CT: CRDT RRTN without RtrInf".into(),
            payments: vec![executed(ct("p1"))],
            reports: vec![camt053(vec![returned(
                "R9",
                "E2E-p1",
                Credit,
                Some("PMNT/ICDT/RRTN"),
                None,
            )])],
            statuses: vec![("p1", P::Returned)],
            events: vec!["p1 RETURN_RECEIVED EXECUTED->RETURNED"],
            ..Scenario::default()
        },
        Scenario {
            name: "CT: any CRDT with RtrInf whose refs match".into(),
            payments: vec![with_status(ct("p1"), P::Reconciled)],
            reports: vec![camt053(vec![returned(
                "R9",
                "E2E-p1",
                Credit,
                None,
                Some("FOCR"),
            )])],
            statuses: vec![("p1", P::Returned)],
            events: vec!["p1 RETURN_RECEIVED RECONCILED->RETURNED [FOCR]"],
            ..Scenario::default()
        },
        Scenario {
            name: "DD: DBIT PMNT/IDDT/UPDD with RtrInf".into(),
            payments: vec![executed(dd("d1", "m1"))],
            mandates: vec![mandate("m1", M::Active)],
            reports: vec![camt054(vec![returned(
                "R9",
                "E2E-d1",
                Debit,
                Some("PMNT/IDDT/UPDD"),
                Some("AM04"),
            )])],
            statuses: vec![("d1", P::Returned)],
            events: vec!["d1 RETURN_RECEIVED EXECUTED->RETURNED [AM04]"],
            ..Scenario::default()
        },
        Scenario {
            name: "DD: DBIT PMNT/IDDT/PRDD refund MD06 leaves the mandate".into(),
            payments: vec![with_status(dd("d1", "m1"), P::Reconciled)],
            mandates: vec![mandate("m1", M::Active)],
            reports: vec![camt053(vec![returned(
                "R9",
                "E2E-d1",
                Debit,
                Some("PMNT/IDDT/PRDD"),
                Some("MD06"),
            )])],
            statuses: vec![("d1", P::Returned)],
            events: vec!["d1 RETURN_RECEIVED RECONCILED->RETURNED [MD06]"],
            ..Scenario::default()
        },
        Scenario {
            name: "DD: DBIT without return codes is conflicting".into(),
            payments: vec![executed(dd("d1", "m1"))],
            mandates: vec![mandate("m1", M::Active)],
            reports: vec![camt053(vec![single("R9", "E2E-d1", "100.00", Debit)])],
            flags: vec![(F::ConflictingEvidence, "R9")],
            ..Scenario::default()
        },
        Scenario {
            name: "RvslInd=true on a matched entry returns it and asks for review".into(),
            payments: vec![executed(ct("p1"))],
            reports: vec![camt053(vec![Entry {
                reversal: true,
                ..single("R9", "E2E-p1", "100.00", Credit)
            }])],
            statuses: vec![("p1", P::Returned)],
            events: vec!["p1 RETURN_RECEIVED EXECUTED->RETURNED"],
            flags: vec![(F::ReversalNeedsReview, "R9")],
            ..Scenario::default()
        },
        Scenario {
            name: "booking then return in one statement".into(),
            payments: vec![ct("p1")],
            reports: vec![camt053(vec![
                single("R1", "E2E-p1", "100.00", Debit),
                returned("R2", "E2E-p1", Credit, Some("PMNT/ICDT/RRTN"), Some("AC01")),
            ])],
            statuses: vec![("p1", P::Returned)],
            events: vec![
                "p1 STATEMENT_BOOKED SENT->RECONCILED",
                "p1 RETURN_RECEIVED RECONCILED->RETURNED [AC01]",
            ],
            ..Scenario::default()
        },
    ]);
}

#[test]
fn mandates_follow_their_collections() {
    run(vec![
        Scenario {
            name: "first successful collection (pain.002 ACSC) activates".into(),
            payments: vec![dd("d1", "m1"), at(dd("d2", "m1"), "MSG2", "PMTD")],
            mandates: vec![mandate("m1", M::Created)],
            reports: vec![
                pain002(vec![grp("MSG1", Some("ACSC"))]),
                pain002(vec![grp("MSG2", Some("ACSC"))]),
            ],
            statuses: vec![("d1", P::Executed), ("d2", P::Executed)],
            mandate_statuses: vec![("m1", M::Active)],
            events: vec![
                "d1 BANK_STATUS_RECEIVED SENT->EXECUTED",
                "m1 ACTIVATED CREATED->ACTIVE",
                "d2 BANK_STATUS_RECEIVED SENT->EXECUTED",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "acceptance alone does not activate".into(),
            payments: vec![dd("d1", "m1")],
            mandates: vec![mandate("m1", M::Created)],
            reports: vec![pain002(vec![grp("MSG1", Some("ACCP"))])],
            statuses: vec![("d1", P::Accepted)],
            events: vec!["d1 BANK_STATUS_RECEIVED SENT->ACCEPTED"],
            ..Scenario::default()
        },
        Scenario {
            name: "MD01 on a collection fails the mandate".into(),
            payments: vec![dd("d1", "m1")],
            mandates: vec![mandate("m1", M::Created)],
            reports: vec![pain002(vec![
                grp("MSG1", None),
                tx_reason("PMTD", "E2E-d1", "RJCT", "MD01"),
            ])],
            statuses: vec![("d1", P::Failed)],
            mandate_statuses: vec![("m1", M::Failed)],
            events: vec![
                "d1 BANK_STATUS_RECEIVED SENT->FAILED [MD01]",
                "m1 FAILED CREATED->FAILED [MD01]",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "the same MD01 rejection twice: one mandate record".into(),
            payments: vec![dd("d1", "m1")],
            mandates: vec![mandate("m1", M::Active)],
            reports: vec![
                pain002(vec![
                    grp("MSG1", None),
                    tx_reason("PMTD", "E2E-d1", "RJCT", "MD01"),
                ]),
                pain002(vec![
                    grp("MSG1", None),
                    tx_reason("PMTD", "E2E-d1", "RJCT", "MD01"),
                ]),
            ],
            statuses: vec![("d1", P::Failed)],
            mandate_statuses: vec![("m1", M::Failed)],
            events: vec![
                "d1 BANK_STATUS_RECEIVED SENT->FAILED [MD01]",
                "m1 FAILED ACTIVE->FAILED [MD01]",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "MD02 on a collection fails the mandate".into(),
            payments: vec![dd("d1", "m1")],
            mandates: vec![mandate("m1", M::Active)],
            reports: vec![pain002(vec![
                grp("MSG1", None),
                tx_reason("PMTD", "E2E-d1", "RJCT", "MD02"),
            ])],
            statuses: vec![("d1", P::Failed)],
            mandate_statuses: vec![("m1", M::Failed)],
            events: vec![
                "d1 BANK_STATUS_RECEIVED SENT->FAILED [MD02]",
                "m1 FAILED ACTIVE->FAILED [MD02]",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "MD07 on a return cancels the mandate".into(),
            payments: vec![with_status(dd("d1", "m1"), P::Executed)],
            mandates: vec![mandate("m1", M::Active)],
            reports: vec![camt054(vec![returned(
                "R9",
                "E2E-d1",
                Debit,
                Some("PMNT/IDDT/UPDD"),
                Some("MD07"),
            )])],
            statuses: vec![("d1", P::Returned)],
            mandate_statuses: vec![("m1", M::Cancelled)],
            events: vec![
                "d1 RETURN_RECEIVED EXECUTED->RETURNED [MD07]",
                "m1 CANCELLED ACTIVE->CANCELLED [MD07]",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "AC04 on a rejection cancels the mandate".into(),
            payments: vec![dd("d1", "m1")],
            mandates: vec![mandate("m1", M::Active)],
            reports: vec![pain002(vec![
                grp("MSG1", None),
                tx_reason("PMTD", "E2E-d1", "RJCT", "AC04"),
            ])],
            statuses: vec![("d1", P::Failed)],
            mandate_statuses: vec![("m1", M::Cancelled)],
            events: vec![
                "d1 BANK_STATUS_RECEIVED SENT->FAILED [AC04]",
                "m1 CANCELLED ACTIVE->CANCELLED [AC04]",
            ],
            ..Scenario::default()
        },
        Scenario {
            name: "a cancelled mandate is not reactivated by a late booking".into(),
            payments: vec![dd("d1", "m1")],
            mandates: vec![mandate("m1", M::Cancelled)],
            reports: vec![camt053(vec![single("R1", "E2E-d1", "100.00", Credit)])],
            statuses: vec![("d1", P::Reconciled)],
            events: vec!["d1 STATEMENT_BOOKED SENT->RECONCILED"],
            ..Scenario::default()
        },
        Scenario {
            name: "a mandate missing from the book is flagged".into(),
            payments: vec![dd("d1", "m-missing")],
            reports: vec![camt053(vec![single("R1", "E2E-d1", "100.00", Credit)])],
            statuses: vec![("d1", P::Reconciled)],
            events: vec!["d1 STATEMENT_BOOKED SENT->RECONCILED"],
            flags: vec![(F::UnknownReference, "m-missing")],
            ..Scenario::default()
        },
    ]);
}

#[test]
fn duplicate_files_and_entries_are_idempotent() {
    run(vec![
        Scenario {
            name: "the same camt.054 twice".into(),
            payments: vec![ct("p1")],
            reports: vec![
                camt054(vec![single("R1", "E2E-p1", "100.00", Debit)]),
                camt054(vec![single("R1", "E2E-p1", "100.00", Debit)]),
            ],
            statuses: vec![("p1", P::Executed)],
            events: vec!["p1 STATEMENT_BOOKED SENT->EXECUTED"],
            duplicates: 1,
            ..Scenario::default()
        },
        Scenario {
            name: "camt.054 then camt.053 of the same entry, then camt.053 again".into(),
            payments: vec![dd("d1", "m1")],
            mandates: vec![mandate("m1", M::Created)],
            reports: vec![
                camt054(vec![single("R1", "E2E-d1", "100.00", Credit)]),
                camt053(vec![single("R1", "E2E-d1", "100.00", Credit)]),
                camt053(vec![single("R1", "E2E-d1", "100.00", Credit)]),
            ],
            statuses: vec![("d1", P::Reconciled)],
            mandate_statuses: vec![("m1", M::Active)],
            events: vec![
                "d1 STATEMENT_BOOKED SENT->EXECUTED",
                "m1 ACTIVATED CREATED->ACTIVE",
                "d1 STATEMENT_BOOKED EXECUTED->RECONCILED",
            ],
            duplicates: 1,
            ..Scenario::default()
        },
        Scenario {
            name: "camt.052 intraday then camt.054: one notification level".into(),
            payments: vec![ct("p1")],
            reports: vec![
                camt052(vec![single("R1", "E2E-p1", "100.00", Debit)]),
                camt054(vec![single("R1", "E2E-p1", "100.00", Debit)]),
            ],
            statuses: vec![("p1", P::Executed)],
            events: vec!["p1 STATEMENT_BOOKED SENT->EXECUTED"],
            duplicates: 1,
            ..Scenario::default()
        },
        Scenario {
            name: "an unmatched entry is reported once".into(),
            payments: vec![ct("p1")],
            reports: vec![
                camt053(vec![single("R1", "E2E-x", "1.00", Credit)]),
                camt053(vec![single("R1", "E2E-x", "1.00", Credit)]),
            ],
            unmatched: vec!["R1"],
            duplicates: 1,
            ..Scenario::default()
        },
    ]);
}

#[test]
fn entry_keys_from_the_store_are_honoured() {
    let mut book = Book::new(BankBehaviour::default());
    book.add_payment(ct("p1"));
    let report = camt053(vec![single("R1", "E2E-p1", "100.00", Debit)]);
    let mut fresh = book.clone();
    let first = apply(&mut fresh, &report, "f");
    assert_eq!(first.entry_keys.len(), 1);
    for key in first.entry_keys {
        book.add_applied_entry(key);
    }
    let again = apply(&mut book, &report, "f");
    assert!(again.payment_records.is_empty());
    assert_eq!(again.duplicates.len(), 1);
    assert!(
        !book.add_payment(ct("p1")),
        "payment ids are unique in a book"
    );
}

#[test]
fn records_carry_evidence_and_unmatched_lines_carry_details() {
    let mut book = Book::new(BankBehaviour::default());
    book.add_payment(ct("p1"));
    let result = apply(
        &mut book,
        &camt053(vec![
            single("R1", "E2E-p1", "100.00", Debit),
            Entry {
                bank_transaction_code: btc("PMNT/RCDT/ESCT"),
                ..single("R2", "E2E-x", "7.50", Credit)
            },
        ]),
        "camt053-0001.xml",
    );
    let evidence = result.payment_records[0].evidence.clone().unwrap();
    assert_eq!(evidence.status_code.as_deref(), Some("BOOK"));
    assert_eq!(evidence.source.as_deref(), Some("camt053-0001.xml#R1"));
    let line = &result.unmatched[0];
    assert_eq!(line.account, ACCOUNT);
    assert_eq!(line.amount, amt("7.50"));
    assert_eq!(line.credit_debit, Credit);
    assert_eq!(line.booking_date, Some(jiff::civil::date(2026, 3, 2)));
    assert_eq!(
        line.bank_transaction_code.as_deref(),
        Some("PMNT/RCDT/ESCT")
    );
    assert_eq!(line.references.end_to_end_id.as_deref(), Some("E2E-x"));
    let json = serde_json::to_value(&result).unwrap();
    assert_eq!(json["unmatched"][0]["credit_debit"], "CRDT");
}

// ---------------------------------------------------------------------------------------
// Properties.

const CODES: &[&str] = &[
    "RCVD", "ACTC", "PDNG", "ACCP", "ACSP", "ACWC", "ACSC", "ACCC", "RJCT", "CANC", "PART", "BLCK",
];
const REASONS: &[&str] = &["AC01", "AC04", "MD01", "MD02", "MD06", "MD07", "AM04"];
const E2ES: &[&str] = &["E2E-p1", "E2E-p2", "E2E-p3", "E2E-d1", "E2E-d2", "E2E-zz"];
const BTCS: &[&str] = &[
    "PMNT/ICDT/ESCT",
    "PMNT/ICDT/RRTN",
    "PMNT/IDDT/UPDD",
    "PMNT/IDDT/PRDD",
];

fn property_book(reject_only: bool) -> Book {
    let mut book = Book::new(BankBehaviour {
        reports_only_rejections: reject_only,
    });
    for p in [
        ct("p1"),
        ct("p2"),
        at(ct("p3"), "MSG2", "PMT3"),
        dd("d1", "m1"),
        dd("d2", "m2"),
    ] {
        book.add_payment(p);
    }
    book.add_mandate(mandate("m1", M::Created));
    book.add_mandate(mandate("m2", M::Active));
    book
}

fn opt_code() -> impl Strategy<Value = Option<&'static str>> {
    prop::option::of(prop::sample::select(CODES))
}

fn status_report() -> impl Strategy<Value = Report> {
    let tx = (
        prop::sample::select(E2ES),
        prop::sample::select(&["PMT1", "PMTD", "PMT3"][..]),
        opt_code(),
        prop::option::of(prop::sample::select(REASONS)),
    )
        .prop_map(|(e2e, block, status, why)| {
            StatusItem::Transaction(TransactionStatus {
                reasons: why.map(reason).unwrap_or_default(),
                ..txs(block, e2e, status)
            })
        });
    (
        prop::sample::select(&["MSG1", "MSG2"][..]),
        opt_code(),
        prop::collection::vec(
            (prop::sample::select(&["PMT1", "PMTD"][..]), opt_code()),
            0..3,
        ),
        prop::collection::vec(tx, 0..5),
    )
        .prop_map(|(msg, group, blocks, txs)| {
            let mut items = vec![grp(msg, group)];
            items.extend(blocks.into_iter().map(|(b, c)| blk(b, c)));
            items.extend(txs);
            Report::Pain002(items)
        })
}

fn account_report() -> impl Strategy<Value = Report> {
    let entry = (
        prop::option::of(prop::sample::select(&["R1", "R2", "R3"][..])),
        prop::sample::select(E2ES),
        prop::sample::select(&["100.00", "99.00"][..]),
        any::<bool>(),
        prop::option::of(prop::sample::select(BTCS)),
        prop::option::of(prop::sample::select(REASONS)),
        any::<bool>(),
        prop::sample::select(&[0u8, 0, 0, 1, 2][..]),
    )
        .prop_map(
            |(reference, e2e, amount, credit, code, why, reversal, status)| {
                let direction = if credit { Credit } else { Debit };
                let mut entry = returned(reference.unwrap_or(""), e2e, direction, code, why);
                entry.amount = amt(amount);
                entry.account_servicer_reference = reference.map(str::to_owned);
                entry.reversal = reversal && why.is_none();
                entry.status = match status {
                    0 => EntryStatus::Booked,
                    1 => EntryStatus::Pending,
                    _ => EntryStatus::Information,
                };
                entry
            },
        );
    let batch_entry =
        (prop::sample::select(&["PMT1", "PMTD"][..]), any::<bool>()).prop_map(|(block, credit)| {
            batch(
                "B1",
                block,
                2,
                "200.00",
                if credit { Credit } else { Debit },
            )
        });
    (
        prop::sample::select(
            &[
                ReportKind::Statement,
                ReportKind::Notification,
                ReportKind::AccountReport,
            ][..],
        ),
        prop::collection::vec(prop_oneof![4 => entry, 1 => batch_entry], 0..4),
    )
        .prop_map(|(kind, entries)| Report::Camt(kind, entries))
}

fn report() -> impl Strategy<Value = Report> {
    prop_oneof![status_report(), account_report()]
}

/// Whether moving from `before` to `after` is a regression the state machines forbid.
fn regresses(before: PaymentStatus, after: PaymentStatus) -> bool {
    before.is_final() && before != after
        || matches!((before.progress(), after.progress()), (Some(b), Some(a)) if a < b)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn reports_never_regress_and_are_idempotent(
        reject_only in any::<bool>(),
        reports in prop::collection::vec(report(), 1..8),
    ) {
        let mut book = property_book(reject_only);
        for (n, report) in reports.iter().enumerate() {
            let before: Vec<PaymentStatus> = book.payments().iter().map(|p| p.status).collect();
            let first = apply(&mut book, report, &format!("f{n}"));
            for (p, was) in book.payments().iter().zip(&before) {
                prop_assert!(!regresses(*was, p.status), "{} {was} -> {}", p.id, p.status);
            }
            for record in &first.payment_records {
                prop_assert_eq!(record.applied, record.status_before != Some(record.status_after));
                if let Some(was) = record.status_before {
                    prop_assert!(!regresses(was, record.status_after));
                }
            }
            for record in &first.mandate_records {
                let was = record.status_before.unwrap();
                prop_assert!(!was.is_final(), "mandate left {was}");
            }
            let second = apply(&mut book, report, &format!("f{n}"));
            prop_assert_eq!(second.applied_payment_records().count(), 0, "{:?}", report);
            prop_assert!(second.mandate_records.iter().all(|r| !r.applied));
            prop_assert!(second.entry_keys.is_empty());
        }
    }
}
