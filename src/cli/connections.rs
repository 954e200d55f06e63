//! `bankgate connections list|show`: each bank connection's schemes, transport, secret
//! metadata (which files, key type and fingerprint, last rotated; never the secrets) and
//! its recent files out, bank files in (statements, notifications, status reports, and
//! quarantined ones with the reason) and payments, like the "Third-Party" tab of a bank portal.

use std::path::Path;

use anyhow::Context;
use serde_json::{Value, json};

use crate::config::{Config, Connection, Endpoint, SecretSource, Submit};
use crate::store::{OutboundFilter, PaymentFilter, SqliteStore, Store};

/// Exit code for an unknown connection.
const EXIT_REFUSED: u8 = 65;

pub fn run(config_path: &Path, id: Option<&str>, as_json: bool) -> anyhow::Result<u8> {
    let config = match super::load_config(config_path) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
    let Some(id) = id else {
        let rows: Vec<Value> = config
            .connections
            .iter()
            .map(|c| summary(&config, c))
            .collect();
        if as_json {
            println!("{}", serde_json::to_string_pretty(&rows)?);
        } else {
            println!(
                "{:<20} {:<8} {:<40} {:>7} ACCOUNTS",
                "ID", "KIND", "ENDPOINT", "SCHEMES"
            );
            for r in &rows {
                println!(
                    "{:<20} {:<8} {:<40} {:>7} {}",
                    r["id"].as_str().unwrap_or(""),
                    r["kind"].as_str().unwrap_or(""),
                    r["endpoint"].as_str().unwrap_or(""),
                    r["schemes"].as_array().map_or(0, Vec::len),
                    r["accounts"]
                        .as_array()
                        .map(|a| a
                            .iter()
                            .filter_map(Value::as_str)
                            .collect::<Vec<_>>()
                            .join(", "))
                        .unwrap_or_default()
                );
            }
            println!("{} connection(s)", rows.len());
        }
        return Ok(0);
    };
    let Some(connection) = config.connection(id) else {
        let known: Vec<&str> = config.connections.iter().map(|c| c.id.as_str()).collect();
        eprintln!("no connection {id:?} (configured: {})", known.join(", "));
        return Ok(EXIT_REFUSED);
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    let (files, payments, received) = runtime.block_on(async {
        let store = SqliteStore::open(&config.store.path)
            .await
            .with_context(|| format!("cannot open the store {}", config.store.path.display()))?;
        let mut files = store
            .outbound_files(&OutboundFilter {
                connection: Some(connection.id.clone()),
                ..OutboundFilter::default()
            })
            .await?;
        files.reverse();
        files.truncate(10);
        let mut payments = store
            .payments(&PaymentFilter {
                connection: Some(connection.id.clone()),
                ..PaymentFilter::default()
            })
            .await?;
        payments.reverse();
        payments.truncate(10);
        let received = store.inbound_files(Some(&connection.id), 10).await?;
        store.close().await;
        anyhow::Ok((files, payments, received))
    })?;
    let mut doc = summary(&config, connection);
    doc["schedules"] = connection
        .schedules
        .iter()
        .map(|s| {
            json!({
                "schemes": s.schemes.iter().map(|x| x.as_str()).collect::<Vec<_>>(),
                "submit": match &s.submit {
                    Submit::Immediately => json!("immediately"),
                    Submit::CutOffs { times, time_zone, lead_minutes } => json!({
                        "cutoffs": times.iter().map(ToString::to_string).collect::<Vec<_>>(),
                        "time_zone": time_zone,
                        "lead_minutes": lead_minutes,
                    }),
                },
            })
        })
        .collect();
    doc["secrets"] = secrets(connection);
    doc["recent_files"] = files
        .iter()
        .map(|f| {
            json!({
                "message_id": f.file.message_id,
                "name": f.file.name,
                "state": f.state.as_str(),
                "payments": f.file.transactions.len(),
                "updated_at": f.updated_at.to_string(),
            })
        })
        .collect();
    doc["recent_bank_files"] = received
        .iter()
        .map(|f| {
            json!({
                "name": f.file.name,
                "message": f.file.message,
                "state": f.state,
                "reason": f.reason,
                "received_at": f.file.received_at.to_string(),
                "archive": f.archive,
            })
        })
        .collect();
    doc["recent_payments"] = payments
        .iter()
        .map(|p| {
            json!({
                "id": p.id,
                "scheme": p.scheme.as_str(),
                "amount": p.amount.to_decimal_string(),
                "currency": p.amount.currency().code(),
                "status": p.status.as_str(),
            })
        })
        .collect();
    if as_json {
        println!("{}", serde_json::to_string_pretty(&doc)?);
    } else {
        for (key, value) in doc.as_object().into_iter().flatten() {
            match value {
                Value::Array(items) => {
                    println!("{key}:");
                    for item in items {
                        println!("  {item}");
                    }
                }
                other => println!("{key:<18} {other}"),
            }
        }
    }
    Ok(0)
}

fn summary(config: &Config, c: &Connection) -> Value {
    let (kind, endpoint) = match &c.endpoint {
        Endpoint::Local(l) => ("local", format!("file://{}", l.outbound_dir.display())),
        Endpoint::Sftp(s) => ("sftp", format!("sftp://{}@{}:{}", s.user, s.host, s.port)),
    };
    json!({
        "id": c.id,
        "kind": kind,
        "endpoint": endpoint,
        "schemes": c.schemes.iter().map(|s| s.as_str()).collect::<Vec<_>>(),
        "accounts": config.accounts.iter().filter(|a| a.connection == c.id).map(|a| a.id.as_str()).collect::<Vec<_>>(),
        "poll_seconds": c.poll_seconds,
        "file_name": c.file_name,
    })
}

/// Which files hold the secrets, when they last changed, and for keys the type and
/// fingerprint: never the secret itself.
fn secrets(c: &Connection) -> Value {
    let Endpoint::Sftp(s) = &c.endpoint else {
        return json!([]);
    };
    let mut out = Vec::new();
    let mut describe = |role: &str, source: &SecretSource, key: bool| {
        let mut entry = json!({ "role": role, "source": source.to_string() });
        match source.path() {
            Ok(path) => match std::fs::metadata(&path) {
                Ok(meta) => {
                    let rotated = meta
                        .modified()
                        .ok()
                        .and_then(|t| jiff::Timestamp::try_from(t).ok())
                        .map(|t| t.to_string());
                    entry["path"] = json!(path.display().to_string());
                    entry["last_rotated"] = json!(rotated);
                    if key {
                        match crate::transport::describe_key(source) {
                            Ok((kind, fingerprint)) => {
                                entry["key_type"] = json!(kind);
                                entry["fingerprint"] = json!(fingerprint);
                            }
                            Err(e) => entry["problem"] = json!(e),
                        }
                    }
                }
                Err(e) => entry["problem"] = json!(format!("{}: {e}", path.display())),
            },
            Err(e) => entry["problem"] = json!(e),
        }
        out.push(entry);
    };
    if let Some(k) = &s.private_key {
        describe("private_key", k, true);
    }
    if let Some(p) = &s.passphrase {
        describe("passphrase", p, false);
    }
    if let Some(p) = &s.password {
        describe("password", p, false);
    }
    let mut v = json!(out);
    if let Value::Array(items) = &mut v {
        items.push(json!({
            "role": "pinned_host_keys",
            "fingerprints": s.host_key_fingerprints,
            "known_hosts": s.known_hosts.as_ref().map(|p| p.display().to_string()),
        }));
    }
    v
}
