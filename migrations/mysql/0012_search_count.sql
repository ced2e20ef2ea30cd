-- The search-index check at start compares the number of search documents with the number of
-- prompts (`search::index::ensure_fresh_at_start`). InnoDB counts rows through the smallest
-- index; the search table had only its clustered key, which holds the text: 0.7 s at 100,000
-- prompts, most of the start-up time. A secondary index of the key alone makes it milliseconds.
CREATE INDEX idx_promptsearch_count ON "PromptSearch"("promptId");
