#!/usr/bin/env bash
# Builds the offline object store image: docker/build-s3rver-image.sh [TAG] BASE_IMAGE
# s3rver is installed from the npm cache when possible (the version the repo locks), so the
# build needs no network; `docker build` itself runs with --network none.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
tag="${1:-local/tributary-s3rver:dev}"
base="${2:?base image}"
version="$(node -e "console.log(require('$repo/package-lock.json').packages['node_modules/s3rver'].version)")"
ctx="$(mktemp -d)"
trap 'rm -rf "$ctx"' EXIT
echo '{"name":"tributary-s3rver","version":"1.0.0","private":true}' > "$ctx/package.json"
(cd "$ctx" && { npm install --prefer-offline --no-audit --no-fund "s3rver@$version" >/dev/null 2>&1 ||
  { echo "build-s3rver-image: npm install s3rver@$version failed (no cache and no registry?)" >&2; exit 1; }; })
docker build --network none -q -f "$here/Dockerfile.s3rver" --build-arg "BASE_IMAGE=$base" -t "$tag" "$ctx" >/dev/null
echo "$tag"
