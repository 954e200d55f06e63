//! Operator commands on the store: payments, approvals, force updates, the audit trail.

use std::path::Path;

use anyhow::Context;
use jiff::Timestamp;
use serde_json::json;

use crate::domain::event::{Actor, EventContext};
use crate::domain::payment::PaymentStatus;
use crate::store::{EventFilter, PaymentFilter, PaymentRow, SqliteStore, Store, StoreError};

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
}

pub fn run(config_path: &Path, action: Action, as_json: bool) -> anyhow::Result<u8> {
    let config = match super::load_config(config_path) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
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
                println!("events:");
                print_events(&events);
            }
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
