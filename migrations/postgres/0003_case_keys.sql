-- One case-folding rule for emails, tag names and team names (see `text::fold` and
-- `db::schema`): Unicode lower-casing, no accent folding. The folded form is stored (emails in
-- place, names in "nameKey") and unique keys compare it byte for byte.
--
-- LOWER() follows the database's locale (ASCII only under "C", Unicode otherwise): these
-- indexes applied a second, server-dependent rule and go. The plain UNIQUE keys of 0001 stay
-- (byte for byte, so weaker than the folded keys and never deciding alone).
-- The Rust step of this migration (`db::casefold`) runs after this file: it adds the "nameKey"
-- columns, folds the stored emails, merges tags and renames teams that collide under the rule,
-- fills the keys and creates the unique indexes.
DROP INDEX IF EXISTS idx_user_email_lower;
DROP INDEX IF EXISTS idx_team_name_lower;
DROP INDEX IF EXISTS idx_tag_name_lower;
