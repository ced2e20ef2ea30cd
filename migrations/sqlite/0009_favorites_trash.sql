-- Favourites (a star per user and prompt, `prompts::favorites`) and the trash
-- (`prompts::trash`): a deleted prompt keeps its row with "deletedAt" set until it is restored,
-- deleted for good, or purged 30 days later. Every read filters it (`prompts::access::LIVE`).
CREATE TABLE "Favorite" (
  userId TEXT NOT NULL REFERENCES "User"(id) ON DELETE CASCADE,
  promptId TEXT NOT NULL REFERENCES "Prompt"(id) ON DELETE CASCADE,
  createdAt DATETIME NOT NULL,
  PRIMARY KEY (userId, promptId)
);
CREATE INDEX idx_favorite_prompt ON "Favorite"(promptId);

ALTER TABLE "Prompt" ADD COLUMN deletedAt DATETIME;
-- The purge finds old trash by time; a user's trash and the own list's count read
-- (userId, deletedAt) from an index. The column sits at the end of the row (after bodies that
-- may span overflow pages), so the search's covering index gets it too.
CREATE INDEX idx_prompt_deleted ON "Prompt"(deletedAt);
CREATE INDEX idx_prompt_user_deleted ON "Prompt"(userId, deletedAt);
DROP INDEX IF EXISTS idx_prompt_access;
CREATE INDEX idx_prompt_access ON "Prompt"("id", "userId", "visibility", "teamId", "updatedAt", "deletedAt");
