-- Failed sign-ins, shared by every instance on this database (`auth::limiter`): a digest of
-- the (email, address) pair or of the address, and when it failed. Not carried by dumps.
CREATE TABLE "LoginFailure" (
  id TEXT PRIMARY KEY NOT NULL,
  subject TEXT NOT NULL,
  failedAt DATETIME NOT NULL
);
CREATE INDEX idx_loginfailure_subject ON "LoginFailure"(subject, failedAt);
CREATE INDEX idx_loginfailure_failedat ON "LoginFailure"(failedAt);
