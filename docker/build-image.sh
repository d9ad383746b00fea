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
# npm install, not npm ci: see .ci/run (opendal 0.49.2's unpublished optional packages).
(cd "$ctx" && npm install --omit=dev --no-audit --no-fund --ignore-scripts >/dev/null 2>&1) || {
  echo "build-image: npm install --omit=dev failed in the staged context" >&2; exit 1; }
docker build --network none -q -f "$here/Dockerfile" --build-arg "BASE_IMAGE=$base" -t "$tag" "$ctx" >/dev/null
echo "$tag"
