#!/usr/bin/env bash
# Builds a minimal Node 20 base image from this machine's own node binary, for machines that
# cannot pull images (no registry reachable). Usage: docker/build-base-image.sh [TAG]
# The image holds node, npm, busybox (sh and coreutils) and the shared libraries node and
# opendal's native module need (librt.so.1 among them); it prints the tag it built.
set -euo pipefail
tag="${1:-local/tributary-node:20}"
node_bin="$(command -v node)"
busybox_bin="$(command -v busybox || true)"
if [ -z "$busybox_bin" ] || ! "$busybox_bin" --list >/dev/null 2>&1; then
  echo "build-base-image: busybox is needed (apt-get install busybox-static)" >&2
  exit 1
fi
root="$(mktemp -d)"
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,usr/bin,usr/local/bin,usr/local/lib,etc,tmp,app}
chmod 1777 "$root/tmp"
cp "$node_bin" "$root/usr/local/bin/node"

copy_lib() { # copy a shared library (following links) to the same path inside the image
  local lib="$1"
  [ -e "$lib" ] || return 0
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
}
for lib in $(ldd "$node_bin" | grep -o '/[^ ]*'); do copy_lib "$lib"; done
libdir="$(dirname "$(ldd "$node_bin" | grep -o '/[^ ]*libc.so.6')")"
for extra in librt.so.1 libnss_files.so.2 libnss_dns.so.2 libresolv.so.2; do copy_lib "$libdir/$extra"; done

cp "$busybox_bin" "$root/bin/busybox"
for applet in $("$busybox_bin" --list); do
  [ -e "$root/bin/$applet" ] || ln -s busybox "$root/bin/$applet"
done
ln -sf /bin/busybox "$root/usr/bin/env"

npm_dir="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
if [ -d "$npm_dir" ]; then
  mkdir -p "$root/usr/local/lib/node_modules"
  cp -r "$npm_dir" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
fi

cat > "$root/etc/passwd" <<'PW'
root:x:0:0:root:/root:/bin/sh
node:x:1000:1000:node:/home/node:/bin/sh
PW
cat > "$root/etc/group" <<'GR'
root:x:0:
node:x:1000:
GR
printf '127.0.0.1 localhost\n::1 localhost\n' > "$root/etc/hosts"
printf 'hosts: files dns\n' > "$root/etc/nsswitch.conf"

tar -C "$root" -c . | docker import \
  -c 'ENV PATH=/usr/local/bin:/usr/bin:/bin' -c 'WORKDIR /app' -c 'CMD ["node"]' - "$tag" >/dev/null
echo "$tag"
