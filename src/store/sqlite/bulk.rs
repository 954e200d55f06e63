//! Many rows per statement: events, status updates and status lookups in bulk. Each
//! statement is a round trip to SQLite's worker thread, so a window of 10,000 payments
//! is a few dozen statements, not tens of thousands.

use std::collections::HashMap;

use sqlx::QueryBuilder;

use super::*;

/// Rows per multi-row INSERT (11 binds each, well below SQLite's 32,766 variables).
const CHUNK: usize = 500;

/// Entity ids per run statement (one JSON array bound as one value).
const RUN_CHUNK: usize = 10_000;

/// A run shorter than this is written with the other rows, as multi-row VALUES.
const MIN_RUN: usize = 16;

impl NewEvent<'_> {
    /// True when the two events differ at most in their entity id: a batch of payments
    /// moving together (created, approved, claimed, sent) is one run.
    fn same_shape(&self, other: &NewEvent<'_>) -> bool {
        self.entity == other.entity
            && self.event == other.event
            && self.actor == other.actor
            && self.at == other.at
            && self.status_before == other.status_before
            && self.status_after == other.status_after
            && self.applied == other.applied
            && self.reason == other.reason
            && self.evidence == other.evidence
            && self.note == other.note
    }
}

/// Appends events in order (see [`prepare_events`]).
pub(super) async fn append_events(tx: &mut Tx, events: &[NewEvent<'_>]) -> Result<(), StoreError> {
    execute(tx, &mut prepare_events(events)?).await
}

/// Executes statements built beforehand (outside the transaction), in order.
pub(super) async fn execute(
    tx: &mut Tx,
    statements: &mut [QueryBuilder<Sqlite>],
) -> Result<(), StoreError> {
    for statement in statements {
        statement.build().execute(&mut **tx).await?;
    }
    Ok(())
}

/// The statements that append `events` in order. Runs of events that differ only in
/// their entity id are one statement per run (the ids bound as one JSON array, the shared
/// fields once); the rest go in multi-row INSERTs. Built without a connection, so callers
/// can build them before they take the writer.
pub(super) fn prepare_events(
    events: &[NewEvent<'_>],
) -> Result<Vec<QueryBuilder<Sqlite>>, StoreError> {
    let mut statements = Vec::new();
    let mut rows_from = 0;
    let mut start = 0;
    while start < events.len() {
        let mut end = start + 1;
        while end < events.len() && events[end].same_shape(&events[start]) {
            end += 1;
        }
        if end - start >= MIN_RUN {
            rows_statements(&events[rows_from..start], &mut statements)?;
            run_statements(&events[start..end], &mut statements)?;
            rows_from = end;
        }
        start = end;
    }
    rows_statements(&events[rows_from..], &mut statements)?;
    Ok(statements)
}

/// One shape, many entity ids: `INSERT ... SELECT ... FROM json_each(ids)`, in id order.
fn run_statements(
    run: &[NewEvent<'_>],
    statements: &mut Vec<QueryBuilder<Sqlite>>,
) -> Result<(), StoreError> {
    let first = &run[0];
    let evidence = evidence_json(first)?;
    for chunk in run.chunks(RUN_CHUNK) {
        let ids: Vec<&str> = chunk.iter().map(|e| e.entity_id).collect();
        let ids = serde_json::to_string(&ids).map_err(|err| StoreError::Corrupt {
            what: "event ids",
            detail: err.to_string(),
        })?;
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO events (entity, entity_id, event, actor, at, status_before, status_after,
                                 applied, reason, evidence, note) SELECT ",
        );
        let mut fields = q.separated(", ");
        fields
            .push_bind(first.entity.to_owned())
            .push("value")
            .push_bind(first.event.clone())
            .push_bind(first.actor.clone())
            .push_bind(ts(first.at))
            .push_bind(first.status_before.clone())
            .push_bind(first.status_after.clone())
            .push_bind(first.applied)
            .push_bind(first.reason.map(str::to_owned))
            .push_bind(evidence.clone())
            .push_bind(first.note.clone());
        q.push(" FROM json_each(")
            .push_bind(ids)
            .push(") ORDER BY key");
        statements.push(q);
    }
    Ok(())
}

fn evidence_json(e: &NewEvent<'_>) -> Result<Option<String>, StoreError> {
    e.evidence
        .map(|ev| {
            serde_json::to_string(ev).map_err(|err| StoreError::Corrupt {
                what: "evidence",
                detail: err.to_string(),
            })
        })
        .transpose()
}

/// Events of any shape in multi-row INSERTs, in order.
fn rows_statements(
    events: &[NewEvent<'_>],
    statements: &mut Vec<QueryBuilder<Sqlite>>,
) -> Result<(), StoreError> {
    for chunk in events.chunks(CHUNK) {
        let mut q: QueryBuilder<Sqlite> = QueryBuilder::new(
            "INSERT INTO events (entity, entity_id, event, actor, at, status_before, status_after,
                                 applied, reason, evidence, note) ",
        );
        let mut rows = Vec::with_capacity(chunk.len());
        for e in chunk {
            rows.push((e, evidence_json(e)?));
        }
        q.push_values(rows, |mut b, (e, evidence)| {
            b.push_bind(e.entity.to_owned())
                .push_bind(e.entity_id.to_owned())
                .push_bind(e.event.clone())
                .push_bind(e.actor.clone())
                .push_bind(ts(e.at))
                .push_bind(e.status_before.clone())
                .push_bind(e.status_after.clone())
                .push_bind(e.applied)
                .push_bind(e.reason.map(str::to_owned))
                .push_bind(evidence)
                .push_bind(e.note.clone());
        });
        statements.push(q);
    }
    Ok(())
}

/// Current statuses of `ids` in `table` (ids not there are absent from the map).
pub(super) async fn statuses(
    tx: &mut Tx,
    table: StatusTable,
    ids: &[&str],
) -> Result<HashMap<String, String>, StoreError> {
    let mut out = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(10_000) {
        let json = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".to_owned());
        let sql = match table {
            StatusTable::Payments => {
                "SELECT id, status FROM payments WHERE id IN (SELECT value FROM json_each(?))"
            }
            StatusTable::Mandates => {
                "SELECT id, status FROM mandates WHERE id IN (SELECT value FROM json_each(?))"
            }
        };
        let rows = sqlx::query(sql).bind(json).fetch_all(&mut **tx).await?;
        for row in rows {
            out.insert(row.try_get("id")?, row.try_get("status")?);
        }
    }
    Ok(out)
}

/// Sets `status` (and `updated_at`) on every id, in a few statements.
pub(super) async fn set_status(
    tx: &mut Tx,
    table: StatusTable,
    status: &str,
    at: Timestamp,
    ids: &[&str],
) -> Result<(), StoreError> {
    let sql = match table {
        StatusTable::Payments => {
            "UPDATE payments SET status = ?, updated_at = ? WHERE id IN (SELECT value FROM json_each(?))"
        }
        StatusTable::Mandates => {
            "UPDATE mandates SET status = ?, updated_at = ? WHERE id IN (SELECT value FROM json_each(?))"
        }
    };
    for chunk in ids.chunks(10_000) {
        let json = serde_json::to_string(chunk).unwrap_or_else(|_| "[]".to_owned());
        sqlx::query(sql)
            .bind(status)
            .bind(ts(at))
            .bind(json)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// Persists state-machine records in bulk: every record must start from the stored
/// status (as it evolves through the earlier records of the same call), unknown ids are
/// [`StoreError::NotFound`] (or skipped when `skip_unknown`), events are appended in
/// order, and each entity's final status is written once.
pub(super) async fn persist_many<S, K: fmt::Display>(
    tx: &mut Tx,
    table: StatusTable,
    what: &'static str,
    records: &[EventRecord<S, K>],
    skip_unknown: bool,
) -> Result<(), StoreError>
where
    S: fmt::Display + Copy + PartialEq + std::str::FromStr,
    S::Err: fmt::Display,
{
    if records.is_empty() {
        return Ok(());
    }
    let mut ids: Vec<&str> = records.iter().map(|r| r.entity_id.as_str()).collect();
    ids.sort_unstable();
    ids.dedup();
    let stored = statuses(tx, table, &ids).await?;
    let mut current: HashMap<&str, S> = HashMap::with_capacity(stored.len());
    for (id, status) in &stored {
        current.insert(id.as_str(), parse_column(what, status)?);
    }
    persist_from(tx, table, what, records, current, skip_unknown).await
}

/// [`persist_many`] for a caller that read the stored statuses (`current`) in the same
/// transaction already, so they are not looked up again.
pub(super) async fn persist_from<'r, S, K: fmt::Display>(
    tx: &mut Tx,
    table: StatusTable,
    what: &'static str,
    records: &'r [EventRecord<S, K>],
    mut current: HashMap<&'r str, S>,
    skip_unknown: bool,
) -> Result<(), StoreError>
where
    S: fmt::Display + Copy + PartialEq,
{
    let mut events = Vec::with_capacity(records.len());
    let mut finals: HashMap<&str, (S, Timestamp)> = HashMap::new();
    for r in records {
        let Some(status) = current.get(r.entity_id.as_str()).copied() else {
            if skip_unknown {
                continue;
            }
            return Err(StoreError::NotFound {
                what,
                id: r.entity_id.clone(),
            });
        };
        check_not_stale(what, r, status)?;
        if r.applied {
            current.insert(r.entity_id.as_str(), r.status_after);
            finals.insert(r.entity_id.as_str(), (r.status_after, r.at));
        }
        events.push(record_event(r));
    }
    append_events(tx, &events).await?;
    let mut groups: HashMap<(String, Timestamp), Vec<&str>> = HashMap::new();
    for (id, (status, at)) in finals {
        groups.entry((status.to_string(), at)).or_default().push(id);
    }
    for ((status, at), ids) in groups {
        set_status(tx, table, &status, at, &ids).await?;
    }
    Ok(())
}

/// Moves the `count` payments of `ids` (a JSON array) from `from` to `to` and appends
/// their prepared `events`, when every one of them is still in `from`. Otherwise returns
/// `false` without appending the events; the UPDATE may have moved some of them, so the
/// caller rolls the transaction back (and then does it the long way).
/// The optimistic half of claims and uploads: the records and statements were built
/// before the transaction, from a reader's view.
pub(super) async fn move_payments_if_all(
    tx: &mut Tx,
    ids: &str,
    count: usize,
    (from, to): (PaymentStatus, PaymentStatus),
    at: Timestamp,
    events: &mut [QueryBuilder<Sqlite>],
) -> Result<bool, StoreError> {
    let moved = sqlx::query(
        "UPDATE payments SET status = ?, updated_at = ?
         WHERE id IN (SELECT value FROM json_each(?)) AND status = ?",
    )
    .bind(to.as_str())
    .bind(ts(at))
    .bind(ids)
    .bind(from.as_str())
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if usize::try_from(moved).ok() != Some(count) {
        return Ok(false);
    }
    execute(tx, events).await?;
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn status(store: &SqliteStore, id: &str) -> String {
        sqlx::query_scalar("SELECT status FROM payments WHERE id = ?")
            .bind(id)
            .fetch_one(&store.writer)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn a_guarded_move_happens_only_when_every_payment_is_where_it_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("bankgate.db"))
            .await
            .unwrap();
        let at = Timestamp::from_second(1_800_000_000).unwrap();
        let mut tx = store.begin().await.unwrap();
        sqlx::query(
            "INSERT INTO intake_files (id, name, sha256, size, received_at, recorded_at)
             VALUES (1, 'f.json', 'x', 0, 't', 't')",
        )
        .execute(&mut *tx)
        .await
        .unwrap();
        for (id, status) in [("p1", "APPROVED"), ("p2", "CREATED")] {
            sqlx::query(
                "INSERT INTO payments (id, kind, connection, scheme, source_account,
                     amount_minor, currency, status, approvals_required, content_sha256,
                     intake_file_id, created_at, updated_at)
                 VALUES (?, 'credit_transfer', 'bank', 'SEPA_CREDIT_TRANSFER', 'acc', 100,
                     'EUR', ?, 0, 'h', 1, 't', 't')",
            )
            .bind(id)
            .bind(status)
            .execute(&mut *tx)
            .await
            .unwrap();
        }
        tx.commit().await.unwrap();
        let claim = (PaymentStatus::Approved, PaymentStatus::PendingSubmission);

        // p2 is not APPROVED (as if it had changed since it was read): no move.
        let mut tx = store.begin().await.unwrap();
        let moved = move_payments_if_all(&mut tx, r#"["p1","p2"]"#, 2, claim, at, &mut [])
            .await
            .unwrap();
        assert!(!moved);
        tx.rollback().await.unwrap();
        assert_eq!(status(&store, "p1").await, "APPROVED");
        assert_eq!(status(&store, "p2").await, "CREATED");

        let mut tx = store.begin().await.unwrap();
        let moved = move_payments_if_all(&mut tx, r#"["p1"]"#, 1, claim, at, &mut [])
            .await
            .unwrap();
        assert!(moved);
        tx.commit().await.unwrap();
        assert_eq!(status(&store, "p1").await, "PENDING_SUBMISSION");
        assert_eq!(status(&store, "p2").await, "CREATED");
    }
}
