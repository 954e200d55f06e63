//! Operator commands on the store: payments, approvals, force updates, the audit trail.

use std::path::Path;

use anyhow::Context;
use jiff::Timestamp;
use serde_json::json;

use crate::domain::event::{Actor, EventContext};
use crate::domain::mandate::MandateStatus;
use crate::domain::money::{Amount, Currency};
use crate::domain::payment::PaymentStatus;
use crate::store::{
    EventFilter, MandateFilter, MandateRow, OutboundFilter, PaymentFilter, PaymentRow, SqliteStore,
    Store, StoreError,
};

/// Exit code when the store refuses (unknown id, transition not allowed).
const EXIT_REFUSED: u8 = 65;

pub enum Action {
    List {
        status: Option<PaymentStatus>,
        connection: Option<String>,
    },
    Show {
        id: String,
    },
    Approve {
        ids: Vec<String>,
        by: String,
    },
    Reject {
        ids: Vec<String>,
        by: String,
        reason: String,
    },
    Force {
        id: String,
        status: PaymentStatus,
        by: String,
        reason: String,
    },
    Events {
        payment: Option<String>,
    },
    Mandates {
        status: Option<MandateStatus>,
    },
    MandateShow {
        id: String,
    },
    Files,
    FileShow {
        message_id: String,
    },
    Trigger {
        connection: String,
        by: String,
    },
    Statements {
        unmatched_only: bool,
    },
}

pub fn run(config_path: &Path, action: Action, as_json: bool) -> anyhow::Result<u8> {
    let config = match super::load_config(config_path) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
    if let Action::Trigger { connection, .. } = &action
        && config.connection(connection).is_none()
    {
        let known: Vec<&str> = config.connections.iter().map(|c| c.id.as_str()).collect();
        eprintln!(
            "refused: connection {connection:?} is not configured (expected one of: {})",
            known.join(", ")
        );
        return Ok(EXIT_REFUSED);
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(async {
        let store = SqliteStore::open(&config.store.path)
            .await
            .with_context(|| format!("cannot open the store {}", config.store.path.display()))?;
        let code = act(&store, action, as_json).await;
        store.close().await;
        code
    })
}

async fn act(store: &SqliteStore, action: Action, as_json: bool) -> anyhow::Result<u8> {
    let now = Timestamp::now();
    let refused = |e: StoreError| -> anyhow::Result<u8> {
        eprintln!("refused: {e}");
        Ok(EXIT_REFUSED)
    };
    match action {
        Action::List { status, connection } => {
            let filter = PaymentFilter {
                status,
                connection,
                ..PaymentFilter::default()
            };
            let rows = store.payments(&filter).await?;
            if as_json {
                let rows: Vec<_> = rows.iter().map(payment_json).collect();
                println!("{}", serde_json::to_string_pretty(&rows)?);
            } else {
                println!(
                    "{:<36} {:<16} {:<30} {:>16} {:<4} {:<20}",
                    "ID", "KIND", "SCHEME", "AMOUNT", "CCY", "STATUS"
                );
                for r in &rows {
                    println!(
                        "{:<36} {:<16} {:<30} {:>16} {:<4} {:<20}",
                        r.id,
                        r.kind,
                        r.scheme.as_str(),
                        r.amount.to_decimal_string(),
                        r.amount.currency().code(),
                        r.status.as_str()
                    );
                }
                println!("{} payment(s)", rows.len());
            }
            Ok(0)
        }
        Action::Show { id } => {
            let Some(row) = store.payment(&id).await? else {
                eprintln!("no payment {id:?}");
                return Ok(EXIT_REFUSED);
            };
            let events = store
                .events(&EventFilter {
                    entity_id: Some(id.clone()),
                    ..EventFilter::default()
                })
                .await?;
            if as_json {
                let events: Vec<_> = events.iter().map(event_json).collect();
                let doc = json!({ "payment": payment_json(&row), "events": events });
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                let doc = payment_json(&row);
                for (key, value) in doc.as_object().into_iter().flatten() {
                    println!("{key:<16} {value}");
                }
                println!("files:");
                for f in store
                    .outbound_files(&OutboundFilter {
                        connection: Some(row.connection.clone()),
                        ..OutboundFilter::default()
                    })
                    .await?
                    .iter()
                    .filter(|f| f.file.transactions.iter().any(|t| t.payment_id == row.id))
                {
                    println!(
                        "  {} {} {}",
                        f.file.message_id,
                        f.file.name,
                        f.state.as_str()
                    );
                }
                println!("events:");
                print_events(&events);
            }
            Ok(0)
        }
        Action::FileShow { message_id } => {
            let Some(f) = store.outbound_file(&message_id).await? else {
                eprintln!("no outbound file {message_id:?}");
                return Ok(EXIT_REFUSED);
            };
            let events = store
                .events(&EventFilter {
                    entity_id: Some(message_id.clone()),
                    ..EventFilter::default()
                })
                .await?;
            let doc = json!({
                "message_id": f.file.message_id,
                "connection": f.file.connection,
                "name": f.file.name,
                "state": f.state.as_str(),
                "size": f.file.size,
                "sha256": f.file.sha256,
                "archive": f.file.archive,
                "created_at": f.created_at.to_string(),
                "updated_at": f.updated_at.to_string(),
                "payments": f.file.transactions.iter().map(|t| json!({
                    "payment_id": t.payment_id,
                    "end_to_end_id": t.end_to_end_id,
                    "payment_information_id": t.payment_information_id,
                })).collect::<Vec<_>>(),
            });
            if as_json {
                let events: Vec<_> = events.iter().map(event_json).collect();
                let doc = json!({ "file": doc, "events": events });
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                for (key, value) in doc.as_object().into_iter().flatten() {
                    if key != "payments" {
                        println!("{key:<16} {value}");
                    }
                }
                println!("payments:");
                for t in &f.file.transactions {
                    println!(
                        "  {} {} {}",
                        t.payment_id, t.end_to_end_id, t.payment_information_id
                    );
                }
                println!("events:");
                print_events(&events);
            }
            Ok(0)
        }
        Action::Trigger { connection, by } => {
            let ctx = EventContext::new(Actor::Operator(by), now);
            store.request_trigger(&connection, &ctx).await?;
            println!(
                "trigger requested for {connection}; the running daemon takes it within a tick"
            );
            Ok(0)
        }
        Action::Approve { ids, by } => {
            let ctx = EventContext::new(Actor::Customer(by.clone()), now);
            match store.approve(&ids, &by, &ctx).await {
                Ok(records) => {
                    for r in records {
                        println!(
                            "{} {} -> {} ({})",
                            r.entity_id,
                            r.event,
                            r.status_after,
                            if r.applied {
                                "applied"
                            } else {
                                r.note.as_deref().unwrap_or("not applied")
                            }
                        );
                    }
                    Ok(0)
                }
                Err(e) => refused(e),
            }
        }
        Action::Reject { ids, by, reason } => {
            let ctx = EventContext::new(Actor::Customer(by), now);
            match store.reject(&ids, Some(&reason), &ctx).await {
                Ok(records) => {
                    for r in records {
                        println!("{} {} -> {}", r.entity_id, r.event, r.status_after);
                    }
                    Ok(0)
                }
                Err(e) => refused(e),
            }
        }
        Action::Force {
            id,
            status,
            by,
            reason,
        } => {
            let ctx = EventContext::new(Actor::Operator(by), now);
            match store.force_payment_status(&id, status, &reason, &ctx).await {
                Ok(r) => {
                    println!(
                        "{} {} {} -> {}",
                        r.entity_id,
                        r.event,
                        r.status_before.map_or("-".to_owned(), |s| s.to_string()),
                        r.status_after
                    );
                    Ok(0)
                }
                Err(e) => refused(e),
            }
        }
        Action::Mandates { status } => {
            let filter = MandateFilter {
                status,
                ..MandateFilter::default()
            };
            let rows: Vec<_> = store
                .mandates(&filter)
                .await?
                .iter()
                .map(mandate_json)
                .collect();
            print_rows(
                &rows,
                &["id", "scheme", "creditor_account", "status", "updated_at"],
                as_json,
            )?;
            Ok(0)
        }
        Action::MandateShow { id } => {
            let Some(row) = store.mandate(&id).await? else {
                eprintln!("no mandate {id:?}");
                return Ok(EXIT_REFUSED);
            };
            let events = store
                .events(&EventFilter {
                    entity_id: Some(id),
                    ..EventFilter::default()
                })
                .await?;
            if as_json {
                let events: Vec<_> = events.iter().map(event_json).collect();
                let doc = json!({ "mandate": mandate_json(&row), "events": events });
                println!("{}", serde_json::to_string_pretty(&doc)?);
            } else {
                for (key, value) in mandate_json(&row).as_object().into_iter().flatten() {
                    println!("{key:<16} {value}");
                }
                println!("events:");
                print_events(&events);
            }
            Ok(0)
        }
        Action::Files => {
            let rows: Vec<_> = store
                .outbound_files(&OutboundFilter::default())
                .await?
                .iter()
                .map(|f| {
                    json!({
                        "message_id": f.file.message_id,
                        "connection": f.file.connection,
                        "name": f.file.name,
                        "state": f.state.as_str(),
                        "size": f.file.size,
                        "sha256": f.file.sha256,
                        "payments": f.file.transactions.len(),
                        "updated_at": f.updated_at.to_string(),
                    })
                })
                .collect();
            print_rows(
                &rows,
                &[
                    "message_id",
                    "connection",
                    "name",
                    "state",
                    "payments",
                    "updated_at",
                ],
                as_json,
            )?;
            Ok(0)
        }
        Action::Statements { unmatched_only } => {
            let rows: Vec<_> = store
                .statement_lines(unmatched_only)
                .await?
                .iter()
                .map(|l| {
                    let amount = l.currency.parse::<Currency>().ok().and_then(|c| Amount::from_minor(l.amount_minor, c).ok());
                    json!({
                        "account": l.account,
                        "entry_reference": l.entry_reference,
                        "amount": amount.map_or_else(|| format!("{} minor units", l.amount_minor), |a| a.to_decimal_string()),
                        "currency": l.currency,
                        "credit_debit": if l.credit { "CRDT" } else { "DBIT" },
                        "booking_date": l.booking_date.map(|d| d.to_string()),
                        "matched_payment": l.matched_payment_id,
                        "detail": l.detail,
                    })
                })
                .collect();
            print_rows(
                &rows,
                &[
                    "account",
                    "entry_reference",
                    "amount",
                    "currency",
                    "credit_debit",
                    "booking_date",
                    "matched_payment",
                ],
                as_json,
            )?;
            Ok(0)
        }
        Action::Events { payment } => {
            let events = store
                .events(&EventFilter {
                    entity_id: payment,
                    ..EventFilter::default()
                })
                .await?;
            if as_json {
                let events: Vec<_> = events.iter().map(event_json).collect();
                println!("{}", serde_json::to_string_pretty(&events)?);
            } else {
                print_events(&events);
            }
            Ok(0)
        }
    }
}

fn mandate_json(r: &MandateRow) -> serde_json::Value {
    json!({
        "id": r.id,
        "connection": r.connection,
        "scheme": r.scheme.as_str(),
        "creditor_account": r.creditor_account,
        "status": r.status.as_str(),
        "intake_file": r.intake_file,
        "created_at": r.created_at.to_string(),
        "updated_at": r.updated_at.to_string(),
    })
}

/// A JSON array, or a table of the named columns with a count.
fn print_rows(rows: &[serde_json::Value], columns: &[&str], as_json: bool) -> anyhow::Result<()> {
    if as_json {
        println!("{}", serde_json::to_string_pretty(rows)?);
        return Ok(());
    }
    let cell = |row: &serde_json::Value, column: &str| match &row[column] {
        serde_json::Value::Null => "-".to_owned(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    let widths: Vec<usize> = columns
        .iter()
        .map(|c| {
            rows.iter()
                .map(|r| cell(r, c).len())
                .max()
                .unwrap_or(0)
                .max(c.len())
        })
        .collect();
    let line = |cells: Vec<String>| {
        let padded: Vec<String> = cells
            .iter()
            .zip(&widths)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        println!("{}", padded.join("  ").trim_end());
    };
    line(columns.iter().map(|c| c.to_uppercase()).collect());
    for row in rows {
        line(columns.iter().map(|c| cell(row, c)).collect());
    }
    println!("{} row(s)", rows.len());
    Ok(())
}

fn payment_json(r: &PaymentRow) -> serde_json::Value {
    json!({
        "id": r.id,
        "kind": r.kind,
        "connection": r.connection,
        "scheme": r.scheme.as_str(),
        "source_account": r.source_account,
        "amount": r.amount.to_decimal_string(),
        "currency": r.amount.currency().code(),
        "requested_date": r.requested_date.map(|d| d.to_string()),
        "mandate": r.mandate_id,
        "status": r.status.as_str(),
        "approvals_required": r.approvals_required,
        "approvals": r.approvals,
        "intake_file": r.intake_file,
        "created_at": r.created_at.to_string(),
        "updated_at": r.updated_at.to_string(),
    })
}

fn event_json(e: &crate::store::StoredEvent) -> serde_json::Value {
    json!({
        "seq": e.seq,
        "entity": e.entity,
        "entity_id": e.entity_id,
        "event": e.event,
        "actor": e.actor.to_string(),
        "at": e.at.to_string(),
        "status_before": e.status_before,
        "status_after": e.status_after,
        "applied": e.applied,
        "reason": e.reason,
        "note": e.note,
    })
}

fn print_events(events: &[crate::store::StoredEvent]) {
    for e in events {
        println!(
            "  {:>5} {} {:<14} {:<28} {:<26} {} -> {}{}{}",
            e.seq,
            e.at,
            e.entity,
            e.entity_id,
            e.event,
            e.status_before.as_deref().unwrap_or("-"),
            e.status_after,
            if e.applied { "" } else { " (not applied)" },
            e.reason
                .as_deref()
                .map(|r| format!(" reason: {r}"))
                .unwrap_or_default(),
        );
    }
}
