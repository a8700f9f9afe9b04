#!/usr/bin/env bash
# Migration compatibility test: a deploy migrates first, while the previous release still serves. So the
# previous release's repository contract suites (test/contracts/*.knex.test.ts, its own code and tests, taken
# from git) must pass against the schema after each migration added since, one migration at a time.
# The previous release (or COMPAT_BASE_REF) is the first parent of the newest first-parent commit that added a
# migration: for a merge into main, main just before it. It fails, never skips, when that is not in the clone.
# Its migrator is replaced by a shim that applies the CURRENT migrations up to the one under test.
# Needs TEST_DATABASE_URL (or starts embedded PostgreSQL, like the other suites). Bounded: 10 min.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

fail() {
  echo "compat: $*" >&2
  exit 1
}
base=${COMPAT_BASE_REF:-}
if [ -z "$base" ]; then
  # A shallow clone (actions/checkout's default depth 1) makes its oldest commit look like it added everything.
  [ "$(git rev-parse --is-shallow-repository)" = false ] ||
    fail "this clone is shallow: fetch full history (actions/checkout fetch-depth: 0, git fetch --unshallow) or set COMPAT_BASE_REF"
  # First parents only: main's own history. When a merge brought the newest migration, its first parent is the
  # release before it (on a pull request's merge commit, the base branch); a branch's inner commits are skipped.
  newest=$(git log --first-parent -1 --format=%H --diff-filter=A -- migrations/)
  [ -n "$newest" ] || fail "no commit on this branch adds a migration; set COMPAT_BASE_REF"
  base=$(git rev-parse --verify -q "$newest^1") || fail "the commit before $newest is not in this clone; set COMPAT_BASE_REF"
fi
ref=$base
base=$(git rev-parse --verify -q "$ref^{commit}") || fail "previous release $ref is not a commit in this clone"
git cat-file -e "$base:migrations" 2>/dev/null || fail "previous release $(git rev-parse --short "$base") has no migrations/"
echo "compat: previous release $(git rev-parse --short "$base"), current $(git rev-parse --short HEAD)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
git archive "$base" | tar -x -C "$work"
ln -s "$root/node_modules" "$work/node_modules"

old=$(cd "$work/migrations" && ls -- *.ts | sed 's/\.ts$//')
current=$(npx tsx -e "require('$root/adapters/persistence/knex/migrator').migrations.forEach((x) => console.log(x.name))")
# The previous release's migrations must be the current list's prefix: a shipped migration is never edited.
if [ "$(printf '%s\n' "$current" | head -n "$(printf '%s\n' "$old" | wc -l)")" != "$old" ]; then
  echo "compat: the previous release's migrations are not a prefix of the current ones" >&2
  exit 1
fi
added=$(printf '%s\n' "$current" | tail -n +"$(($(printf '%s\n' "$old" | wc -l) + 1))")
if [ -z "$added" ]; then
  echo "compat: no migration since the previous release; nothing to check"
  exit 0
fi

cat >"$work/adapters/persistence/knex/migrator.ts" <<SHIM
// compat shim: the current migrations, up to ZKEB_COMPAT_UP_TO, applied by the current migrator.
import type { Knex } from 'knex'
import * as current from '$root/adapters/persistence/knex/migrator'
const upTo = current.migrations.findIndex((m) => m.name === process.env.ZKEB_COMPAT_UP_TO)
const list = current.migrations.slice(0, upTo + 1)
export const migrateLatest = (knex: Knex) => current.migrateLatest(knex, list)
export const migrationStatus = (knex: Knex) => current.migrationStatus(knex, list)
SHIM

for name in $added; do
  echo "compat: previous release's contract suites against the schema up to $name"
  (cd "$work" && ZKEB_COMPAT_UP_TO=$name timeout 600 npx mocha --no-config --extension ts --node-option import=tsx \
    --timeout 30000 --exit --reporter dot test/contracts/*.knex.test.ts)
done
echo "compat: the previous release works against every newer schema"
