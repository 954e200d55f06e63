-- Only APPROVED payments are in the claim index: claiming a payment removes its entry,
-- and no later status change touches an index. Claimed payments that no file carries
-- (a crash between claim and file) are looked for with a scan when a connection's
-- worker starts and after a window failed, not on every window.
DROP INDEX payments_claim;
CREATE INDEX payments_claim ON payments (connection, seq) WHERE status = 'APPROVED';
