-- the backup's tables in file (foreign-key) order: row_counts is jsonb, which does not keep its keys' order
ALTER TABLE backups ADD COLUMN table_order jsonb;
