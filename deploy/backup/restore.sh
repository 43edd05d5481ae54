#!/usr/bin/env bash
# Restores a backup made by backup.sh into an EMPTY database, then applies the migrations of the
# code being deployed (a backup from an older release upgrades on the way in).
# Usage: DATABASE_URL=postgres://…/cluster_portal_restored deploy/backup/restore.sh DUMP [MEDIA_TAR]
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must name the (empty) database to restore into}"
dump=${1:?usage: restore.sh DUMP [MEDIA_TAR]}
[ -f "$dump" ] || { echo "no such backup: $dump" >&2; exit 2; }
tables=$(psql "$DATABASE_URL" -tAc "select count(*) from pg_tables where schemaname = 'public'")
if [ "$tables" != "0" ]; then
  echo "refusing to restore into a database that already has $tables tables" >&2
  exit 3
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$DATABASE_URL" "$dump"
psql "$DATABASE_URL" -qc "ANALYZE"
if [ -n "${2:-}" ]; then
  : "${MEDIA_ROOT:?MEDIA_ROOT must be set to restore documents}"
  mkdir -p "$MEDIA_ROOT"
  tar -C "$MEDIA_ROOT" -xzf "$2"
fi
PYTHON=${PYTHON:-$(dirname "$0")/../../.venv/bin/python}
"$PYTHON" "$(dirname "$0")/../../manage.py" migrate --noinput
