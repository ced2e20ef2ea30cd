-- Favourites (a star per user and prompt, `prompts::favorites`) and the trash
-- (`prompts::trash`): a deleted prompt keeps its row with "deletedAt" set until it is restored,
-- deleted for good, or purged 30 days later. Every read filters it (`prompts::access::LIVE`).
-- The "deletedAt" column and its indexes are added by the Rust step of this migration (checked
-- first: MySQL DDL is not transactional and a retried run must be harmless).
CREATE TABLE IF NOT EXISTS "Favorite" (
  "userId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "promptId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  "createdAt" DATETIME(3) NOT NULL,
  PRIMARY KEY ("userId", "promptId"),
  KEY idx_favorite_prompt ("promptId"),
  CONSTRAINT "Favorite_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE,
  CONSTRAINT "Favorite_promptId_fkey" FOREIGN KEY ("promptId") REFERENCES "Prompt" ("id") ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;
