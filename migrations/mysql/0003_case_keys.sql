-- One case-folding rule for emails, tag names and team names (see `text::fold` and
-- `db::schema`): Unicode lower-casing, no accent folding. The folded form is stored (emails in
-- place, names in "nameKey") and unique keys compare it byte for byte.
--
-- utf8mb4_unicode_ci also folds accents ("Café" = "cafe"), so the unique keys of 0001 on these
-- columns refused names the rule tells apart: the columns become byte-for-byte (utf8mb4_bin,
-- "User".team too: it holds team names and is matched against them),
-- their unique keys stay (weaker than the folded keys, never deciding alone). Idempotent.
-- The Rust step of this migration (`db::casefold`) runs after this file: it adds the "nameKey"
-- columns, folds the stored emails, merges tags and renames teams that collide under the rule,
-- fills the keys and creates the unique indexes (checking the catalogue first, so a failed run
-- can be retried: MySQL DDL is not transactional).
ALTER TABLE "User" MODIFY "email" VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE "User" MODIFY "team" VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL;
ALTER TABLE "Team" MODIFY "name" VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
ALTER TABLE "Tag" MODIFY "name" VARCHAR(100) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL;
