#!/usr/bin/env bash
# A short run of the built CLI on another Node (the machine's own, >= 20): demo without a
# terminal, then status on a generated store. Fails on any non-zero exit or empty output.
set -euo pipefail
node_bin="${1:-node}"
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cli="$repo/bin/openclaw-sessions.js"
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT
"$node_bin" "$cli" demo --duration 3 </dev/null >"$out/demo.txt"
grep -q "sessions" "$out/demo.txt"
"$node_bin" "$cli" demo --generate 40 --out "$out/gen" >/dev/null
"$node_bin" "$cli" status --json --no-probe --state-dir "$out/gen" >"$out/status.json" || [ $? -le 2 ]
"$node_bin" -e 'const d=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8")); if(!(d.sessions.length>0)) process.exit(1); console.log(`smoke: status read ${d.sessions.length} sessions`)' "$out/status.json"
# era C on this Node: read (Node 24), or exit 3 saying plainly that Node 24 is needed
cp -r "$repo/test/fixtures/real-openclaw-c/c7-aborted/state" "$out/erac"
code=0
"$node_bin" "$cli" status --no-probe --state-dir "$out/erac" >/dev/null 2>"$out/erac.err" || code=$?
if "$node_bin" -e 'process.exit(process.versions.sqlite ? 0 : 1)'; then
  [ "$code" -eq 0 ]
else
  [ "$code" -eq 3 ] && grep -q "needs Node 24" "$out/erac.err" && ! grep -q "    at " "$out/erac.err"
fi
echo "smoke: era C store: exit $code"
# demo --era C on this Node: runs (Node 24), or exit 3 before it makes its --out dir
code=0
"$node_bin" "$cli" demo --generate 3 --era C --out "$out/demo-c" >/dev/null 2>"$out/demo-c.err" || code=$?
if "$node_bin" -e 'process.exit(process.versions.sqlite ? 0 : 1)'; then
  [ "$code" -eq 0 ]
else
  [ "$code" -eq 3 ] && grep -q "needs Node 24" "$out/demo-c.err" && [ ! -e "$out/demo-c" ]
fi
echo "smoke: demo --era C: exit $code"
# serve on this Node: ready on the generated store, a curl --http2 probe (Upgrade: h2c, which
# Nodes before 24.9 raise as an upgrade) answered as plain HTTP, and SIGTERM ends it with 0
"$node_bin" "$cli" serve --no-probe --state-dir "$out/gen" --port 0 2>"$out/serve.err" &
serve_pid=$!
url=""
for _ in $(seq 1 100); do
  url="$(sed -n 's/.* listening .*url=\(http:[^ ]*\).*/\1/p' "$out/serve.err" | head -1)"
  [ -n "$url" ] && break
  sleep 0.1
done
[ -n "$url" ] || { cat "$out/serve.err" >&2; kill "$serve_pid"; exit 1; }
for _ in $(seq 1 100); do
  [ "$(curl -s -o /dev/null -w '%{http_code}' "$url/readyz")" = 200 ] && break
  sleep 0.1
done
[ "$(curl -s -o /dev/null -w '%{http_code}' "$url/api/sessions/heartbeat")" = 200 ]
[ "$(curl -s --http2 -o /dev/null -w '%{http_code}' "$url/livez")" = 200 ]
kill -TERM "$serve_pid"
wait "$serve_pid"
echo "smoke: serve at $url answered and stopped on SIGTERM"
