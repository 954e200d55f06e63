-- bankgate store, SQLite. Money: INTEGER minor units + ISO 4217 code. Time: RFC 3339 UTC
-- text with six fractional digits. Statuses and events: the domain's text names.

CREATE TABLE intake_files (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL UNIQUE,
    size        INTEGER NOT NULL CHECK (size >= 0),
    received_at TEXT NOT NULL,
    recorded_at TEXT NOT NULL
);

CREATE TABLE payments (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    id                 TEXT NOT NULL UNIQUE,
    kind               TEXT NOT NULL CHECK (kind IN ('credit_transfer', 'direct_debit')),
    connection         TEXT NOT NULL,
    scheme             TEXT NOT NULL,
    source_account     TEXT NOT NULL,
    amount_minor       INTEGER NOT NULL CHECK (amount_minor > 0),
    currency           TEXT NOT NULL,
    requested_date     TEXT,
    mandate_id         TEXT,
    status             TEXT NOT NULL,
    approvals_required INTEGER NOT NULL CHECK (approvals_required IN (0, 1, 2)),
    raw_json           TEXT NOT NULL,
    content_sha256     TEXT NOT NULL,
    intake_file_id     INTEGER NOT NULL REFERENCES intake_files (id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
);
CREATE INDEX payments_claim ON payments (connection, status, seq);

CREATE TABLE approvals (
    payment_id TEXT NOT NULL REFERENCES payments (id),
    approver   TEXT NOT NULL,
    at         TEXT NOT NULL,
    PRIMARY KEY (payment_id, approver)
);

CREATE TABLE mandates (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    id               TEXT NOT NULL UNIQUE,
    connection       TEXT NOT NULL,
    scheme           TEXT NOT NULL,
    creditor_account TEXT NOT NULL,
    status           TEXT NOT NULL,
    raw_json         TEXT NOT NULL,
    content_sha256   TEXT NOT NULL,
    intake_file_id   INTEGER NOT NULL REFERENCES intake_files (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);

-- One cancellation per mandate reference (its own key space); the mandate may be unknown.
CREATE TABLE mandate_cancellations (
    mandate_id     TEXT PRIMARY KEY,
    raw_json       TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    intake_file_id INTEGER NOT NULL REFERENCES intake_files (id),
    recorded_at    TEXT NOT NULL
);

CREATE TABLE outbound_files (
    message_id TEXT PRIMARY KEY,
    connection TEXT NOT NULL,
    name       TEXT NOT NULL,
    sha256     TEXT NOT NULL,
    size       INTEGER NOT NULL CHECK (size >= 0),
    archive    TEXT NOT NULL,
    state      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE outbound_file_payments (
    message_id TEXT NOT NULL REFERENCES outbound_files (message_id),
    position   INTEGER NOT NULL,
    payment_id TEXT NOT NULL REFERENCES payments (id),
    PRIMARY KEY (message_id, position)
);

CREATE TABLE inbound_files (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    connection  TEXT NOT NULL,
    name        TEXT NOT NULL,
    sha256      TEXT NOT NULL UNIQUE,
    size        INTEGER NOT NULL CHECK (size >= 0),
    message     TEXT NOT NULL,
    received_at TEXT NOT NULL
);

CREATE TABLE statement_lines (
    seq                INTEGER PRIMARY KEY AUTOINCREMENT,
    inbound_file_id    INTEGER NOT NULL REFERENCES inbound_files (id),
    account            TEXT NOT NULL,
    entry_reference    TEXT NOT NULL,
    amount_minor       INTEGER NOT NULL CHECK (amount_minor > 0),
    currency           TEXT NOT NULL,
    credit             INTEGER NOT NULL CHECK (credit IN (0, 1)),
    booking_date       TEXT,
    detail             TEXT,
    matched_payment_id TEXT
);

-- The history. Append-only: the triggers below refuse UPDATE and DELETE.
CREATE TABLE events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    entity        TEXT NOT NULL,
    entity_id     TEXT NOT NULL,
    event         TEXT NOT NULL,
    actor         TEXT NOT NULL,
    at            TEXT NOT NULL,
    status_before TEXT,
    status_after  TEXT NOT NULL,
    applied       INTEGER NOT NULL CHECK (applied IN (0, 1)),
    reason        TEXT,
    evidence      TEXT,
    note          TEXT
);
CREATE INDEX events_entity ON events (entity_id, seq);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
