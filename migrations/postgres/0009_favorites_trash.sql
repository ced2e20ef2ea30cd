-- Favourites (a star per user and prompt, `prompts::favorites`) and the trash
-- (`prompts::trash`): a deleted prompt keeps its row with "deletedAt" set until it is restored,
-- deleted for good, or purged 30 days later. Every read filters it (`prompts::access::LIVE`).
CREATE TABLE "Favorite" (
  "userId" TEXT NOT NULL REFERENCES "User"("id") ON DELETE CASCADE,
  "promptId" TEXT NOT NULL REFERENCES "Prompt"("id") ON DELETE CASCADE,
  "createdAt" TIMESTAMPTZ(3) NOT NULL,
  PRIMARY KEY ("userId", "promptId")
);
CREATE INDEX idx_favorite_prompt ON "Favorite"("promptId");

ALTER TABLE "Prompt" ADD COLUMN "deletedAt" TIMESTAMPTZ(3);
CREATE INDEX idx_prompt_deleted ON "Prompt"("deletedAt");
CREATE INDEX idx_prompt_user_deleted ON "Prompt"("userId", "deletedAt");
