-- Lists sorted by title read their page in order from an index instead of sorting every
-- matching prompt (`listing::order_by`: LOWER(title), then id).
CREATE INDEX idx_prompt_user_title ON "Prompt"("userId", LOWER("title"), "id");
CREATE INDEX idx_prompt_title ON "Prompt"(LOWER("title"), "id");

-- Search documents are written per statement, not per row: an import that inserts a few hundred
-- prompts in one statement, then their tag links in another, computed each prompt's weighted
-- document once for the prompt and once more for every one of its tags. Now the triggers on
-- INSERT and DELETE see the whole statement's rows (transition tables) and refresh each prompt
-- once per statement; and a transaction that sets `promptvault.search_later` to 'on' (an
-- import) refreshes its prompts itself, once, before it commits (`search::index::catch_up`).
CREATE FUNCTION prompt_search_refresh_many(ids TEXT[]) RETURNS void LANGUAGE sql AS $$
  INSERT INTO "PromptSearch" ("promptId", "tags", "document")
  SELECT p."id", coalesce(tg.names, ''),
         setweight(to_tsvector('english', p."title"), 'A')
      || setweight(to_tsvector('english', coalesce(tg.names, '')), 'B')
      || setweight(to_tsvector('english', coalesce(p."notes", '')), 'C')
      || setweight(to_tsvector('english', p."body"), 'D')
  FROM "Prompt" p
  LEFT JOIN LATERAL (
    SELECT string_agg(t."name", ' ' ORDER BY t."name") AS names
    FROM "PromptTag" pt JOIN "Tag" t ON t."id" = pt."tagId" WHERE pt."promptId" = p."id"
  ) tg ON TRUE
  WHERE p."id" = ANY (ids)
  ON CONFLICT ("promptId") DO UPDATE SET "tags" = EXCLUDED."tags", "document" = EXCLUDED."document";
$$;

CREATE FUNCTION prompt_search_later() RETURNS boolean LANGUAGE sql STABLE AS $$
  SELECT coalesce(current_setting('promptvault.search_later', true), '') = 'on';
$$;

CREATE FUNCTION prompt_search_prompts_added_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT prompt_search_later() THEN
    PERFORM prompt_search_refresh_many(ARRAY(SELECT "id" FROM added));
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION prompt_search_tags_added_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NOT prompt_search_later() THEN
    PERFORM prompt_search_refresh_many(ARRAY(SELECT DISTINCT "promptId" FROM added));
  END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION prompt_search_tags_removed_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM prompt_search_refresh_many(ARRAY(SELECT DISTINCT "promptId" FROM removed));
  RETURN NULL;
END $$;

DROP TRIGGER prompt_search_aiu ON "Prompt";
DROP TRIGGER prompt_search_tag ON "PromptTag";

CREATE TRIGGER prompt_search_ai AFTER INSERT ON "Prompt"
  REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION prompt_search_prompts_added_trg();
CREATE TRIGGER prompt_search_au AFTER UPDATE OF "title", "body", "notes" ON "Prompt"
  FOR EACH ROW EXECUTE FUNCTION prompt_search_prompt_trg();
CREATE TRIGGER prompt_search_tag_ai AFTER INSERT ON "PromptTag"
  REFERENCING NEW TABLE AS added
  FOR EACH STATEMENT EXECUTE FUNCTION prompt_search_tags_added_trg();
CREATE TRIGGER prompt_search_tag_ad AFTER DELETE ON "PromptTag"
  REFERENCING OLD TABLE AS removed
  FOR EACH STATEMENT EXECUTE FUNCTION prompt_search_tags_removed_trg();
CREATE TRIGGER prompt_search_tag_au AFTER UPDATE ON "PromptTag"
  FOR EACH ROW EXECUTE FUNCTION prompt_search_tag_trg();
