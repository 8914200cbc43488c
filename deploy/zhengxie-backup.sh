#!/bin/sh
# Nightly backup: database + uploaded files into a new dated directory, keep KEEP_DAYS days, and copy
# it off this machine when OFFSITE (an rsync target such as backup@10.0.0.9:/srv/zhengxie-backups/) is set.
# Run as the application user with the application's environment (see zhengxie-backup.service).
set -eu
umask 077                               # the backup holds personal data: readable by this user only
ROOT=${BACKUP_ROOT:-/var/backups/zhengxie}
KEEP_DAYS=${KEEP_DAYS:-14}
APP=${APP_DIR:-/srv/zhengxie}
DIR="$ROOT/$(date +%Y-%m-%dT%H%M)"
mkdir -p "$ROOT"
cd "$APP"
.venv/bin/python manage.py backup "$DIR"
if [ -n "${OFFSITE:-}" ]; then
    rsync -a "$DIR" "$OFFSITE"
fi
# Retention: dated directories older than KEEP_DAYS days go (the one just made always stays).
find "$ROOT" -mindepth 1 -maxdepth 1 -type d -mtime +"$KEEP_DAYS" ! -path "$DIR" -exec rm -rf {} +
