#!/usr/bin/env bash
# TEMPORARY (this session only): regenerates the not-yet-released migrations from 0005 on — 0005 from the
# Drizzle tables, then the hand-written ones (kept as they are) — under a lock, so parallel work cannot
# interleave.
set -euo pipefail
cd "$(dirname "$0")/.."
exec 9>/tmp/cairn-regen.lock
flock 9
M=server/kernel/db/migrations
CUSTOM=(directory_vetting identity_session_lookup)
KEEP=$(mktemp -d)
for tag in "${CUSTOM[@]}"; do
  f=$(ls $M/0*_"$tag".sql 2>/dev/null | head -1 || true)
  if [ -n "$f" ]; then cp "$f" "$KEEP/$tag.sql"; else cp "/tmp/$tag.sql" "$KEEP/$tag.sql"; fi
done
for n in 0005 0006 0007 0008 0009; do rm -f $M/${n}_*.sql $M/meta/${n}_snapshot.json; done
node -e "const f='$M/meta/_journal.json';const j=require('./'+f);j.entries=j.entries.filter(e=>e.idx<5);require('fs').writeFileSync(f,JSON.stringify(j,null,2))"
npx drizzle-kit generate --name directory >/dev/null
for tag in "${CUSTOM[@]}"; do
  npx drizzle-kit generate --custom --name "$tag" >/dev/null
  cp "$KEEP/$tag.sql" "$(ls $M/0*_"$tag".sql)"
done
rm -rf "$KEEP"
npx prettier --write $M/meta >/dev/null
echo "regenerated $M: $(ls $M | grep -E '^000[5-9]' | tr '\n' ' ')"
