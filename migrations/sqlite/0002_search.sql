-- Full-text search (SQLite FTS5). PromptSearch holds one document per prompt: title, body,
-- notes and tag names, kept in sync by triggers in the same transaction as every write.
-- The guide's query works: SELECT p.* FROM Prompt p JOIN PromptSearch ps ON p.id = ps.promptId
-- WHERE PromptSearch MATCH 'term'.
-- FTS5 rows are addressed by integer rowid; PromptSearchKey maps each prompt id to a stable one
-- (an INTEGER PRIMARY KEY survives VACUUM, unlike Prompt's implicit rowid).

-- Search joins FTS rows to prompts through this narrow covering index, so counting and
-- permission checks over many matches never read the wide Prompt rows.
CREATE INDEX idx_prompt_access ON "Prompt"("id", "userId", "visibility", "teamId", "updatedAt");

CREATE TABLE PromptSearchKey (
  rowid INTEGER PRIMARY KEY,
  promptId TEXT NOT NULL UNIQUE
);

CREATE VIRTUAL TABLE PromptSearch USING fts5(
  promptId UNINDEXED,
  title,
  body,
  notes,
  tags,
  tokenize = 'porter unicode61 remove_diacritics 2',
  prefix = '2 3'
);

CREATE TRIGGER prompt_search_ai AFTER INSERT ON Prompt BEGIN
  INSERT INTO PromptSearchKey (promptId) VALUES (new.id);
  INSERT INTO PromptSearch (rowid, promptId, title, body, notes, tags)
  VALUES (
    (SELECT rowid FROM PromptSearchKey WHERE promptId = new.id),
    new.id, new.title, new.body, coalesce(new.notes, ''),
    coalesce((SELECT group_concat(t.name, ' ') FROM PromptTag pt JOIN Tag t ON t.id = pt.tagId
              WHERE pt.promptId = new.id), '')
  );
END;

CREATE TRIGGER prompt_search_au AFTER UPDATE OF title, body, notes ON Prompt BEGIN
  UPDATE PromptSearch SET title = new.title, body = new.body, notes = coalesce(new.notes, '')
  WHERE rowid = (SELECT rowid FROM PromptSearchKey WHERE promptId = new.id);
END;

CREATE TRIGGER prompt_search_ad AFTER DELETE ON Prompt BEGIN
  DELETE FROM PromptSearch WHERE rowid = (SELECT rowid FROM PromptSearchKey WHERE promptId = old.id);
  DELETE FROM PromptSearchKey WHERE promptId = old.id;
END;

CREATE TRIGGER prompt_search_tag_ai AFTER INSERT ON PromptTag BEGIN
  UPDATE PromptSearch SET tags = coalesce((SELECT group_concat(t.name, ' ') FROM PromptTag pt
      JOIN Tag t ON t.id = pt.tagId WHERE pt.promptId = new.promptId), '')
  WHERE rowid = (SELECT rowid FROM PromptSearchKey WHERE promptId = new.promptId);
END;

CREATE TRIGGER prompt_search_tag_ad AFTER DELETE ON PromptTag BEGIN
  UPDATE PromptSearch SET tags = coalesce((SELECT group_concat(t.name, ' ') FROM PromptTag pt
      JOIN Tag t ON t.id = pt.tagId WHERE pt.promptId = old.promptId), '')
  WHERE rowid = (SELECT rowid FROM PromptSearchKey WHERE promptId = old.promptId);
END;

CREATE TRIGGER prompt_search_tag_au AFTER UPDATE ON PromptTag BEGIN
  UPDATE PromptSearch SET tags = coalesce((SELECT group_concat(t.name, ' ') FROM PromptTag pt
      JOIN Tag t ON t.id = pt.tagId WHERE pt.promptId = PromptSearch.promptId), '')
  WHERE rowid IN (SELECT rowid FROM PromptSearchKey WHERE promptId IN (old.promptId, new.promptId));
END;

CREATE TRIGGER prompt_search_tagname_au AFTER UPDATE OF name ON Tag BEGIN
  UPDATE PromptSearch SET tags = coalesce((SELECT group_concat(t.name, ' ') FROM PromptTag pt
      JOIN Tag t ON t.id = pt.tagId WHERE pt.promptId = PromptSearch.promptId), '')
  WHERE rowid IN (SELECT k.rowid FROM PromptSearchKey k JOIN PromptTag pt ON pt.promptId = k.promptId
                  WHERE pt.tagId = new.id);
END;

-- Prompts that existed before this migration.
INSERT INTO PromptSearchKey (promptId) SELECT id FROM Prompt;
INSERT INTO PromptSearch (rowid, promptId, title, body, notes, tags)
SELECT k.rowid, p.id, p.title, p.body, coalesce(p.notes, ''),
       coalesce((SELECT group_concat(t.name, ' ') FROM PromptTag pt JOIN Tag t ON t.id = pt.tagId
                 WHERE pt.promptId = p.id), '')
FROM Prompt p JOIN PromptSearchKey k ON k.promptId = p.id;
