-- The engine: per-payment identifiers as sent, one file per payment, inbound ledger,
-- quarantine, archive links, trigger requests.

-- The EndToEndId and PmtInfId each payment was sent with (the bank echoes them back).
ALTER TABLE outbound_file_payments ADD COLUMN end_to_end_id TEXT NOT NULL DEFAULT '';
ALTER TABLE outbound_file_payments ADD COLUMN payment_information_id TEXT NOT NULL DEFAULT '';
-- A payment is carried by exactly one outbound file.
CREATE UNIQUE INDEX outbound_file_payments_once ON outbound_file_payments (payment_id);
CREATE INDEX outbound_files_state ON outbound_files (connection, state, created_at);

-- What happened to a received bank file: PROCESSED or QUARANTINED (with the reason).
ALTER TABLE inbound_files ADD COLUMN state TEXT NOT NULL DEFAULT 'PROCESSED';
ALTER TABLE inbound_files ADD COLUMN reason TEXT;
ALTER TABLE inbound_files ADD COLUMN archive TEXT NOT NULL DEFAULT '';

-- Every remote file seen, by name, size and modification time: a file left on the
-- server is downloaded and processed once.
CREATE TABLE inbound_ledger (
    connection  TEXT NOT NULL,
    name        TEXT NOT NULL,
    size        INTEGER NOT NULL CHECK (size >= 0),
    mtime       INTEGER NOT NULL,
    sha256      TEXT NOT NULL,
    seen_at     TEXT NOT NULL,
    PRIMARY KEY (connection, name, size, mtime)
);

-- `bankgate trigger CONNECTION`: a request the daemon takes on its next tick.
CREATE TABLE trigger_requests (
    seq          INTEGER PRIMARY KEY AUTOINCREMENT,
    connection   TEXT NOT NULL,
    requested_by TEXT NOT NULL,
    requested_at TEXT NOT NULL,
    taken_at     TEXT
);
CREATE INDEX trigger_requests_open ON trigger_requests (connection, taken_at);
