-- PostgreSQL and SQLite index LOWER(title) for lists sorted by title, and PostgreSQL writes
-- search documents once per statement (see migrations/postgres/0011_scale.sql). MariaDB has no
-- index on an expression: nothing changes on this backend.
SELECT 1;
