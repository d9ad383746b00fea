#!/usr/bin/env bash
# System packages the test suite and the benchmarks use (Debian bookworm, run as root):
#   etcd-server/etcd-client  real etcd for the metadata-store and cluster tests
#   kcat                     librdkafka's CLI, a real Kafka client for end-to-end tests
#   python3-kafka            kafka-python 2.0.2 (use /usr/bin/python3)
#   python3-confluent-kafka  librdkafka from Python (idempotent producer tests, latency probe)
#   docker.io docker-compose Docker engine and compose v1 for docker/test-cluster.sh
#   busybox-static           the shell and tools of the offline Node base image (docker/build-base-image.sh)
set -euo pipefail
packages=(etcd-server etcd-client kcat python3-kafka python3-confluent-kafka docker.io docker-compose busybox-static)
missing=()
for p in "${packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "install-system-deps: need root to install: ${missing[*]}" >&2
    exit 1
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
# Debian may start an etcd service on 2379 where systemd runs; tests use their own ports.
echo "install-system-deps: ok (${packages[*]})"
