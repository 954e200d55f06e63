//! `bankgate parse`: what a bank's pain.002 or camt.05x file says, one JSON object per
//! line (NDJSON), or a table with `--summary`.

use std::fs::File;
use std::io::{BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::{EXIT_DATA, EXIT_NO_INPUT};
use crate::domain::payment::BankOutcome;
use crate::iso20022::camt::AccountReportReader;
use crate::iso20022::pain002::StatusReportReader;
use crate::iso20022::read::{ReadError, XmlLimits, XmlReader};
use crate::iso20022::report::{
    CreditDebit, Entry, EntryStatus, PaymentInformationStatus, StatementItem, StatusItem,
    StatusReason, TransactionStatus,
};

pub fn run(files: &[PathBuf], summary: bool) -> anyhow::Result<u8> {
    let stdout = std::io::stdout().lock();
    let mut out = BufWriter::new(stdout);
    let mut code = 0;
    for path in files {
        let mut lines = Vec::new();
        let mut emit = |line: Value| -> anyhow::Result<()> {
            if summary {
                lines.push(line);
            } else {
                serde_json::to_writer(&mut out, &line)?;
                out.write_all(b"\n")?;
            }
            Ok(())
        };
        match parse_file(path, &mut emit) {
            Ok(()) => {}
            Err(FileError::Open(e)) => {
                eprintln!("cannot read {}: {e}", path.display());
                code = code.max(EXIT_NO_INPUT);
            }
            Err(FileError::Read(e)) => {
                eprintln!("{}: {e}", path.display());
                code = code.max(EXIT_DATA);
            }
            Err(FileError::Output(e)) => return Err(e),
        }
        if summary {
            print_summary(&mut out, path, &lines)?;
        }
    }
    out.flush()?;
    Ok(code)
}

enum FileError {
    Open(std::io::Error),
    Read(ReadError),
    Output(anyhow::Error),
}

fn parse_file(
    path: &Path,
    emit: &mut dyn FnMut(Value) -> anyhow::Result<()>,
) -> Result<(), FileError> {
    let open = || {
        File::open(path)
            .map(BufReader::new)
            .map_err(FileError::Open)
    };
    let message = XmlReader::new(open()?, XmlLimits::default())
        .document()
        .map_err(FileError::Read)?;
    match message.family.as_str() {
        "pain.002" => {
            let reader =
                StatusReportReader::open(open()?, XmlLimits::default()).map_err(FileError::Read)?;
            status_lines(reader, &message.version, emit)
        }
        "camt.052" | "camt.053" | "camt.054" => {
            let reader = AccountReportReader::open(open()?, XmlLimits::default())
                .map_err(FileError::Read)?;
            entry_lines(reader, &message.version, emit)
        }
        _ => Err(FileError::Read(ReadError::Unsupported {
            expected: "pain.002, camt.052, camt.053 or camt.054".to_owned(),
            actual: message.version,
        })),
    }
}

fn first_reason(reasons: &[StatusReason]) -> (Option<&str>, Vec<&str>) {
    let code = reasons
        .iter()
        .find_map(|r| r.code.as_deref().or(r.proprietary.as_deref()));
    let info = reasons
        .iter()
        .flat_map(|r| r.additional_info.iter().map(String::as_str))
        .collect();
    (code, info)
}

fn payment_status(code: Option<&str>) -> Option<&'static str> {
    code.and_then(BankOutcome::from_status_code)
        .map(|o| o.status().as_str())
}

/// One line per transaction-level outcome; blocks and groups without transaction detail
/// get a line of their own (`level` `payment_information` / `group`).
fn status_lines<R: std::io::BufRead>(
    reader: StatusReportReader<R>,
    message: &str,
    emit: &mut dyn FnMut(Value) -> anyhow::Result<()>,
) -> Result<(), FileError> {
    let mut group = None;
    let mut block: Option<(PaymentInformationStatus, usize)> = None;
    let mut blocks = 0;
    let block_line = |group: &Option<crate::iso20022::report::GroupStatus>,
                      b: &PaymentInformationStatus| {
        let status = b
            .status
            .as_deref()
            .or(group.as_ref().and_then(|g| g.status.as_deref()));
        let (reason, info) = first_reason(&b.reasons);
        json!({
            "message": message,
            "original_message_id": group.as_ref().map(|g| g.original_message_id.as_str()),
            "original_payment_information_id": b.original_payment_information_id,
            "end_to_end_id": null,
            "status": status,
            "reason": reason,
            "additional_info": info,
            "level": "payment_information",
            "payment_status": payment_status(status),
        })
    };
    for item in reader {
        match item.map_err(FileError::Read)? {
            StatusItem::Group(g) => group = Some(g),
            StatusItem::PaymentInformation(b) => {
                if let Some((previous, 0)) = block.take() {
                    emit(block_line(&group, &previous)).map_err(FileError::Output)?;
                }
                blocks += 1;
                block = Some((b, 0));
            }
            StatusItem::Transaction(t) => {
                if let Some((_, count)) = block.as_mut() {
                    *count += 1;
                }
                let line =
                    transaction_line(message, group.as_ref(), block.as_ref().map(|b| &b.0), &t);
                emit(line).map_err(FileError::Output)?;
            }
        }
    }
    if let Some((previous, 0)) = block.take() {
        emit(block_line(&group, &previous)).map_err(FileError::Output)?;
    }
    if blocks == 0
        && let Some(g) = &group
    {
        let (reason, info) = first_reason(&g.reasons);
        let line = json!({
            "message": message,
            "original_message_id": g.original_message_id,
            "original_payment_information_id": null,
            "end_to_end_id": null,
            "status": g.status,
            "reason": reason,
            "additional_info": info,
            "level": "group",
            "payment_status": payment_status(g.status.as_deref()),
        });
        emit(line).map_err(FileError::Output)?;
    }
    Ok(())
}

fn transaction_line(
    message: &str,
    group: Option<&crate::iso20022::report::GroupStatus>,
    block: Option<&PaymentInformationStatus>,
    t: &TransactionStatus,
) -> Value {
    // Effective status: the transaction's, else its block's, else the group's.
    let status = t
        .status
        .as_deref()
        .or(block.and_then(|b| b.status.as_deref()))
        .or(group.and_then(|g| g.status.as_deref()));
    let (reason, info) = first_reason(&t.reasons);
    json!({
        "message": message,
        "original_message_id": group.map(|g| g.original_message_id.as_str()),
        "original_payment_information_id": t.original_payment_information_id,
        "end_to_end_id": t.original_end_to_end_id,
        "instruction_id": t.original_instruction_id,
        "status": status,
        "reason": reason,
        "additional_info": info,
        "level": "transaction",
        "payment_status": payment_status(status),
    })
}

/// One line per entry, or per transaction detail where the entry has them.
fn entry_lines<R: std::io::BufRead>(
    reader: AccountReportReader<R>,
    message: &str,
    emit: &mut dyn FnMut(Value) -> anyhow::Result<()>,
) -> Result<(), FileError> {
    let mut account = String::new();
    for item in reader {
        match item.map_err(FileError::Read)? {
            StatementItem::Statement(header) => account = header.account,
            StatementItem::Entry(entry) => {
                if entry.transactions.is_empty() {
                    emit(entry_line(message, &account, &entry, None)).map_err(FileError::Output)?;
                } else {
                    for index in 0..entry.transactions.len() {
                        emit(entry_line(message, &account, &entry, Some(index)))
                            .map_err(FileError::Output)?;
                    }
                }
            }
        }
    }
    Ok(())
}

fn entry_line(message: &str, account: &str, entry: &Entry, transaction: Option<usize>) -> Value {
    let tx = transaction.map(|i| &entry.transactions[i]);
    let amount = tx.and_then(|t| t.amount.as_ref()).unwrap_or(&entry.amount);
    let credit_debit = tx
        .and_then(|t| t.credit_debit)
        .unwrap_or(entry.credit_debit);
    let code = tx
        .and_then(|t| t.bank_transaction_code.as_ref())
        .or(entry.bank_transaction_code.as_ref());
    let status = match &entry.status {
        EntryStatus::Booked => "BOOK".to_owned(),
        EntryStatus::Pending => "PDNG".to_owned(),
        EntryStatus::Information => "INFO".to_owned(),
        EntryStatus::Other(other) => other.clone(),
    };
    let batch = entry.batches.first();
    json!({
        "message": message,
        "account": account,
        "statement_id": entry.statement_id,
        "entry_reference": entry.reference,
        "account_servicer_reference": tx
            .and_then(|t| t.references.account_servicer_reference.clone())
            .or(entry.account_servicer_reference.clone()),
        "amount": amount.value.to_string(),
        "currency": amount.currency,
        "credit_debit": match credit_debit { CreditDebit::Credit => "CRDT", CreditDebit::Debit => "DBIT" },
        "status": status,
        "booking_date": entry.booking_date.map(|d| d.to_string()),
        "value_date": entry.value_date.map(|d| d.to_string()),
        "bank_transaction_code": code.and_then(|c| c.iso().or(c.proprietary.clone())),
        "end_to_end_id": tx.and_then(|t| t.references.end_to_end_id.clone()),
        "payment_information_id": tx
            .and_then(|t| t.references.payment_information_id.clone())
            .or(batch.and_then(|b| b.payment_information_id.clone())),
        "mandate_id": tx.and_then(|t| t.references.mandate_id.clone()),
        "batch_transactions": batch.and_then(|b| b.number_of_transactions),
        "reversal": entry.reversal,
        "return_reason": tx
            .and_then(|t| t.return_information.as_ref())
            .and_then(|r| r.reason.clone().or(r.proprietary_reason.clone())),
    })
}

fn print_summary(out: &mut dyn Write, path: &Path, lines: &[Value]) -> anyhow::Result<()> {
    writeln!(out, "{}", path.display())?;
    let text = |v: &Value, key: &str| match &v[key] {
        Value::Null => "-".to_owned(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    for line in lines {
        if line.get("level").is_some() {
            writeln!(
                out,
                "  {:<20} {:<36} {:<6} {:<6} {}",
                text(line, "level"),
                text(line, "end_to_end_id"),
                text(line, "status"),
                text(line, "reason"),
                text(line, "payment_status"),
            )?;
        } else {
            writeln!(
                out,
                "  {:<12} {:>16} {:<3} {:<4} {:<4} {:<18} {}",
                text(line, "booking_date"),
                text(line, "amount"),
                text(line, "currency"),
                text(line, "credit_debit"),
                text(line, "status"),
                text(line, "bank_transaction_code"),
                text(line, "end_to_end_id"),
            )?;
        }
    }
    writeln!(out, "  {} line(s)", lines.len())?;
    Ok(())
}
