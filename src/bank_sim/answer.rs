//! What the bank makes of a file (intake) and what it answers (reports), as pure
//! functions of the file, the settings, the state and the time: no IO here.

use std::collections::BTreeMap;
use std::str::FromStr;

use jiff::Timestamp;
use jiff::civil::Date;
use rust_decimal::Decimal;

use super::BankSimError;
use super::decide::{self, Outcome};
use super::settings::Settings;
use super::state::{
    AccountState, BatchBooking, Booking, FileRejection, Job, JobBlock, JobTransaction,
    ReturnBooking, STATE_VERSION, State, TransactionBooking, Verdict,
};
use crate::domain::money::Currency;
use crate::iso20022::bank_report::{
    AccountMessage, AccountReportWriter, AccountSection, Balance, ReportWriteError,
    STATUS_REPORT_MESSAGE, StatusReportWriter, check_account, date_time,
};
use crate::iso20022::initiation::{
    self, AccountId, InitiationItem, InitiationKind, InitiationReader,
};
use crate::iso20022::report::{
    BankTransactionCode, Batch, CreditDebit, Entry, EntryStatus, GroupStatus,
    PaymentInformationStatus, References, ReportedAmount, ReturnInformation, StatusReason,
    TransactionDetails, TransactionStatus,
};

/// `AddtlInf` lines of a rejection: at most this many, of at most 105 characters.
const MAX_INFO_LINES: usize = 3;
const INFO_CHARS: usize = 105;

/// What the bank made of one inbox file.
pub struct Intake {
    pub verdict: Verdict,
    pub job: Option<Job>,
}

/// Reads an inbox file (already within the size limit) and decides every transaction.
pub fn take(settings: &Settings, state: &State, name: &str, bytes: &[u8]) -> Intake {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let reader = match InitiationReader::open(bytes, settings.limits.xml) {
        Ok(reader) => reader,
        Err(e) => return rejected(name, "FF01", &e.to_string(), None, None),
    };
    let message = initiation::display_name(reader.message());
    let kind = reader.kind();
    let mut group = None;
    let mut blocks: Vec<JobBlock> = Vec::new();
    let mut requested_batch: Vec<bool> = Vec::new();
    let mut count: u64 = 0;
    for item in reader {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                return rejected(name, "FF01", &e.to_string(), group.as_ref(), Some(&message));
            }
        };
        match item {
            InitiationItem::Group(g) => group = Some(g),
            InitiationItem::PaymentInformation(p) => {
                // The account goes into every camt answer: refuse what cannot be written.
                let own = match kind {
                    InitiationKind::CreditTransfer => "DbtrAcct",
                    InitiationKind::DirectDebit => "CdtrAcct",
                };
                if let Err(e) = check_account(&format!("PmtInf {} {own}/Id", p.id), &p.account) {
                    return rejected(name, "FF01", &e.to_string(), group.as_ref(), Some(&message));
                }
                requested_batch.push(p.batch_booking != Some(false));
                blocks.push(JobBlock {
                    id: p.id,
                    account: p.account,
                    owner: p.party_name.map(|n| n.chars().take(140).collect()),
                    service_level: p.service_level,
                    local_instrument: p.local_instrument,
                    number_of_transactions: p.number_of_transactions,
                    control_sum: p.control_sum,
                    batch_booked: false,
                    transactions: Vec::new(),
                });
            }
            InitiationItem::Transaction(t) => {
                count += 1;
                if count > settings.limits.max_transactions {
                    let why = format!(
                        "more than {} transactions",
                        settings.limits.max_transactions
                    );
                    return rejected(name, "FF01", &why, group.as_ref(), Some(&message));
                }
                let Some(block) = blocks.last_mut() else {
                    continue;
                };
                block.transactions.push(JobTransaction {
                    outcome: decide::outcome(settings, kind, &t.end_to_end_id),
                    end_to_end_id: t.end_to_end_id,
                    instruction_id: t.instruction_id,
                    mandate_id: t.mandate_id,
                    amount: t.amount.minor_units(),
                    currency: t.amount.currency().code().to_owned(),
                    remittance: t.remittance.map(|r| r.chars().take(140).collect()),
                });
            }
        }
    }
    let Some(group) = group else {
        return rejected(name, "FF01", "no GrpHdr", None, Some(&message));
    };
    if let Some((code, why)) = totals_problem(&group, &blocks, count) {
        return rejected(name, code, &why, Some(&group), Some(&message));
    }
    if state.knows_message_id(&group.message_id) {
        let why = format!("MsgId {} was sent before", group.message_id);
        return rejected(name, "DU01", &why, Some(&group), Some(&message));
    }
    for (block, requested) in blocks.iter_mut().zip(requested_batch) {
        let first = block.transactions.first().map(|t| t.currency.clone());
        let one_currency = block
            .transactions
            .iter()
            .all(|t| Some(&t.currency) == first.as_ref());
        let none_rejected = block.transactions.iter().all(|t| t.outcome.is_booked());
        block.batch_booked = requested
            && one_currency
            && none_rejected
            && !block.transactions.is_empty()
            && decide::batch_booked(settings, &block.id);
    }
    Intake {
        verdict: Verdict::Accepted {
            message_id: group.message_id.clone(),
            transactions: count,
        },
        job: Some(Job {
            version: STATE_VERSION,
            file: name.to_owned(),
            message,
            kind,
            message_id: group.message_id,
            number_of_transactions: group.number_of_transactions,
            control_sum: group.control_sum,
            blocks,
        }),
    }
}

/// A file over the size limit, refused unread.
pub fn too_large(name: &str, why: &str) -> Intake {
    rejected(name, "FF01", why, None, None)
}

/// `NbOfTxs` and `CtrlSum` of the file and of each block against the transactions.
fn totals_problem(
    group: &initiation::InitiationGroup,
    blocks: &[JobBlock],
    count: u64,
) -> Option<(&'static str, String)> {
    fn sum<'a>(txs: impl IntoIterator<Item = &'a JobTransaction>) -> Option<Decimal> {
        txs.into_iter().try_fold(Decimal::ZERO, |total, t| {
            let exponent = Currency::from_str(&t.currency).ok()?.exponent();
            total.checked_add(Decimal::new(t.amount, exponent))
        })
    }
    if group.number_of_transactions != count {
        return Some((
            "AM18",
            format!(
                "GrpHdr/NbOfTxs is {}, the file holds {count} transactions",
                group.number_of_transactions
            ),
        ));
    }
    let total = sum(blocks.iter().flat_map(|b| &b.transactions));
    if let Some(expected) = group.control_sum
        && total != Some(expected)
    {
        return Some((
            "AM10",
            format!(
                "GrpHdr/CtrlSum is {expected}, the amounts add up to {}",
                total.map_or("more than a decimal holds".to_owned(), |t| t.to_string())
            ),
        ));
    }
    for block in blocks {
        let count = block.transactions.len() as u64;
        if let Some(expected) = block.number_of_transactions
            && expected != count
        {
            return Some((
                "AM20",
                format!(
                    "PmtInf {} NbOfTxs is {expected}, it holds {count} transactions",
                    block.id
                ),
            ));
        }
        let total = sum(&block.transactions);
        if let Some(expected) = block.control_sum
            && total != Some(expected)
        {
            return Some((
                "AM17",
                format!(
                    "PmtInf {} CtrlSum is {expected}, its amounts add up to {}",
                    block.id,
                    total.map_or("more than a decimal holds".to_owned(), |t| t.to_string())
                ),
            ));
        }
    }
    None
}

fn rejected(
    name: &str,
    code: &str,
    why: &str,
    group: Option<&initiation::InitiationGroup>,
    message: Option<&str>,
) -> Intake {
    Intake {
        verdict: Verdict::Rejected(FileRejection {
            code: code.to_owned(),
            info: info_lines(&format!("File {name}: {why}")),
            message_id: group.map(|g| g.message_id.clone()),
            message: message.map(str::to_owned),
            number_of_transactions: group.map(|g| g.number_of_transactions),
            control_sum: group.and_then(|g| g.control_sum),
        }),
        job: None,
    }
}

/// Splits text into at most [`MAX_INFO_LINES`] lines of [`INFO_CHARS`] characters.
fn info_lines(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(INFO_CHARS)
        .take(MAX_INFO_LINES)
        .map(|c| c.iter().collect::<String>())
        .collect()
}

// ---------------------------------------------------------------------------------------
// Reports.

/// The identity of one published file.
pub struct Publication {
    pub message_id: String,
    pub created_at: String,
    pub indent: bool,
}

impl Publication {
    pub fn new(counter: u64, now: Timestamp, indent: bool) -> Self {
        Self {
            message_id: format!("SIM{}{counter:08}", now.strftime("%Y%m%d")),
            created_at: date_time(now),
            indent,
        }
    }
}

fn reason(code: &str, info: Vec<String>) -> StatusReason {
    StatusReason {
        code: Some(code.to_owned()),
        additional_info: info,
        ..StatusReason::default()
    }
}

fn status_group(
    publication: &Publication,
    job: &Job,
    status: &str,
    reasons: Vec<StatusReason>,
) -> GroupStatus {
    GroupStatus {
        message_id: publication.message_id.clone(),
        created_at: Some(publication.created_at.clone()),
        original_message_id: job.message_id.clone(),
        original_message_name: Some(job.message.clone()),
        original_number_of_transactions: Some(job.number_of_transactions),
        original_control_sum: job.control_sum,
        status: Some(status.to_owned()),
        reasons,
    }
}

/// The group-level `ACTC` of an accepted file.
pub fn acknowledgement(publication: &Publication, job: &Job) -> Result<Vec<u8>, ReportWriteError> {
    let group = status_group(publication, job, "ACTC", Vec::new());
    StatusReportWriter::start(Vec::new(), publication.indent, &group)?.finish()
}

/// The group-level `RJCT` of a refused file.
pub fn rejection(
    publication: &Publication,
    rejection: &FileRejection,
) -> Result<Vec<u8>, ReportWriteError> {
    let group = GroupStatus {
        message_id: publication.message_id.clone(),
        created_at: Some(publication.created_at.clone()),
        original_message_id: rejection
            .message_id
            .clone()
            .unwrap_or_else(|| "NOTPROVIDED".to_owned()),
        original_message_name: Some(
            rejection
                .message
                .clone()
                .filter(|m| m.chars().count() <= 35)
                .unwrap_or_else(|| "NOTPROVIDED".to_owned()),
        ),
        original_number_of_transactions: rejection.number_of_transactions,
        original_control_sum: rejection.control_sum,
        status: Some("RJCT".to_owned()),
        reasons: vec![reason(&rejection.code, rejection.info.clone())],
    };
    StatusReportWriter::start(Vec::new(), publication.indent, &group)?.finish()
}

/// `RJCT` when all are rejected, `accepted` when none is, `PART` otherwise.
fn overall(rejected: usize, total: usize, accepted: &str) -> &str {
    if total > 0 && rejected == total {
        "RJCT"
    } else if rejected == 0 {
        accepted
    } else {
        "PART"
    }
}

/// The transaction statuses of an accepted file: every block with its status, and its
/// transactions (only the rejected ones when the bank reports only rejections: the
/// others take their block's status, `PART` meaning accepted).
pub fn status_report(
    publication: &Publication,
    settings: &Settings,
    job: &Job,
) -> Result<Vec<u8>, BankSimError> {
    let accepted = settings.accepted_status.code();
    let rejected_in = |block: &JobBlock| {
        block
            .transactions
            .iter()
            .filter(|t| !t.outcome.is_booked())
            .count()
    };
    let rejected: usize = job.blocks.iter().map(rejected_in).sum();
    let total: usize = job.blocks.iter().map(|b| b.transactions.len()).sum();
    let group = status_group(
        publication,
        job,
        overall(rejected, total, accepted),
        Vec::new(),
    );
    let report = |e| report_error(&job.file, STATUS_REPORT_MESSAGE, e);
    let mut writer =
        StatusReportWriter::start(Vec::new(), publication.indent, &group).map_err(report)?;
    for block in &job.blocks {
        let block_rejected = rejected_in(block);
        writer
            .block(&PaymentInformationStatus {
                original_payment_information_id: block.id.clone(),
                original_number_of_transactions: block.number_of_transactions,
                original_control_sum: block.control_sum,
                status: Some(
                    overall(block_rejected, block.transactions.len(), accepted).to_owned(),
                ),
                reasons: Vec::new(),
            })
            .map_err(report)?;
        for tx in &block.transactions {
            let (status, reasons) = match &tx.outcome {
                Outcome::Rejected(code) => ("RJCT", vec![reason(code, Vec::new())]),
                _ if settings.report_only_rejections => continue,
                _ => (accepted, Vec::new()),
            };
            let amount = reported(tx.amount, &tx.currency).map_err(|_| {
                report(ReportWriteError::Invalid {
                    element: "TxInfAndSts/OrgnlTxRef/Amt/InstdAmt".to_owned(),
                    expected: "a currency bankgate knows".to_owned(),
                    actual: tx.currency.clone(),
                })
            })?;
            writer
                .transaction(&TransactionStatus {
                    original_payment_information_id: block.id.clone(),
                    original_instruction_id: tx.instruction_id.clone(),
                    original_end_to_end_id: Some(tx.end_to_end_id.clone()),
                    status: Some(status.to_owned()),
                    reasons,
                    original_amount: Some(amount),
                    ..TransactionStatus::default()
                })
                .map_err(report)?;
        }
    }
    writer.finish().map_err(report)
}

pub fn report_error(file: &str, message: &'static str, source: ReportWriteError) -> BankSimError {
    BankSimError::Report {
        file: file.to_owned(),
        message,
        source,
    }
}

/// Minor units of a currency bankgate knows, as a reported amount.
pub fn reported(minor: i64, currency: &str) -> Result<ReportedAmount, BankSimError> {
    let exponent = Currency::from_str(currency)
        .map_err(|v| BankSimError::State {
            file: "state".to_owned(),
            field: "currency".to_owned(),
            expected: v.expected,
            actual: v.actual,
        })?
        .exponent();
    Ok(ReportedAmount {
        value: Decimal::new(minor.abs(), exponent),
        currency: currency.to_owned(),
    })
}

fn code(parts: [&str; 3]) -> [String; 3] {
    parts.map(str::to_owned)
}

/// The bank transaction code of a booking in the block's scheme.
fn booking_code(kind: InitiationKind, block: &JobBlock) -> [String; 3] {
    match kind {
        InitiationKind::CreditTransfer => {
            let sub = match block.service_level.as_deref() {
                Some("SEPA") => "ESCT",
                Some("SDVA") => "SDVA",
                Some("URGP") => "PRCT",
                _ => "DMCT",
            };
            code(["PMNT", "ICDT", sub])
        }
        InitiationKind::DirectDebit => {
            let sub = match block.local_instrument.as_deref() {
                Some("B2B") => "BBDD",
                _ => "ESDD",
            };
            code(["PMNT", "IDDT", sub])
        }
    }
}

/// The code of a return: `PMNT/ICDT/RRTN` (credit transfer), `PMNT/IDDT/UPDD` (direct debit).
fn return_code(kind: InitiationKind) -> [String; 3] {
    match kind {
        InitiationKind::CreditTransfer => code(["PMNT", "ICDT", "RRTN"]),
        InitiationKind::DirectDebit => code(["PMNT", "IDDT", "UPDD"]),
    }
}

/// Counts entries for `AcctSvcrRef`s.
pub struct EntryCounter<'a>(pub &'a mut u64);

impl EntryCounter<'_> {
    fn next(&mut self) -> String {
        *self.0 += 1;
        format!("SIM{:012}", self.0)
    }
}

/// The bookings of the executed (and later returned) transactions: one entry per block
/// booked as a batch, else one per transaction. Credit transfers debit the debtor
/// account, direct debits credit the creditor account.
pub fn bookings(job: &Job, now: Timestamp, mut counter: EntryCounter<'_>) -> Vec<Booking> {
    let date = booking_date(now);
    let credit = job.kind == InitiationKind::DirectDebit;
    let mut out = Vec::new();
    for block in &job.blocks {
        let booked: Vec<&JobTransaction> = block
            .transactions
            .iter()
            .filter(|t| t.outcome.is_booked())
            .collect();
        let Some(first) = booked.first() else {
            continue;
        };
        let code = booking_code(job.kind, block);
        let base = |reference: Option<String>, amount: i64, currency: &str| Booking {
            account: block.account.clone(),
            currency: currency.to_owned(),
            owner: block.owner.clone(),
            booked_at: now,
            booking_date: date,
            reference,
            servicer_reference: String::new(),
            amount,
            credit,
            code: code.clone(),
            batch: None,
            transaction: None,
        };
        if block.batch_booked {
            let total = booked.iter().map(|t| t.amount).sum();
            out.push(Booking {
                servicer_reference: counter.next(),
                batch: Some(BatchBooking {
                    message_id: job.message_id.clone(),
                    payment_information_id: block.id.clone(),
                    number_of_transactions: booked.len() as u64,
                }),
                ..base(Some(block.id.clone()), total, &first.currency)
            });
            continue;
        }
        for tx in booked {
            out.push(Booking {
                servicer_reference: counter.next(),
                transaction: Some(transaction_booking(job, block, tx, None)),
                ..base(None, tx.amount, &tx.currency)
            });
        }
    }
    out
}

fn transaction_booking(
    job: &Job,
    block: &JobBlock,
    tx: &JobTransaction,
    returned: Option<ReturnBooking>,
) -> TransactionBooking {
    TransactionBooking {
        message_id: job.message_id.clone(),
        payment_information_id: block.id.clone(),
        instruction_id: tx.instruction_id.clone(),
        end_to_end_id: tx.end_to_end_id.clone(),
        mandate_id: tx.mandate_id.clone(),
        remittance: tx.remittance.clone(),
        returned,
    }
}

/// The returns: one entry per returned transaction, in the opposite direction, with
/// `RtrInf/Rsn/Cd` and the return bank transaction code.
pub fn returns(job: &Job, now: Timestamp, mut counter: EntryCounter<'_>) -> Vec<Booking> {
    let date = booking_date(now);
    let credit = job.kind == InitiationKind::CreditTransfer;
    let mut out = Vec::new();
    for block in &job.blocks {
        for tx in &block.transactions {
            let Outcome::Returned(reason) = &tx.outcome else {
                continue;
            };
            let returned = ReturnBooking {
                reason: reason.clone(),
                original_code: booking_code(job.kind, block),
            };
            out.push(Booking {
                account: block.account.clone(),
                currency: tx.currency.clone(),
                owner: block.owner.clone(),
                booked_at: now,
                booking_date: date,
                reference: None,
                servicer_reference: counter.next(),
                amount: tx.amount,
                credit,
                code: return_code(job.kind),
                batch: None,
                transaction: Some(transaction_booking(job, block, tx, Some(returned))),
            });
        }
    }
    out
}

pub fn booking_date(now: Timestamp) -> Date {
    now.to_zoned(jiff::tz::TimeZone::UTC).date()
}

/// A booking as a statement entry.
fn entry(booking: &Booking, section_id: &str) -> Result<Entry, BankSimError> {
    let amount = reported(booking.amount, &booking.currency)?;
    let direction = if booking.credit {
        CreditDebit::Credit
    } else {
        CreditDebit::Debit
    };
    let [domain, family, sub_family] = booking.code.clone();
    let batches = booking
        .batch
        .iter()
        .map(|b| Batch {
            message_id: Some(b.message_id.clone()),
            payment_information_id: Some(b.payment_information_id.clone()),
            number_of_transactions: Some(b.number_of_transactions),
            total_amount: Some(amount.clone()),
            credit_debit: Some(direction),
        })
        .collect();
    let transactions = booking
        .transaction
        .iter()
        .map(|t| TransactionDetails {
            references: References {
                message_id: Some(t.message_id.clone()),
                payment_information_id: Some(t.payment_information_id.clone()),
                instruction_id: t.instruction_id.clone(),
                end_to_end_id: Some(t.end_to_end_id.clone()),
                mandate_id: t.mandate_id.clone(),
                ..References::default()
            },
            amount: Some(amount.clone()),
            instructed_amount: None,
            credit_debit: Some(direction),
            bank_transaction_code: None,
            return_information: t.returned.as_ref().map(|r| {
                let [domain, family, sub_family] = r.original_code.clone();
                ReturnInformation {
                    original_bank_transaction_code: Some(BankTransactionCode {
                        domain: Some(domain),
                        family: Some(family),
                        sub_family: Some(sub_family),
                        proprietary: None,
                    }),
                    originator: None,
                    reason: Some(r.reason.clone()),
                    proprietary_reason: None,
                    additional_info: Vec::new(),
                }
            }),
            remittance: t.remittance.iter().cloned().collect(),
        })
        .collect();
    Ok(Entry {
        statement_id: section_id.to_owned(),
        reference: booking.reference.clone(),
        amount,
        credit_debit: direction,
        reversal: false,
        status: EntryStatus::Booked,
        booking_date: Some(booking.booking_date),
        value_date: Some(booking.booking_date),
        account_servicer_reference: Some(booking.servicer_reference.clone()),
        bank_transaction_code: Some(BankTransactionCode {
            domain: Some(domain),
            family: Some(family),
            sub_family: Some(sub_family),
            proprietary: None,
        }),
        batches,
        transactions,
    })
}

/// Bookings grouped by account and currency, in order of first appearance.
fn by_account(bookings: &[Booking]) -> Vec<((AccountId, String), Vec<&Booking>)> {
    let mut groups: Vec<((AccountId, String), Vec<&Booking>)> = Vec::new();
    for booking in bookings {
        let key = (booking.account.clone(), booking.currency.clone());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(booking),
            None => groups.push((key, vec![booking])),
        }
    }
    groups
}

/// A camt.054 notification of `bookings` (one `Ntfctn` per account and currency).
pub fn notification(
    publication: &Publication,
    settings: &Settings,
    file: &str,
    bookings: &[Booking],
) -> Result<Vec<u8>, BankSimError> {
    let message = AccountMessage::Notification;
    let report = |e| report_error(file, message.name(), e);
    let mut writer = AccountReportWriter::start(
        Vec::new(),
        publication.indent,
        message,
        &publication.message_id,
        &publication.created_at,
    )
    .map_err(report)?;
    for (index, ((account, currency), members)) in by_account(bookings).into_iter().enumerate() {
        let id = format!("{}-{}", publication.message_id, index + 1);
        writer
            .section(&AccountSection {
                id: id.clone(),
                electronic_sequence_number: None,
                legal_sequence_number: None,
                created_at: Some(publication.created_at.clone()),
                from_to: None,
                account,
                currency: Some(currency),
                owner_name: members.first().and_then(|b| b.owner.clone()),
                servicer_bic: settings.bank_bic.clone(),
                balances: Vec::new(),
            })
            .map_err(report)?;
        for booking in members {
            writer.entry(&entry(booking, &id)?).map_err(report)?;
        }
    }
    writer.finish().map_err(report)
}

/// The `<account>|<currency>` key of an account's state.
pub fn account_key(account: &AccountId, currency: &str) -> String {
    format!("{}|{currency}", account.as_str())
}

/// A camt.053 statement for one booking date: one `Stmt` per account and currency with
/// its opening and closing booked balances; `accounts` is updated.
pub fn statement(
    publication: &Publication,
    settings: &Settings,
    date: Date,
    bookings: &[Booking],
    accounts: &mut BTreeMap<String, AccountState>,
) -> Result<Vec<u8>, BankSimError> {
    let message = AccountMessage::Statement;
    let file = format!("statement of {date}");
    let report = |e| report_error(&file, message.name(), e);
    let mut writer = AccountReportWriter::start(
        Vec::new(),
        publication.indent,
        message,
        &publication.message_id,
        &publication.created_at,
    )
    .map_err(report)?;
    let mut groups = by_account(bookings);
    groups.sort_by(|(a, _), (b, _)| a.cmp(b));
    for (index, ((account, currency), members)) in groups.into_iter().enumerate() {
        let key = account_key(&account, &currency);
        let state = accounts.entry(key.clone()).or_insert(AccountState {
            balance: settings.opening_balance,
            statements: 0,
        });
        let opening = state.balance;
        let movement = members.iter().try_fold(0_i64, |sum, b| {
            let signed = if b.credit { b.amount } else { -b.amount };
            sum.checked_add(signed)
        });
        let closing = movement
            .and_then(|m| opening.checked_add(m))
            .ok_or_else(|| BankSimError::State {
                file: file.clone(),
                field: format!("balance of {key}"),
                expected: "a balance within 64 bits of minor units".to_owned(),
                actual: "an overflow".to_owned(),
            })?;
        let balance = |code: &str, minor: i64| -> Result<Balance, BankSimError> {
            Ok(Balance {
                code: code.to_owned(),
                amount: reported(minor, &currency)?,
                credit_debit: if minor < 0 {
                    CreditDebit::Debit
                } else {
                    CreditDebit::Credit
                },
                date,
            })
        };
        let sequence = state.statements + 1;
        let id = format!("{}-{}", publication.message_id, index + 1);
        writer
            .section(&AccountSection {
                id: id.clone(),
                electronic_sequence_number: Some(sequence),
                legal_sequence_number: Some(sequence),
                created_at: Some(publication.created_at.clone()),
                from_to: Some((format!("{date}T00:00:00Z"), format!("{date}T23:59:59Z"))),
                account,
                currency: Some(currency.clone()),
                owner_name: members.first().and_then(|b| b.owner.clone()),
                servicer_bic: settings.bank_bic.clone(),
                balances: vec![balance("OPBD", opening)?, balance("CLBD", closing)?],
            })
            .map_err(report)?;
        for booking in members {
            writer.entry(&entry(booking, &id)?).map_err(report)?;
        }
        state.balance = closing;
        state.statements = sequence;
    }
    writer.finish().map_err(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn info_is_cut_into_lines() {
        let lines = info_lines(&"é".repeat(400));
        assert_eq!(lines.len(), 3);
        assert!(lines.iter().all(|l| l.chars().count() == 105));
        assert_eq!(info_lines("short"), vec!["short".to_owned()]);
    }

    #[test]
    fn overall_status() {
        assert_eq!(overall(0, 3, "ACCP"), "ACCP");
        assert_eq!(overall(1, 3, "ACCP"), "PART");
        assert_eq!(overall(3, 3, "ACCP"), "RJCT");
        assert_eq!(overall(0, 0, "ACCP"), "ACCP");
    }
}
