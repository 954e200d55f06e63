//! Submission: built files leave the host through the connection's transport.
//!
//! Intent before side effect: a file is `UPLOADING` before its first byte is sent. After
//! a crash, a failed attempt or a restart, a file in `UPLOADING` or `UNKNOWN_OUTCOME` is
//! first looked up on the server: present under its final name with the right size →
//! `UPLOADED` (no second upload); otherwise it is uploaded again under the same name and
//! `MsgId`. A file is never uploaded under two names.

use jiff::Timestamp;
use tracing::{error, info, warn};

use super::EngineError;
use crate::domain::event::{Actor, EventContext};
use crate::store::archive::Archive;
use crate::store::{FileState, OutboundFileRow, OutboundFilter, Store};
use crate::transport::Transport;

/// Uploads every file of `connection` waiting to go, oldest first. Stops at the first
/// failure (the caller backs off, or stops the connection when it is not retryable).
pub async fn submit<S: Store, T: Transport>(
    store: &S,
    transport: &T,
    archive: &Archive,
    connection: &str,
) -> Result<usize, EngineError> {
    let mut waiting = Vec::new();
    for state in [
        FileState::UnknownOutcome,
        FileState::Uploading,
        FileState::Built,
    ] {
        let filter = OutboundFilter {
            connection: Some(connection.to_owned()),
            state: Some(state),
            limit: None,
        };
        waiting.extend(store.outbound_files(&filter).await?);
    }
    waiting.sort_by_key(|f| f.created_at);
    let mut sent = 0;
    for file in waiting {
        submit_one(store, transport, archive, &file).await?;
        sent += 1;
    }
    Ok(sent)
}

async fn submit_one<S: Store, T: Transport>(
    store: &S,
    transport: &T,
    archive: &Archive,
    row: &OutboundFileRow,
) -> Result<(), EngineError> {
    let file = &row.file;
    let ctx = || EventContext::new(Actor::System, Timestamp::now());
    let mut state = row.state;
    if matches!(state, FileState::Uploading | FileState::UnknownOutcome) {
        // The earlier attempt may have landed: look before sending anything.
        let remote = transport.outbound_size(&file.name).await?;
        if remote == Some(file.size) {
            info!(connection = %file.connection, message_id = %file.message_id, file = %file.name,
                "File found on the server from an earlier attempt; not sending it again.");
            return record_uploaded(store, row, state).await;
        }
        if state == FileState::UnknownOutcome {
            store
                .set_outbound_file_state(
                    &file.message_id,
                    state,
                    FileState::Uploading,
                    Some("retrying upload"),
                    &ctx(),
                )
                .await?;
            state = FileState::Uploading;
        } else {
            info!(connection = %file.connection, message_id = %file.message_id, file = %file.name,
                remote_size = ?remote, "File not on the server after an interrupted upload; uploading it again under the same name.");
        }
    } else {
        store
            .set_outbound_file_state(
                &file.message_id,
                FileState::Built,
                FileState::Uploading,
                None,
                &ctx(),
            )
            .await?;
        state = FileState::Uploading;
        super::crash_point("before_upload");
    }
    let path = archive.path(&file.archive);
    match transport.upload(&file.name, &path).await {
        Ok(()) => {
            super::crash_point("after_upload");
            record_uploaded(store, row, state).await
        }
        Err(e) => {
            let reason = e.to_string();
            if let Err(store_error) = store
                .set_outbound_file_state(
                    &file.message_id,
                    state,
                    FileState::UnknownOutcome,
                    Some(&reason),
                    &ctx(),
                )
                .await
            {
                warn!(message_id = %file.message_id, error = %store_error, "Cannot record the failed upload; the file stays UPLOADING and is checked on the server before any retry.");
            }
            if e.retryable() {
                warn!(connection = %file.connection, message_id = %file.message_id, file = %file.name,
                    error = %e, "Upload failed; it will be retried with backoff.");
            } else {
                error!(connection = %file.connection, message_id = %file.message_id, file = %file.name,
                    error = %e, "Upload refused; stopping this connection until an operator intervenes.");
            }
            Err(EngineError::Transport(e))
        }
    }
}

/// `UPLOADED`, with `FILE_UPLOADED` for the file's payments and `SENT` for the mandates
/// first carried by it, in one transaction.
async fn record_uploaded<S: Store>(
    store: &S,
    row: &OutboundFileRow,
    from: FileState,
) -> Result<(), EngineError> {
    let file = &row.file;
    let ctx = EventContext::new(Actor::System, Timestamp::now());
    let payments = store.record_upload(&file.message_id, from, &ctx).await?;
    info!(connection = %file.connection, message_id = %file.message_id, file = %file.name,
        payments, bytes = file.size, "File uploaded; its payments are SENT.");
    Ok(())
}
