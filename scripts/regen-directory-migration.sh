#!/usr/bin/env bash
# TEMPORARY (this session only): regenerates the not-yet-released directory migrations (0005 from
# server/modules/directory/directory.tables.ts, 0006 the hand-written vetting trigger) under a lock, so
# parallel work cannot interleave.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/cairn-regen.lock
flock 9
M=server/kernel/db/migrations
TRIGGER=$(mktemp)
if [ -f $M/0006_directory_vetting.sql ]; then cp $M/0006_directory_vetting.sql "$TRIGGER"; else cp /tmp/vetting.sql "$TRIGGER"; fi
rm -f $M/0005_* $M/0006_* $M/meta/0005_snapshot.json $M/meta/0006_snapshot.json
node -e "const f='$M/meta/_journal.json';const j=require('./'+f);j.entries=j.entries.filter(e=>e.idx<5);require('fs').writeFileSync(f,JSON.stringify(j,null,2))"
npx drizzle-kit generate --name directory >/dev/null
npx drizzle-kit generate --custom --name directory_vetting >/dev/null
cp "$TRIGGER" $M/0006_directory_vetting.sql
rm -f "$TRIGGER"
npx prettier --write $M/meta >/dev/null
echo "regenerated $M/0005_directory.sql and 0006_directory_vetting.sql"
