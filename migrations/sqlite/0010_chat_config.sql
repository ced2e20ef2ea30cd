-- Chat prompts and per-version config (`prompts::chat`). A prompt and each of its versions is
-- of a kind: 'text' (every prompt before this migration) or 'chat'. A chat version keeps its
-- ordered messages as JSON text in "messages" ([{"role": "system|user|assistant", "content":
-- "…"}]) and, in "body", their plain text form (a `## role` line before each message's
-- content), so full-text search, 1.x clients and text diffs see every message without change.
-- "config" is an optional JSON object (model, temperature, …) stored as compact JSON text.
ALTER TABLE "Prompt" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'text';
ALTER TABLE "Prompt" ADD COLUMN "messages" TEXT;
ALTER TABLE "Prompt" ADD COLUMN "config" TEXT;
ALTER TABLE "PromptVersion" ADD COLUMN "kind" TEXT NOT NULL DEFAULT 'text';
ALTER TABLE "PromptVersion" ADD COLUMN "messages" TEXT;
ALTER TABLE "PromptVersion" ADD COLUMN "config" TEXT;
