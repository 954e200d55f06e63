//! pain.002 payment status reports.

use std::collections::BTreeSet;

use super::{At, Book, FlagKind, Found, Keys, Reconciliation, given};
use crate::domain::event::{EventContext, Evidence};
use crate::domain::payment::{BankOutcome, PaymentEvent};
use crate::iso20022::report::{
    GroupStatus, PaymentInformationStatus, StatusItem, StatusReason, TransactionStatus,
};

/// What a pain.002 status code means for a payment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Meaning {
    Outcome(BankOutcome),
    /// `PART`: look at the transactions.
    Partial,
    Unknown,
}

fn meaning(code: &str) -> Meaning {
    match (code, BankOutcome::from_status_code(code)) {
        (_, Some(outcome)) => Meaning::Outcome(outcome),
        ("PART", None) => Meaning::Partial,
        _ => Meaning::Unknown,
    }
}

/// A status with the reasons given at the same level.
#[derive(Clone, Copy)]
struct Level<'a> {
    code: &'a str,
    reasons: &'a [StatusReason],
}

impl<'a> Level<'a> {
    fn of(code: &'a Option<String>, reasons: &'a [StatusReason]) -> Option<Self> {
        code.as_deref()
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(|code| Level { code, reasons })
    }

    /// The first reason code (`Rsn/Cd`, else `Rsn/Prtry`).
    fn reason(&self) -> Option<&'a str> {
        self.reasons
            .iter()
            .find_map(|r| r.code.as_deref().or(r.proprietary.as_deref()))
    }
}

/// Applies one pain.002 (its items in any order) to `book`. `ctx` is the bank connection
/// and the time; `source` the file name, recorded as evidence.
pub fn apply_status_report(
    book: &mut Book,
    items: impl IntoIterator<Item = StatusItem>,
    ctx: &EventContext,
    source: &str,
) -> Reconciliation {
    let mut group: Option<GroupStatus> = None;
    let mut blocks: Vec<PaymentInformationStatus> = Vec::new();
    let mut transactions: Vec<TransactionStatus> = Vec::new();
    for item in items {
        match item {
            StatusItem::Group(g) => group = Some(g),
            StatusItem::PaymentInformation(b) => blocks.push(b),
            StatusItem::Transaction(t) => transactions.push(t),
        }
    }
    let mut out = Reconciliation::default();
    let message_id = given(group.as_ref().map(|g| g.original_message_id.as_str()));
    let group_level = group
        .as_ref()
        .and_then(|g| Level::of(&g.status, &g.reasons));
    let block_level = |id: &str| {
        blocks
            .iter()
            .find(|b| b.original_payment_information_id == id)
            .and_then(|b| Level::of(&b.status, &b.reasons))
    };

    let mut listed = BTreeSet::new();
    for tx in &transactions {
        let keys = Keys::new(
            message_id,
            Some(&tx.original_payment_information_id),
            tx.original_instruction_id.as_deref(),
            tx.original_end_to_end_id.as_deref(),
        );
        let reference = keys
            .end_to_end_id
            .or(keys.instruction_id)
            .or(keys.payment_information_id)
            .unwrap_or_default();
        let at = At {
            ctx,
            source,
            reference,
            entry: false,
        };
        let index = match book.find(&keys) {
            Found::One(index) => index,
            Found::Ambiguous(candidates) => {
                book.flag_ambiguous(&candidates, reference, &mut out);
                continue;
            }
            Found::None => {
                out.flag(
                    FlagKind::UnknownReference,
                    reference,
                    None,
                    Some("a payment of ours".to_owned()),
                    message_id.map(|m| format!("in the report on {m}")),
                );
                continue;
            }
        };
        listed.insert(index);
        if let Some(amount) = &tx.original_amount
            && !book.amount_agrees(index, amount, reference, &mut out)
        {
            continue;
        }
        let level = Level::of(&tx.status, &tx.reasons)
            .or_else(|| block_level(&tx.original_payment_information_id))
            .or(group_level);
        if let Some(level) = level {
            apply_level(book, index, level, &at, &mut out);
        }
    }

    // Payments of the original message (or of the reported blocks) not listed.
    let scope: Vec<usize> = match message_id {
        Some(m) => book.message(m),
        None => blocks
            .iter()
            .flat_map(|b| book.block(None, &b.original_payment_information_id))
            .collect(),
    };
    if let Some(m) = message_id
        && scope.is_empty()
    {
        out.flag(
            FlagKind::UnknownReference,
            m,
            None,
            Some("a message of ours".to_owned()),
            Some(format!("OrgnlMsgId {m}")),
        );
    }
    for block in &blocks {
        let id = block.original_payment_information_id.as_str();
        if !scope
            .iter()
            .any(|&i| book.payments[i].payment_information_id == id)
        {
            out.flag(
                FlagKind::UnknownReference,
                id,
                None,
                Some("a payment information block of ours".to_owned()),
                Some(format!("OrgnlPmtInfId {id}")),
            );
        }
    }
    for index in scope {
        if listed.contains(&index) {
            continue;
        }
        let payment = &book.payments[index];
        let reference = payment.end_to_end_id.clone();
        let at = At {
            ctx,
            source,
            reference: &reference,
            entry: false,
        };
        let level = block_level(&payment.payment_information_id).or(group_level);
        match level {
            Some(level) if meaning(level.code) != Meaning::Partial => {
                apply_level(book, index, level, &at, &mut out);
            }
            _ if book.behaviour.reports_only_rejections => {
                let evidence = match level {
                    Some(level) => Evidence::status(level.code),
                    None => Evidence::default(),
                };
                let event = PaymentEvent::BankStatusReceived {
                    outcome: BankOutcome::Accepted,
                    evidence: evidence.with_source(source),
                };
                book.apply_payment(index, event, None, &at, &mut out);
            }
            _ => {}
        }
    }
    out
}

/// Applies a status code (with its level's reasons) to payment `index`.
fn apply_level(
    book: &mut Book,
    index: usize,
    level: Level<'_>,
    at: &At<'_>,
    out: &mut Reconciliation,
) {
    let outcome = match meaning(level.code) {
        Meaning::Outcome(outcome) => outcome,
        Meaning::Partial | Meaning::Unknown => {
            let id = book.payments[index].id.clone();
            out.flag(
                FlagKind::UnknownStatusCode,
                at.reference,
                Some(&id),
                Some("a transaction status code".to_owned()),
                Some(level.code.to_owned()),
            );
            return;
        }
    };
    let reason = level.reason();
    let mut evidence = Evidence::status(level.code).with_source(at.source);
    if let Some(reason) = reason {
        evidence = evidence.with_reason(reason);
    }
    let failure = (outcome == BankOutcome::Failed).then_some(reason).flatten();
    let event = PaymentEvent::BankStatusReceived { outcome, evidence };
    book.apply_payment(index, event, failure, at, out);
}
