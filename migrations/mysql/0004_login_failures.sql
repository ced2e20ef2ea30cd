-- Failed sign-ins, shared by every instance on this database (`auth::limiter`): a digest of
-- the (email, address) pair or of the address, and when it failed. Not carried by dumps.
-- One statement, idempotent (MySQL DDL is not transactional).
CREATE TABLE IF NOT EXISTS "LoginFailure" (
  "id" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  "subject" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "failedAt" DATETIME(3) NOT NULL,
  KEY idx_loginfailure_subject ("subject", "failedAt"),
  KEY idx_loginfailure_failedat ("failedAt")
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
