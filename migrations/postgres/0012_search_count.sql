-- MariaDB/MySQL only (see migrations/mysql/0012_search_count.sql): this backend counts its
-- search documents quickly already.
SELECT 1;
