-- A payment's instruction text lives apart from its status row. Every status change
-- rewrites the payments row (and its claim index entry); with the JSON out of that row
-- the rewrite is a third of the size. One document per payment, same key (`seq`).
CREATE TABLE payment_documents (
    seq      INTEGER PRIMARY KEY REFERENCES payments (seq),
    raw_json TEXT NOT NULL
);
INSERT INTO payment_documents (seq, raw_json) SELECT seq, raw_json FROM payments;
ALTER TABLE payments DROP COLUMN raw_json;
