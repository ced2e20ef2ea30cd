-- Full-text search (PostgreSQL).
-- 1. The guide's index: its query
--    SELECT * FROM "Prompt" WHERE to_tsvector('english', title || ' ' || body) @@ plainto_tsquery('english', '…')
--    uses it.
CREATE INDEX idx_prompt_fts ON "Prompt" USING gin (to_tsvector('english', title || ' ' || body));

-- 2. PromptSearch: one weighted document per prompt (title A, tags B, notes C, body D), kept in
--    sync by triggers in the same transaction, searched through a GIN index.
CREATE TABLE "PromptSearch" (
  "promptId" TEXT PRIMARY KEY REFERENCES "Prompt"("id") ON DELETE CASCADE,
  "tags" TEXT NOT NULL DEFAULT '',
  "document" tsvector NOT NULL
);
CREATE INDEX idx_promptsearch_document ON "PromptSearch" USING gin ("document");

CREATE FUNCTION prompt_search_refresh(pid TEXT) RETURNS void LANGUAGE sql AS $$
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
  WHERE p."id" = pid
  ON CONFLICT ("promptId") DO UPDATE SET "tags" = EXCLUDED."tags", "document" = EXCLUDED."document";
$$;

CREATE FUNCTION prompt_search_prompt_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM prompt_search_refresh(NEW."id");
  RETURN NULL;
END $$;

CREATE FUNCTION prompt_search_tag_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('INSERT', 'UPDATE') THEN PERFORM prompt_search_refresh(NEW."promptId"); END IF;
  IF TG_OP IN ('DELETE', 'UPDATE') THEN PERFORM prompt_search_refresh(OLD."promptId"); END IF;
  RETURN NULL;
END $$;

CREATE FUNCTION prompt_search_tagname_trg() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM prompt_search_refresh(pt."promptId") FROM "PromptTag" pt WHERE pt."tagId" = NEW."id";
  RETURN NULL;
END $$;

CREATE TRIGGER prompt_search_aiu AFTER INSERT OR UPDATE OF "title", "body", "notes" ON "Prompt"
  FOR EACH ROW EXECUTE FUNCTION prompt_search_prompt_trg();
CREATE TRIGGER prompt_search_tag AFTER INSERT OR UPDATE OR DELETE ON "PromptTag"
  FOR EACH ROW EXECUTE FUNCTION prompt_search_tag_trg();
CREATE TRIGGER prompt_search_tagname AFTER UPDATE OF "name" ON "Tag"
  FOR EACH ROW EXECUTE FUNCTION prompt_search_tagname_trg();

SELECT prompt_search_refresh("id") FROM "Prompt";
