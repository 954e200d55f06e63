//! The engine's side of [`SqliteStore`]: unfiled payments, upload results, the payments
//! a bank can report on, the inbound ledger, trigger requests and system events.

use super::*;

pub(super) fn claimed_from_row(row: &SqliteRow) -> Result<ClaimedPayment, StoreError> {
    let currency: Currency = parse_column("currency", &row.try_get::<String, _>("currency")?)?;
    let amount = Amount::from_minor(row.try_get("amount_minor")?, currency).map_err(|e| {
        StoreError::Corrupt {
            what: "amount",
            detail: e.to_string(),
        }
    })?;
    let date: Option<String> = row.try_get("requested_date")?;
    Ok(ClaimedPayment {
        id: row.try_get("id")?,
        scheme: parse_column("scheme", &row.try_get::<String, _>("scheme")?)?,
        amount,
        source_account: row.try_get("source_account")?,
        requested_date: date
            .map(|d| parse_column::<Date>("requested date", &d))
            .transpose()?,
        mandate_id: row.try_get("mandate_id")?,
    })
}

/// [`InboundOutcome::Duplicate`] when a file with these bytes was received before.
pub(super) async fn inbound_duplicate(
    tx: &mut Tx,
    sha256: &str,
) -> Result<Option<InboundOutcome>, StoreError> {
    let first = sqlx::query("SELECT id, name, received_at FROM inbound_files WHERE sha256 = ?")
        .bind(sha256)
        .fetch_optional(&mut **tx)
        .await?;
    first
        .map(|row| {
            Ok(InboundOutcome::Duplicate {
                id: row.try_get("id")?,
                first_name: row.try_get("name")?,
                first_received_at: parse_ts(&row.try_get::<String, _>("received_at")?)?,
            })
        })
        .transpose()
}

/// An outbound file's current state (`None`: no such file).
pub(super) async fn file_state(
    tx: &mut Tx,
    message_id: &str,
) -> Result<Option<FileState>, StoreError> {
    let state: Option<String> =
        sqlx::query_scalar("SELECT state FROM outbound_files WHERE message_id = ?")
            .bind(message_id)
            .fetch_optional(&mut **tx)
            .await?;
    state
        .map(|s| parse_column("outbound file state", &s))
        .transpose()
}

/// Writes a checked move `from → to` of an outbound file and its event.
pub(super) async fn write_file_state(
    tx: &mut Tx,
    message_id: &str,
    from: FileState,
    to: FileState,
    reason: Option<&str>,
    ctx: &EventContext,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE outbound_files SET state = ?, updated_at = ? WHERE message_id = ?")
        .bind(to.as_str())
        .bind(ts(ctx.at))
        .bind(message_id)
        .execute(&mut **tx)
        .await?;
    append_event(
        tx,
        NewEvent {
            entity: "OUTBOUND_FILE",
            entity_id: message_id,
            event: "STATE_CHANGED".to_owned(),
            actor: ctx.actor.to_string(),
            at: ctx.at,
            status_before: Some(from.as_str().to_owned()),
            status_after: to.as_str().to_owned(),
            applied: true,
            reason,
            evidence: None,
            note: None,
        },
    )
    .await
}

/// Moves an outbound file to `to` when the state machine allows it from where it is;
/// returns whether it moved.
async fn move_file_if_allowed(
    tx: &mut Tx,
    message_id: &str,
    to: FileState,
    reason: Option<&str>,
    ctx: &EventContext,
) -> Result<bool, StoreError> {
    match file_state(tx, message_id).await? {
        Some(from) if from.allows(to) => {
            write_file_state(tx, message_id, from, to, reason, ctx).await?;
            Ok(true)
        }
        _ => Ok(false),
    }
}

impl SqliteStore {
    pub(super) async fn unfiled_payments_impl(
        &self,
        connection: &str,
    ) -> Result<Vec<ClaimedPayment>, StoreError> {
        let rows = sqlx::query(
            "SELECT id, scheme, amount_minor, currency, source_account, requested_date,
                    mandate_id
             FROM payments p
             WHERE connection = ? AND status = 'PENDING_SUBMISSION'
               AND NOT EXISTS (SELECT 1 FROM outbound_file_payments f WHERE f.payment_id = p.id)
             ORDER BY p.seq",
        )
        .bind(connection)
        .fetch_all(&self.writer)
        .await?;
        rows.iter().map(claimed_from_row).collect()
    }

    pub(super) async fn payment_documents_impl(
        &self,
        ids: &[&str],
    ) -> Result<HashMap<String, String>, StoreError> {
        let json = serde_json::to_string(ids).unwrap_or_else(|_| "[]".to_owned());
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT p.id, d.raw_json FROM payments p JOIN payment_documents d ON d.seq = p.seq
             WHERE p.id IN (SELECT value FROM json_each(?))",
        )
        .bind(json)
        .fetch_all(&self.readers)
        .await?;
        Ok(rows.into_iter().collect())
    }

    pub(super) async fn record_upload_impl(
        &self,
        message_id: &str,
        from: FileState,
        ctx: &EventContext,
    ) -> Result<usize, StoreError> {
        // Optimistic, for the common case (every payment PENDING_SUBMISSION, no mandate
        // to move): records and event statements are built from a reader's view, without
        // the writer; the transaction moves the payments guarded on their status. Any
        // other case, or a status changed meanwhile, is done inside one transaction.
        let name: Option<String> =
            sqlx::query_scalar("SELECT name FROM outbound_files WHERE message_id = ?")
                .bind(message_id)
                .fetch_optional(&self.readers)
                .await?;
        if let Some(name) = name {
            let json: String = sqlx::query_scalar(FILE_PAYMENTS)
                .bind(message_id)
                .fetch_one(&self.readers)
                .await?;
            let (payments, _, mandates) = upload_records(&json, name, ctx)?;
            let simple = mandates.is_empty()
                && payments.iter().all(|r| {
                    r.applied
                        && r.status_before == Some(PaymentStatus::PendingSubmission)
                        && r.status_after == PaymentStatus::Sent
                });
            if simple {
                let ids: Vec<&str> = payments.iter().map(|r| r.entity_id.as_str()).collect();
                let ids = serde_json::to_string(&ids).unwrap_or_else(|_| "[]".to_owned());
                let events: Vec<NewEvent<'_>> = payments.iter().map(super::record_event).collect();
                let mut events = super::bulk::prepare_events(&events)?;
                let mut tx = self.begin().await?;
                upload_allowed(&mut tx, message_id, from).await?;
                write_file_state(&mut tx, message_id, from, FileState::Uploaded, None, ctx).await?;
                let all = super::bulk::move_payments_if_all(
                    &mut tx,
                    &ids,
                    payments.len(),
                    (PaymentStatus::PendingSubmission, PaymentStatus::Sent),
                    ctx.at,
                    &mut events,
                )
                .await?;
                if all {
                    tx.commit().await?;
                    return Ok(payments.len());
                }
                tx.rollback().await?;
            }
        }
        let mut tx = self.begin().await?;
        let name = upload_allowed(&mut tx, message_id, from).await?;
        write_file_state(&mut tx, message_id, from, FileState::Uploaded, None, ctx).await?;
        // One JSON row for the whole file (not one row per payment from SQLite's thread).
        let json: String = sqlx::query_scalar(FILE_PAYMENTS)
            .bind(message_id)
            .fetch_one(&mut *tx)
            .await?;
        let (payments, current, mandates) = upload_records(&json, name, ctx)?;
        // Their statuses were read by the SELECT above, in this transaction.
        let current = current.iter().map(|(id, s)| (id.as_str(), *s)).collect();
        super::bulk::persist_from(
            &mut tx,
            StatusTable::Payments,
            "payment",
            &payments,
            current,
            false,
        )
        .await?;
        super::bulk::persist_many(&mut tx, StatusTable::Mandates, "mandate", &mandates, true)
            .await?;
        tx.commit().await?;
        Ok(payments.len())
    }

    pub(super) async fn sent_payments_impl(
        &self,
        connection: &str,
    ) -> Result<Vec<SentPayment>, StoreError> {
        let rows = sqlx::query(
            "SELECT p.id, p.kind, p.scheme, p.amount_minor, p.currency, p.mandate_id, p.status,
                    f.message_id, f.end_to_end_id, f.payment_information_id
             FROM outbound_file_payments f
             JOIN outbound_files o ON o.message_id = f.message_id
             JOIN payments p ON p.id = f.payment_id
             WHERE o.connection = ?
             ORDER BY p.seq",
        )
        .bind(connection)
        .fetch_all(&self.writer)
        .await?;
        rows.iter()
            .map(|row| {
                let currency: Currency =
                    parse_column("currency", &row.try_get::<String, _>("currency")?)?;
                Ok(SentPayment {
                    id: row.try_get("id")?,
                    kind: row.try_get("kind")?,
                    scheme: parse_column("scheme", &row.try_get::<String, _>("scheme")?)?,
                    amount: Amount::from_minor(row.try_get("amount_minor")?, currency).map_err(
                        |e| StoreError::Corrupt {
                            what: "amount",
                            detail: e.to_string(),
                        },
                    )?,
                    mandate_id: row.try_get("mandate_id")?,
                    status: parse_column("payment status", &row.try_get::<String, _>("status")?)?,
                    message_id: row.try_get("message_id")?,
                    end_to_end_id: row.try_get("end_to_end_id")?,
                    payment_information_id: row.try_get("payment_information_id")?,
                })
            })
            .collect()
    }

    pub(super) async fn inbound_files_impl(
        &self,
        connection: Option<&str>,
        limit: usize,
    ) -> Result<Vec<InboundFileRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT connection, name, sha256, size, message, received_at, state, reason, archive
             FROM inbound_files WHERE (?1 IS NULL OR connection = ?1)
             ORDER BY id DESC LIMIT ?2",
        )
        .bind(connection)
        .bind(i64::try_from(limit).unwrap_or(i64::MAX))
        .fetch_all(&self.readers)
        .await?;
        rows.iter()
            .map(|row| {
                let size: i64 = row.try_get("size")?;
                Ok(InboundFileRow {
                    file: InboundFile {
                        connection: row.try_get("connection")?,
                        name: row.try_get("name")?,
                        sha256: row.try_get("sha256")?,
                        size: u64::try_from(size).unwrap_or_default(),
                        message: row.try_get("message")?,
                        received_at: parse_ts(&row.try_get::<String, _>("received_at")?)?,
                    },
                    state: row.try_get("state")?,
                    reason: row.try_get("reason")?,
                    archive: row.try_get("archive")?,
                })
            })
            .collect()
    }

    pub(super) async fn inbound_seen_impl(
        &self,
        connection: &str,
        name: &str,
        size: u64,
        mtime: i64,
    ) -> Result<bool, StoreError> {
        let seen: Option<i64> = sqlx::query_scalar(
            "SELECT 1 FROM inbound_ledger
             WHERE connection = ? AND name = ? AND size = ? AND mtime = ?",
        )
        .bind(connection)
        .bind(name)
        .bind(i64::try_from(size).unwrap_or(i64::MAX))
        .bind(mtime)
        .fetch_optional(&self.readers)
        .await?;
        Ok(seen.is_some())
    }

    pub(super) async fn record_inbound_impl(
        &self,
        record: &InboundRecord,
        ctx: &EventContext,
    ) -> Result<InboundOutcome, StoreError> {
        let file = &record.file;
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT OR IGNORE INTO inbound_ledger (connection, name, size, mtime, sha256, seen_at)
             VALUES (?, ?, ?, ?, ?, ?)",
        )
        .bind(&file.connection)
        .bind(&file.name)
        .bind(i64::try_from(record.remote_size).unwrap_or(i64::MAX))
        .bind(record.remote_mtime)
        .bind(&file.sha256)
        .bind(ts(ctx.at))
        .execute(&mut *tx)
        .await?;
        if let Some(duplicate) = inbound_duplicate(&mut tx, &file.sha256).await? {
            // Only the ledger entry is new.
            tx.commit().await?;
            return Ok(duplicate);
        }
        let state = if record.quarantine.is_some() {
            "QUARANTINED"
        } else {
            "PROCESSED"
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO inbound_files (connection, name, sha256, size, message, received_at,
                 state, reason, archive)
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        )
        .bind(&file.connection)
        .bind(&file.name)
        .bind(&file.sha256)
        .bind(i64::try_from(file.size).unwrap_or(i64::MAX))
        .bind(&file.message)
        .bind(ts(file.received_at))
        .bind(state)
        .bind(record.quarantine.as_deref())
        .bind(&record.archive)
        .fetch_one(&mut *tx)
        .await?;
        append_event(
            &mut tx,
            NewEvent {
                entity: "INBOUND_FILE",
                entity_id: &file.name,
                event: "RECEIVED".to_owned(),
                actor: ctx.actor.to_string(),
                at: ctx.at,
                status_before: None,
                status_after: state.to_owned(),
                applied: true,
                reason: record.quarantine.as_deref(),
                evidence: None,
                note: Some(format!(
                    "{} from {} (sha256 {}, {} bytes, archive {})",
                    file.message, file.connection, file.sha256, file.size, record.archive
                )),
            },
        )
        .await?;
        super::bulk::persist_many(
            &mut tx,
            StatusTable::Payments,
            "payment",
            &record.payment_records,
            false,
        )
        .await?;
        super::bulk::persist_many(
            &mut tx,
            StatusTable::Mandates,
            "mandate",
            &record.mandate_records,
            true,
        )
        .await?;
        for (message_id, to) in &record.file_states {
            move_file_if_allowed(&mut tx, message_id, *to, Some(&file.name), ctx).await?;
        }
        super::insert_statement_lines(&mut tx, Some(id), &record.lines).await?;
        tx.commit().await?;
        Ok(InboundOutcome::New { id })
    }

    pub(super) async fn request_trigger_impl(
        &self,
        connection: &str,
        ctx: &EventContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO trigger_requests (connection, requested_by, requested_at) VALUES (?, ?, ?)",
        )
        .bind(connection)
        .bind(ctx.actor.to_string())
        .bind(ts(ctx.at))
        .execute(&mut *tx)
        .await?;
        append_event(
            &mut tx,
            NewEvent {
                entity: "CONNECTION",
                entity_id: connection,
                event: "TRIGGER_REQUESTED".to_owned(),
                actor: ctx.actor.to_string(),
                at: ctx.at,
                status_before: None,
                status_after: "REQUESTED".to_owned(),
                applied: true,
                reason: None,
                evidence: None,
                note: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    pub(super) async fn take_triggers_impl(
        &self,
        connection: &str,
        ctx: &EventContext,
    ) -> Result<usize, StoreError> {
        // Cheap check on a reader first: the daemon asks every tick.
        let open: i64 = sqlx::query_scalar(
            "SELECT count(*) FROM trigger_requests WHERE connection = ? AND taken_at IS NULL",
        )
        .bind(connection)
        .fetch_one(&self.readers)
        .await?;
        if open == 0 {
            return Ok(0);
        }
        let mut tx = self.begin().await?;
        let taken = sqlx::query(
            "UPDATE trigger_requests SET taken_at = ? WHERE connection = ? AND taken_at IS NULL",
        )
        .bind(ts(ctx.at))
        .bind(connection)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        tx.commit().await?;
        Ok(usize::try_from(taken).unwrap_or(usize::MAX))
    }

    pub(super) async fn record_system_event_impl(
        &self,
        event: &str,
        note: &str,
        ctx: &EventContext,
    ) -> Result<(), StoreError> {
        let mut tx = self.begin().await?;
        append_event(
            &mut tx,
            NewEvent {
                entity: "SYSTEM",
                entity_id: "bankgate",
                event: event.to_owned(),
                actor: ctx.actor.to_string(),
                at: ctx.at,
                status_before: None,
                status_after: event.to_owned(),
                applied: true,
                reason: None,
                evidence: None,
                note: Some(note.to_owned()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}

/// A file's payments as one JSON row: id, status, mandate id and mandate status each.
const FILE_PAYMENTS: &str =
    "SELECT json_group_array(json_array(p.id, p.status, p.mandate_id, m.status)
                             ORDER BY f.position)
     FROM outbound_file_payments f
     JOIN payments p ON p.id = f.payment_id
     LEFT JOIN mandates m ON m.id = p.mandate_id
     WHERE f.message_id = ?";

/// The file's name, when it exists and may move from `from` (its current state) to
/// `UPLOADED`.
async fn upload_allowed(
    tx: &mut Tx,
    message_id: &str,
    from: FileState,
) -> Result<String, StoreError> {
    let row = sqlx::query("SELECT state, name FROM outbound_files WHERE message_id = ?")
        .bind(message_id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else {
        return Err(StoreError::NotFound {
            what: "outbound file",
            id: message_id.to_owned(),
        });
    };
    let state: FileState =
        parse_column("outbound file state", &row.try_get::<String, _>("state")?)?;
    if state != from || !from.allows(FileState::Uploaded) {
        return Err(StoreError::unexpected(
            "outbound file",
            message_id,
            format!("state {from}, able to move to UPLOADED"),
            format!("state {state}"),
        ));
    }
    Ok(row.try_get("name")?)
}

/// `FILE_UPLOADED` records for a file's payments (from [`FILE_PAYMENTS`]), their statuses
/// as read, and the records of the mandates the file carries first.
#[allow(clippy::type_complexity)]
fn upload_records(
    json: &str,
    name: String,
    ctx: &EventContext,
) -> Result<
    (
        Vec<PaymentRecord>,
        std::collections::HashMap<String, PaymentStatus>,
        Vec<MandateRecord>,
    ),
    StoreError,
> {
    let rows: Vec<(String, String, Option<String>, Option<String>)> = serde_json::from_str(json)
        .map_err(|e| StoreError::Corrupt {
            what: "outbound file payments",
            detail: e.to_string(),
        })?;
    let evidence = Evidence {
        source: Some(name),
        ..Evidence::default()
    };
    let mut payments = Vec::with_capacity(rows.len());
    let mut current = std::collections::HashMap::with_capacity(rows.len());
    let mut mandates = Vec::new();
    let mut seen: std::collections::HashSet<String> = std::collections::HashSet::new();
    for (id, status, mandate, mandate_status) in rows {
        let status: PaymentStatus = parse_column("payment status", &status)?;
        current.insert(id.clone(), status);
        payments.push(Payment::restore(id, status).apply(
            PaymentEvent::FileUploaded {
                evidence: evidence.clone(),
            },
            ctx,
        )?);
        if let (Some(mandate), Some(mandate_status)) = (mandate, mandate_status)
            && seen.insert(mandate.clone())
        {
            let status: MandateStatus = parse_column("mandate status", &mandate_status)?;
            if matches!(
                status,
                MandateStatus::Created | MandateStatus::PendingSubmission
            ) {
                let mut m = Mandate::restore(mandate, status);
                if status == MandateStatus::Created {
                    mandates.push(m.apply(MandateEvent::SubmissionStarted, ctx)?);
                }
                mandates.push(m.apply(
                    MandateEvent::FileUploaded {
                        evidence: evidence.clone(),
                    },
                    ctx,
                )?);
            }
        }
    }
    Ok((payments, current, mandates))
}
