#!/usr/bin/env bash
# Builds the broker image: docker/build-image.sh [TAG] [BASE_IMAGE]
# Stages a build context with production dependencies only (npm install --omit=dev, from the npm cache
# when warm), then runs `docker build` with no network. BASE_IMAGE defaults to the official
# node:20-bookworm-slim when it is present or can be pulled, else to a local image built from this
# machine's node binary (docker/build-base-image.sh).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
tag="${1:-local/tributary:dev}"
base="${2:-}"
if [ -z "$base" ]; then
  if docker image inspect node:20-bookworm-slim >/dev/null 2>&1 || timeout 60 docker pull -q node:20-bookworm-slim >/dev/null 2>&1; then
    base="node:20-bookworm-slim"
  else
    echo "build-image: node:20-bookworm-slim cannot be pulled; building a local base image" >&2
    base="$("$here/build-base-image.sh")"
  fi
fi
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
cp "$repo/package.json" "$repo/package-lock.json" "$repo/tsconfig.json" "$ctx/"
cp -r "$repo/src" "$repo/scripts" "$repo/config" "$ctx/"
# npm ci: exactly the locked tree (see .ci/run for the lockfile entries of opendal 0.49.2's
# unpublished optional packages).
# --ignore-scripts: no dependency runs install scripts here; the one native addon that must be
# compiled (sse4_crc32, the SSE 4.2 CRC-32C) is built next, on purpose.
(cd "$ctx" && npm ci --omit=dev --no-audit --no-fund --ignore-scripts >/dev/null 2>&1) || {
  echo "build-image: npm ci --omit=dev failed in the staged context" >&2; exit 1; }
# sse4_crc32 is built on this host with node-gyp (the host runs the image's Node 20 and glibc:
# Debian bookworm, as node:20-bookworm-slim and the local base image are). If node-gyp cannot
# build it here (no compiler, no Node headers), the build copied from this checkout's own
# node_modules is used; failing both, the image checksums through @node-rs/crc32 (same results,
# about half the speed on large batches: src/protocol/primitives/crc32c.ts) and this says so.
crc_addon="node_modules/sse4_crc32/build/Release/crc32c.node"
if [ -d "$ctx/node_modules/sse4_crc32" ]; then
  if (cd "$ctx" && npm rebuild sse4_crc32 --no-audit --no-fund >/dev/null 2>&1) && [ -f "$ctx/$crc_addon" ]; then
    echo "build-image: sse4_crc32 built (SSE 4.2 CRC-32C)" >&2
  elif [ -f "$repo/$crc_addon" ]; then
    mkdir -p "$(dirname "$ctx/$crc_addon")"
    cp "$repo/$crc_addon" "$ctx/$crc_addon"
    echo "build-image: sse4_crc32 could not be built here; using the build from $repo/node_modules" >&2
  else
    echo "build-image: WARNING sse4_crc32 not built (node-gyp failed); the image uses @node-rs/crc32 for CRC-32C" >&2
  fi
fi
docker build --network none -q -f "$here/Dockerfile" --build-arg "BASE_IMAGE=$base" -t "$tag" "$ctx" >/dev/null
echo "$tag"
