#!/bin/sh
# Temporal's two databases on PostgreSQL, created when missing and brought to the release's schema version. The same
# script runs in the admin-tools container of docker-compose.yml and under `npm run cluster` (scripts/topology).
# Running it again changes nothing: update-schema first (a no-op at the current version); setup-schema only on a
# database that has no schema yet (setup-schema on a set-up database would reset its version).
# Needs: temporal-sql-tool on PATH; SQL_HOST, SQL_PORT, SQL_USER, SQL_PASSWORD; SCHEMA_DIR (…/schema/postgresql/v12).
set -eu
: "${SQL_HOST:?}" "${SQL_PORT:?}" "${SQL_USER:?}" "${SQL_PASSWORD:?}" "${SCHEMA_DIR:?}"
export SQL_PLUGIN=postgres12
for pair in temporal:temporal visibility:temporal_visibility; do
  schema=${pair%%:*}
  db=${pair#*:}
  temporal-sql-tool --db "$db" create-database >/dev/null 2>&1 || true # already there
  if ! temporal-sql-tool --db "$db" update-schema -d "$SCHEMA_DIR/$schema/versioned" >/dev/null 2>&1; then
    temporal-sql-tool --db "$db" setup-schema -v 0.0
    temporal-sql-tool --db "$db" update-schema -d "$SCHEMA_DIR/$schema/versioned"
  fi
  echo "$db: schema up to date"
done
