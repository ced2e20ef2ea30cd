-- Chat prompts and per-version config (`prompts::chat`). A prompt and each of its versions is
-- of a kind: 'text' (every prompt before this migration) or 'chat'. A chat version keeps its
-- ordered messages as JSON text in "messages" ([{"role": "system|user|assistant", "content":
-- "…"}]) and, in "body", their plain text form (a `## role` line before each message's
-- content), so full-text search, 1.x clients and text diffs see every message without change.
-- "config" is an optional JSON object (model, temperature, …) stored as compact JSON text.
-- MySQL DDL is not transactional: IF NOT EXISTS makes a retried run harmless.
ALTER TABLE "Prompt"
  ADD COLUMN IF NOT EXISTS "kind" VARCHAR(8) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'text',
  ADD COLUMN IF NOT EXISTS "messages" MEDIUMTEXT NULL,
  ADD COLUMN IF NOT EXISTS "config" MEDIUMTEXT NULL;
ALTER TABLE "PromptVersion"
  ADD COLUMN IF NOT EXISTS "kind" VARCHAR(8) CHARACTER SET ascii COLLATE ascii_bin NOT NULL DEFAULT 'text',
  ADD COLUMN IF NOT EXISTS "messages" MEDIUMTEXT NULL,
  ADD COLUMN IF NOT EXISTS "config" MEDIUMTEXT NULL;
