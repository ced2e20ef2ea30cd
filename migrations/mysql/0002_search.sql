-- Full-text search (MySQL 8 / MariaDB). PromptSearch holds a copy of each prompt's searchable
-- text (title, body, notes, tag names) with FULLTEXT indexes, kept in sync by triggers.
-- Stop words are indexed too (so "how to" style queries work); words shorter than the server's
-- innodb_ft_min_token_size (3) are matched by the application with a word-boundary pattern.
SET SESSION innodb_ft_enable_stopword = OFF;

CREATE TABLE IF NOT EXISTS "PromptSearch" (
  "promptId" VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL PRIMARY KEY,
  "title" VARCHAR(255) NOT NULL,
  "body" MEDIUMTEXT NOT NULL,
  "notes" MEDIUMTEXT NOT NULL,
  "tags" TEXT NOT NULL,
  FULLTEXT KEY ft_promptsearch_all ("title", "body", "notes", "tags"),
  FULLTEXT KEY ft_promptsearch_title ("title"),
  CONSTRAINT "PromptSearch_promptId_fkey" FOREIGN KEY ("promptId") REFERENCES "Prompt" ("id") ON DELETE CASCADE
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci;

DROP TRIGGER IF EXISTS prompt_search_ai;
CREATE TRIGGER prompt_search_ai AFTER INSERT ON "Prompt" FOR EACH ROW
  INSERT INTO "PromptSearch" ("promptId", "title", "body", "notes", "tags")
  VALUES (NEW."id", NEW."title", NEW."body", coalesce(NEW."notes", ''),
          coalesce((SELECT GROUP_CONCAT(t."name" ORDER BY t."name" SEPARATOR ' ') FROM "PromptTag" pt
                    JOIN "Tag" t ON t."id" = pt."tagId" WHERE pt."promptId" = NEW."id"), ''));

DROP TRIGGER IF EXISTS prompt_search_au;
CREATE TRIGGER prompt_search_au AFTER UPDATE ON "Prompt" FOR EACH ROW
  UPDATE "PromptSearch" SET "title" = NEW."title", "body" = NEW."body", "notes" = coalesce(NEW."notes", '')
  WHERE "promptId" = NEW."id";

DROP TRIGGER IF EXISTS prompt_search_tag_ai;
CREATE TRIGGER prompt_search_tag_ai AFTER INSERT ON "PromptTag" FOR EACH ROW
  UPDATE "PromptSearch" SET "tags" = coalesce((SELECT GROUP_CONCAT(t."name" ORDER BY t."name" SEPARATOR ' ')
      FROM "PromptTag" pt JOIN "Tag" t ON t."id" = pt."tagId" WHERE pt."promptId" = NEW."promptId"), '')
  WHERE "promptId" = NEW."promptId";

DROP TRIGGER IF EXISTS prompt_search_tag_ad;
CREATE TRIGGER prompt_search_tag_ad AFTER DELETE ON "PromptTag" FOR EACH ROW
  UPDATE "PromptSearch" SET "tags" = coalesce((SELECT GROUP_CONCAT(t."name" ORDER BY t."name" SEPARATOR ' ')
      FROM "PromptTag" pt JOIN "Tag" t ON t."id" = pt."tagId" WHERE pt."promptId" = OLD."promptId"), '')
  WHERE "promptId" = OLD."promptId";

DROP TRIGGER IF EXISTS prompt_search_tag_au;
CREATE TRIGGER prompt_search_tag_au AFTER UPDATE ON "PromptTag" FOR EACH ROW
  UPDATE "PromptSearch" ps SET ps."tags" = coalesce((SELECT GROUP_CONCAT(t."name" ORDER BY t."name" SEPARATOR ' ')
      FROM "PromptTag" pt JOIN "Tag" t ON t."id" = pt."tagId" WHERE pt."promptId" = ps."promptId"), '')
  WHERE ps."promptId" IN (OLD."promptId", NEW."promptId");

DROP TRIGGER IF EXISTS prompt_search_tagname_au;
CREATE TRIGGER prompt_search_tagname_au AFTER UPDATE ON "Tag" FOR EACH ROW
  UPDATE "PromptSearch" ps SET ps."tags" = coalesce((SELECT GROUP_CONCAT(t."name" ORDER BY t."name" SEPARATOR ' ')
      FROM "PromptTag" pt JOIN "Tag" t ON t."id" = pt."tagId" WHERE pt."promptId" = ps."promptId"), '')
  WHERE ps."promptId" IN (SELECT pt2."promptId" FROM "PromptTag" pt2 WHERE pt2."tagId" = NEW."id");

REPLACE INTO "PromptSearch" ("promptId", "title", "body", "notes", "tags")
SELECT p."id", p."title", p."body", coalesce(p."notes", ''),
       coalesce((SELECT GROUP_CONCAT(t."name" ORDER BY t."name" SEPARATOR ' ') FROM "PromptTag" pt
                 JOIN "Tag" t ON t."id" = pt."tagId" WHERE pt."promptId" = p."id"), '')
FROM "Prompt" p;
