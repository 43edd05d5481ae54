#!/usr/bin/env bash
# Nightly backup: a custom-format pg_dump of DATABASE_URL, and the uploaded documents when they
# live on local disk (on S3 the bucket's own versioning keeps them). Keeps BACKUP_KEEP_DAYS days.
# Usage: DATABASE_URL=postgres://… BACKUP_DIR=/var/backups/cluster-portal deploy/backup/backup.sh
set -euo pipefail
: "${DATABASE_URL:?DATABASE_URL must name the database to back up}"
BACKUP_DIR=${BACKUP_DIR:-/var/backups/cluster-portal}
BACKUP_KEEP_DAYS=${BACKUP_KEEP_DAYS:-14}
stamp=$(date -u +%Y%m%dT%H%M%SZ)
mkdir -p "$BACKUP_DIR"
dump="$BACKUP_DIR/cluster-portal-$stamp.dump"
# Through PgBouncer pg_dump needs a session: point DATABASE_URL at PostgreSQL itself here.
pg_dump --format=custom --no-owner --no-privileges --file="$dump.partial" "$DATABASE_URL"
mv "$dump.partial" "$dump"
if [ -n "${MEDIA_ROOT:-}" ] && [ -d "$MEDIA_ROOT" ]; then
  tar -C "$MEDIA_ROOT" -czf "$BACKUP_DIR/cluster-portal-media-$stamp.tar.gz" .
fi
find "$BACKUP_DIR" -name 'cluster-portal-*' -mtime +"$BACKUP_KEEP_DAYS" -delete
echo "$dump"
