#!/usr/bin/env bash
# TEMPORARY (this session only): regenerates the not-yet-released directory migration (0005) from
# server/modules/directory/directory.tables.ts, under a lock so parallel work cannot interleave.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/cairn-regen.lock
flock 9
M=server/kernel/db/migrations
rm -f $M/0005_directory.sql $M/meta/0005_snapshot.json
node -e "const f='$M/meta/_journal.json';const j=require('./'+f);j.entries=j.entries.filter(e=>e.idx<5);require('fs').writeFileSync(f,JSON.stringify(j,null,2))"
npx drizzle-kit generate --name directory >/dev/null
npx prettier --write $M/meta >/dev/null
echo "regenerated $M/0005_directory.sql"
