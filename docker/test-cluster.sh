#!/usr/bin/env bash
# Proves the docker cluster: builds the images, starts etcd + object store + three brokers
# with docker-compose (host network, loopback ports), produces and consumes with kafkajs from
# the host, kills the broker container owning a partition, checks failover, tears down.
# Works offline: a local Node base image from the host's node binary when node:20 cannot be
# pulled, and s3rver (built locally) instead of MinIO when MinIO cannot be pulled. etcd runs
# from the host's Debian binary. Without a reachable dockerd it prints a loud SKIPPED line.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(dirname "$here")"
project="${COMPOSE_PROJECT:-tributary-cluster-test}"

skip() {
  echo "=================================================================="
  echo "SKIPPED docker cluster test: $1"
  echo "=================================================================="
  exit 0
}
command -v docker >/dev/null 2>&1 || skip "no docker client installed"
docker version >/dev/null 2>&1 || skip "dockerd is not reachable ($(docker version 2>&1 | tail -1))"
command -v docker-compose >/dev/null 2>&1 || skip "docker-compose is not installed"
export ETCD_BINARY="${ETCD_BINARY:-/usr/bin/etcd}"
[ -x "$ETCD_BINARY" ] || { echo "test-cluster: etcd binary $ETCD_BINARY missing (apt-get install etcd-server)" >&2; exit 1; }

export ETCD_PORT="${ETCD_PORT:-12379}" ETCD_PEER_PORT="${ETCD_PEER_PORT:-12380}" OBJECTS_PORT="${OBJECTS_PORT:-19000}"
export OBJECTS_CONSOLE_PORT="${OBJECTS_CONSOLE_PORT:-19001}"
export BROKER1_PORT="${BROKER1_PORT:-19092}" BROKER2_PORT="${BROKER2_PORT:-19093}" BROKER3_PORT="${BROKER3_PORT:-19094}"

echo "test-cluster: building the broker image"
base=""
if docker image inspect node:20-bookworm-slim >/dev/null 2>&1 || timeout 60 docker pull -q node:20-bookworm-slim >/dev/null 2>&1; then
  base="node:20-bookworm-slim"
else
  echo "test-cluster: node:20-bookworm-slim cannot be pulled; using a local base image from this machine's node"
  base="$("$here/build-base-image.sh")"
fi
export TRIBUTARY_IMAGE="$("$here/build-image.sh" local/tributary:dev "$base")"
# Which CRC-32C the brokers will run (the native addon is built by build-image.sh).
echo "test-cluster: $(docker run --rm --network none --entrypoint node "$TRIBUTARY_IMAGE" -e \
  "try { const m = require('sse4_crc32'); console.log(m.hardware_support ? 'CRC-32C sse4_crc32 (SSE 4.2) in the image' : 'CRC-32C sse4_crc32 loaded but no SSE 4.2: @node-rs/crc32') } catch (e) { console.log('CRC-32C @node-rs/crc32 in the image (sse4_crc32 not loadable: ' + e.message + ')') }" 2>&1 | tail -1)"

files=(-f "$here/compose.yml")
if (docker image inspect minio/minio:latest >/dev/null 2>&1 || timeout 60 docker pull -q minio/minio:latest >/dev/null 2>&1) &&
   (docker image inspect minio/mc:latest >/dev/null 2>&1 || timeout 60 docker pull -q minio/mc:latest >/dev/null 2>&1); then
  echo "test-cluster: object store MinIO"
  export OBJECT_STORE_URL="s3://tributary/cluster?endpoint=http%3A%2F%2F127.0.0.1%3A${OBJECTS_PORT}&region=us-east-1&access_key_id=minioadmin&secret_access_key=minioadmin"
else
  echo "test-cluster: MinIO cannot be pulled; object store s3rver built locally"
  export S3RVER_IMAGE="$("$here/build-s3rver-image.sh" local/tributary-s3rver:dev "$base")"
  files+=(-f "$here/compose.offline.yml")
  export OBJECT_STORE_URL="s3://tributary/cluster?endpoint=http%3A%2F%2F127.0.0.1%3A${OBJECTS_PORT}&region=us-east-1&access_key_id=S3RVER&secret_access_key=S3RVER"
fi

compose() { docker-compose -p "$project" "${files[@]}" "$@"; }
cleanup() {
  status=$?
  if [ "$status" -ne 0 ]; then compose logs --no-color --tail=50 >&2 || true; fi
  compose down -v --remove-orphans >/dev/null 2>&1 || true
  exit "$status"
}
trap cleanup EXIT
compose down -v --remove-orphans >/dev/null 2>&1 || true

echo "test-cluster: starting etcd, object store and three brokers"
compose up -d
for service in broker-1 broker-2 broker-3; do
  for _ in $(seq 1 120); do
    state="$(docker inspect --format '{{.State.Health.Status}}' "$(compose ps -q "$service")" 2>/dev/null || echo missing)"
    [ "$state" = healthy ] && break
    sleep 0.5
  done
  [ "$state" = healthy ] || { echo "test-cluster: $service is $state" >&2; exit 1; }
done
echo "test-cluster: all brokers healthy"

bootstrap="127.0.0.1:${BROKER1_PORT},127.0.0.1:${BROKER2_PORT},127.0.0.1:${BROKER3_PORT}"
fifo="$(mktemp -u)"
mkfifo "$fifo"
exec 3<>"$fifo"
rm -f "$fifo"
# set +e around the pipeline: a failing check must reach the FAILED line below, not exit here.
set +e
( cd "$repo" && node --import tsx docker/cluster-check.ts "$bootstrap" <&3 ) | while IFS= read -r line; do
  echo "test-cluster: $line"
  case "$line" in
    KILL\ *)
      id="${line#KILL }"
      docker kill --signal KILL "$(compose ps -q "broker-$id")" >/dev/null
      echo "test-cluster: killed broker-$id (SIGKILL)"
      echo go >&3
      ;;
  esac
done
status="${PIPESTATUS[0]}"
set -e
[ "$status" -eq 0 ] || { echo "test-cluster: FAILED" >&2; exit 1; }
echo "test-cluster: PASSED"
