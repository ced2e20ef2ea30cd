-- PostgreSQL only: its search documents are now written once per statement (see
-- migrations/postgres/0011_search_in_bulk.sql). Nothing changes on this backend.
SELECT 1;
