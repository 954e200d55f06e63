//! camt.052/053/054 account reports, statements and notifications.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::{
    At, Book, EntryKey, FlagKind, Found, Keys, Reconciliation, UnmatchedLine, credit_debit_code,
    show,
};
use crate::domain::event::{EventContext, Evidence};
use crate::domain::payment::{BookingReport, PaymentEvent};
use crate::domain::scheme::SchemeKind;
use crate::iso20022::report::{
    BankTransactionCode, Batch, CreditDebit, Entry, EntryStatus, References, ReportKind,
    ReportedAmount, ReturnInformation, StatementItem, TransactionDetails,
};

/// Applies one camt.052/053/054 (its items in document order) to `book`. `kind` decides
/// the booking level: camt.053 reconciles, camt.052/054 execute. `ctx` is the bank
/// connection and the time; `source` the file name, recorded (with the entry reference)
/// as evidence.
pub fn apply_account_report(
    book: &mut Book,
    kind: ReportKind,
    items: impl IntoIterator<Item = StatementItem>,
    ctx: &EventContext,
    source: &str,
) -> Reconciliation {
    let booking = match kind {
        ReportKind::Statement => BookingReport::Statement,
        ReportKind::Notification | ReportKind::AccountReport => BookingReport::Notification,
    };
    let mut out = Reconciliation::default();
    let mut accounts: BTreeMap<String, String> = BTreeMap::new();
    let mut current = String::new();
    for item in items {
        match item {
            StatementItem::Statement(header) => {
                accounts.insert(header.id.clone(), header.account.clone());
                current = header.account;
            }
            StatementItem::Entry(entry) => {
                let account = accounts.get(&entry.statement_id).unwrap_or(&current);
                apply_entry(book, booking, account, &entry, ctx, source, &mut out);
            }
        }
    }
    out
}

fn entry_reference(entry: &Entry) -> &str {
    entry
        .account_servicer_reference
        .as_deref()
        .or(entry.reference.as_deref())
        .unwrap_or_default()
}

fn entry_key(account: &str, entry: &Entry, booking: BookingReport) -> Option<EntryKey> {
    let reference = entry_reference(entry);
    (!reference.is_empty()).then(|| EntryKey {
        account: account.to_owned(),
        reference: reference.to_owned(),
        amount: entry.amount.value.normalize(),
        currency: entry.amount.currency.clone(),
        credit_debit: credit_debit_code(entry.credit_debit).to_owned(),
        booking,
    })
}

/// One booked entry being applied.
struct Line<'a> {
    account: &'a str,
    entry: &'a Entry,
    booking: BookingReport,
    at: At<'a>,
}

fn apply_entry(
    book: &mut Book,
    booking: BookingReport,
    account: &str,
    entry: &Entry,
    ctx: &EventContext,
    source: &str,
    out: &mut Reconciliation,
) {
    if entry.status != EntryStatus::Booked {
        return;
    }
    let key = entry_key(account, entry, booking);
    if let Some(key) = &key
        && book.applied_entries.contains(key)
    {
        out.duplicates.push(key.clone());
        return;
    }
    let line = Line {
        account,
        entry,
        booking,
        at: At {
            ctx,
            source,
            reference: entry_reference(entry),
            entry: true,
        },
    };
    if entry.transactions.is_empty() {
        let from_reference;
        let batches: &[Batch] = if entry.batches.is_empty() {
            from_reference = [Batch {
                payment_information_id: entry.reference.clone(),
                ..Batch::default()
            }];
            &from_reference
        } else {
            &entry.batches
        };
        let single = batches.len() == 1;
        for batch in batches {
            let total = batch
                .total_amount
                .as_ref()
                .or(single.then_some(&entry.amount));
            if !apply_batch(book, &line, batch, total, out) {
                let references = References {
                    message_id: batch.message_id.clone(),
                    payment_information_id: batch.payment_information_id.clone(),
                    ..References::default()
                };
                let amount = total.unwrap_or(&entry.amount);
                let direction = batch.credit_debit.unwrap_or(entry.credit_debit);
                unmatched(&line, amount, direction, None, references, out);
            }
        }
    } else {
        let single = entry.transactions.len() == 1;
        for tx in &entry.transactions {
            apply_transaction(book, &line, tx, single, out);
        }
    }
    if let Some(key) = key {
        book.applied_entries.insert(key.clone());
        out.entry_keys.push(key);
    }
}

fn apply_transaction(
    book: &mut Book,
    line: &Line<'_>,
    tx: &TransactionDetails,
    single: bool,
    out: &mut Reconciliation,
) {
    let refs = &tx.references;
    let keys = Keys::new(
        refs.message_id.as_deref(),
        refs.payment_information_id.as_deref(),
        refs.instruction_id.as_deref(),
        refs.end_to_end_id.as_deref(),
    );
    let amount = tx.amount.as_ref().or(single.then_some(&line.entry.amount));
    let direction = tx.credit_debit.unwrap_or(line.entry.credit_debit);
    let code = tx
        .bank_transaction_code
        .as_ref()
        .or(line.entry.bank_transaction_code.as_ref());
    match book.find(&keys) {
        Found::One(index) => {
            let Some(amount) = amount else {
                let id = book.payments[index].id.clone();
                out.flag(
                    FlagKind::AmountMismatch,
                    line.at.reference,
                    Some(&id),
                    Some(amount_text(book, &[index])),
                    Some("no transaction amount".to_owned()),
                );
                return;
            };
            if book.amount_agrees(index, amount, line.at.reference, out) {
                apply_line(
                    book,
                    line,
                    index,
                    direction,
                    code,
                    tx.return_information.as_ref(),
                    out,
                );
            }
        }
        Found::Ambiguous(candidates) => {
            book.flag_ambiguous(&candidates, line.at.reference, out);
        }
        Found::None => {
            // A batch booking whose only detail names the block.
            let batch_like = single
                && keys.end_to_end_id.is_none()
                && keys.instruction_id.is_none()
                && (keys.payment_information_id.is_some() || keys.message_id.is_some());
            let entry_batch = line.entry.batches.first();
            let batch = Batch {
                message_id: keys.message_id.map(str::to_owned),
                payment_information_id: keys.payment_information_id.map(str::to_owned),
                number_of_transactions: entry_batch.and_then(|b| b.number_of_transactions),
                total_amount: entry_batch.and_then(|b| b.total_amount.clone()),
                credit_debit: Some(direction),
            };
            let total = batch.total_amount.as_ref().or(amount);
            if !(batch_like && apply_batch(book, line, &batch, total, out)) {
                let amount = amount.unwrap_or(&line.entry.amount);
                unmatched(line, amount, direction, code, refs.clone(), out);
            }
        }
    }
}

/// Matches a batch booking against a whole block (or message); `false` when it names
/// nothing of ours.
fn apply_batch(
    book: &mut Book,
    line: &Line<'_>,
    batch: &Batch,
    total: Option<&ReportedAmount>,
    out: &mut Reconciliation,
) -> bool {
    let message = batch.message_id.as_deref().filter(|m| !m.is_empty());
    let block = batch
        .payment_information_id
        .as_deref()
        .filter(|b| !b.is_empty());
    let members = match (block, message) {
        (Some(block), message) => {
            let narrowed = book.block(message, block);
            if narrowed.is_empty() {
                book.block(None, block)
            } else {
                narrowed
            }
        }
        (None, Some(message)) => book.message(message),
        (None, None) => Vec::new(),
    };
    let Some(&first) = members.first() else {
        return false;
    };
    let reference = line.at.reference;
    let first_message = &book.payments[first].message_id;
    if members
        .iter()
        .any(|&i| &book.payments[i].message_id != first_message)
    {
        book.flag_ambiguous(&members, reference, out);
        return true;
    }
    if let Some(count) = batch.number_of_transactions
        && usize::try_from(count).ok() != Some(members.len())
    {
        out.flag(
            FlagKind::BatchMismatch,
            reference,
            None,
            Some(format!("{} transactions", members.len())),
            Some(format!("{count} transactions")),
        );
        return true;
    }
    let currency = book.payments[first].amount.currency().code();
    let Some(total) = total else {
        out.flag(
            FlagKind::AmountMismatch,
            reference,
            None,
            Some(amount_text(book, &members)),
            Some("no batch total".to_owned()),
        );
        return true;
    };
    let same_currency = members
        .iter()
        .all(|&i| book.payments[i].amount.currency().code() == total.currency);
    if !same_currency {
        out.flag(
            FlagKind::CurrencyMismatch,
            reference,
            None,
            Some(currency.to_owned()),
            Some(total.currency.clone()),
        );
        return true;
    }
    if block_total(book, &members) != Some(total.value) {
        out.flag(
            FlagKind::AmountMismatch,
            reference,
            None,
            Some(amount_text(book, &members)),
            Some(show(&total.value, &total.currency)),
        );
        return true;
    }
    let direction = batch.credit_debit.unwrap_or(line.entry.credit_debit);
    let code = line.entry.bank_transaction_code.as_ref();
    for index in members {
        apply_line(book, line, index, direction, code, None, out);
    }
    true
}

fn block_total(book: &Book, members: &[usize]) -> Option<Decimal> {
    members.iter().try_fold(Decimal::ZERO, |sum, &i| {
        sum.checked_add(book.payments[i].amount.to_decimal())
    })
}

fn amount_text(book: &Book, members: &[usize]) -> String {
    let currency = members
        .first()
        .map_or("", |&i| book.payments[i].amount.currency().code());
    match block_total(book, members) {
        Some(total) => show(&total, currency),
        None => "an amount beyond the decimal range".to_owned(),
    }
}

/// Applies a matched line (amounts already agree) to payment `index`: a booking, a
/// return or a reversal, by direction and codes.
fn apply_line(
    book: &mut Book,
    line: &Line<'_>,
    index: usize,
    direction: CreditDebit,
    code: Option<&BankTransactionCode>,
    returned: Option<&ReturnInformation>,
    out: &mut Reconciliation,
) {
    let payment = &book.payments[index];
    let code_text = code.and_then(BankTransactionCode::iso);
    let sub_family = code_text.as_deref().unwrap_or_default();
    let (booked, is_return) = match payment.kind {
        SchemeKind::CreditTransfer => (
            CreditDebit::Debit,
            direction == CreditDebit::Credit
                && (sub_family == "PMNT/ICDT/RRTN" || returned.is_some()),
        ),
        SchemeKind::DirectDebit => (
            CreditDebit::Credit,
            direction == CreditDebit::Debit
                && (matches!(sub_family, "PMNT/IDDT/UPDD" | "PMNT/IDDT/PRDD")
                    || returned.is_some()),
        ),
    };
    let reason = returned.and_then(|r| r.reason.as_deref().or(r.proprietary_reason.as_deref()));
    let source = line.at.evidence_source();
    if line.entry.reversal || is_return {
        if line.entry.reversal {
            out.flag(
                FlagKind::ReversalNeedsReview,
                line.at.reference,
                Some(&payment.id),
                Some(payment.status.to_string()),
                Some("RvslInd=true".to_owned()),
            );
        }
        let status = code_text.unwrap_or_else(|| "BOOK".to_owned());
        let mut evidence = Evidence::status(status).with_source(source);
        if let Some(reason) = reason {
            evidence = evidence.with_reason(reason);
        }
        let event = PaymentEvent::ReturnReceived { evidence };
        book.apply_payment(index, event, reason, &line.at, out);
    } else if direction == booked {
        let event = PaymentEvent::StatementBooked {
            report: line.booking,
            evidence: Evidence::status("BOOK").with_source(source),
        };
        book.apply_payment(index, event, None, &line.at, out);
    } else {
        out.flag(
            FlagKind::ConflictingEvidence,
            line.at.reference,
            Some(&payment.id),
            Some(credit_debit_code(booked).to_owned()),
            Some(credit_debit_code(direction).to_owned()),
        );
    }
}

fn unmatched(
    line: &Line<'_>,
    amount: &ReportedAmount,
    direction: CreditDebit,
    code: Option<&BankTransactionCode>,
    references: References,
    out: &mut Reconciliation,
) {
    out.unmatched.push(UnmatchedLine {
        account: line.account.to_owned(),
        entry_reference: line.at.reference.to_owned(),
        amount: amount.clone(),
        credit_debit: direction,
        booking_date: line.entry.booking_date,
        bank_transaction_code: code
            .or(line.entry.bank_transaction_code.as_ref())
            .and_then(BankTransactionCode::iso),
        references,
    });
}
