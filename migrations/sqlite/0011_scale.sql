-- Lists sorted by title read their page in order from an index instead of sorting every
-- matching prompt (`listing::order_by`: LOWER(title), then id).
CREATE INDEX idx_prompt_user_title ON "Prompt"("userId", LOWER("title"), "id");
CREATE INDEX idx_prompt_title ON "Prompt"(LOWER("title"), "id");
