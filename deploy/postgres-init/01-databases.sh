#!/bin/bash
# Runs once, when the postgres container starts on an empty data directory (docker-entrypoint-initdb.d).
# Creates the backup system's catalog database and the protected TaskAgent database, then loads the demo
# schema and synthetic data (/demo is ../../demo, mounted read-only by docker-compose.yml).
# TASKAGENT_SCALE (default 1 = 1,000 users, 200,000 tasks) sizes the generated data.
set -e

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<'SQL'
CREATE DATABASE backup_catalog;
CREATE DATABASE taskagent;
SQL

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname taskagent -f /demo/schema.sql
psql -v ON_ERROR_STOP=1 -v scale="${TASKAGENT_SCALE:-1}" --username "$POSTGRES_USER" --dbname taskagent \
     -f /demo/generate.sql
