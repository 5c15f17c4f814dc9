#!/usr/bin/env bash
# A user's install path, from what a clean clone holds: `npm pack` (its prepack builds dist/),
# `npm install -g` of that tarball into a throwaway prefix, then the installed command, its man
# page and its JSON schema. The tracked files are copied as they are on disk (no dist/, no
# node_modules/), so an edit not yet committed is packed as well; node_modules is linked only so
# the prepack build finds tsc.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fail() { echo "install-smoke: $*" >&2; exit 1; }

clone="$work/clone"
mkdir -p "$clone"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$clone" 2>/dev/null || true)
rm -rf "$clone/dist"
[ -f "$clone/package.json" ] || fail "copying the tracked files failed"
ln -s "$repo/node_modules" "$clone/node_modules"

tarball="$(cd "$clone" && npm pack --silent --pack-destination "$work" | tail -1)"
[ -f "$work/$tarball" ] || fail "npm pack made no tarball"
listing="$(tar -tzf "$work/$tarball")"
for f in package/bin/openclaw-sessions.js package/dist/src/cli.js package/man/openclaw-sessions.1 package/schema/status.schema.json package/README.md; do
  grep -qx "$f" <<<"$listing" || fail "the tarball lacks ${f#package/}"
done
# every doc the README and the --help texts point at is in the package (the README links them)
for f in $(grep -o 'docs/[a-z0-9-]*\.md' "$clone/README.md" "$clone"/src/commands/*.ts* | cut -d: -f2 | sort -u); do
  grep -qx "package/$f" <<<"$listing" || fail "the tarball lacks $f, which the README or --help names"
done
if grep -q '^package/\(test\|src\|bench\|dist/test\)/' <<<"$listing"; then fail "the tarball ships sources or tests"; fi
# source maps point at src/, which is not shipped
if grep -q '\.map$' <<<"$listing"; then fail "the tarball ships source maps of sources it does not ship"; fi

prefix="$work/prefix"
npm install -g --no-audit --no-fund --silent --prefix "$prefix" "$work/$tarball" >/dev/null
cli="$prefix/bin/openclaw-sessions"
[ -x "$cli" ] || fail "npm install -g made no $cli"

want="$(node -p 'require(process.argv[1]).version' "$repo/package.json")"
got="$("$cli" --version)"
[ "$got" = "$want" ] || fail "--version printed '$got', want '$want'"

state="$repo/test/fixtures/real-openclaw/s1-quick-done/state"
"$cli" status --json --no-probe --state-dir "$state" >"$work/status.json" || fail "status on $state exited $?"
node -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); if(!(d.schemaVersion>=1 && d.sessions.length===1)) process.exit(1)' "$work/status.json" \
  || fail "status --json did not read the one session of $state"

man_page="$prefix/share/man/man1/openclaw-sessions.1"
[ -f "$man_page" ] || fail "no man page at $man_page"
grep -q '^\.TH' "$man_page" || fail "$man_page is not a man page"

schema="$prefix/lib/node_modules/openclaw-sessions/schema/status.schema.json"
[ -f "$schema" ] || fail "no schema at $schema"
node -e 'JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"))' "$schema" || fail "$schema is not JSON"

echo "install-smoke: $tarball installs; --version $got, status, man page and schema found"
