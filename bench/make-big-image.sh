#!/usr/bin/env bash
# Makes an OCI layout OUT (tag "big") whose single layer holds SIZE_MB of
# incompressible data in 64 MB files plus a small npm package, to show that
# mamori's memory does not grow with layer size.
# Usage: bench/make-big-image.sh OUT SIZE_MB
set -euo pipefail
out=${1:?usage: $0 OUT SIZE_MB}
size=${2:?usage: $0 OUT SIZE_MB}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/root/data" "$work/root/app/node_modules/left-pad" "$out/blobs/sha256"
for i in $(seq 1 $((size / 64))); do head -c $((64 * 1024 * 1024)) /dev/urandom >"$work/root/data/blob-$i"; done
printf '{"name":"left-pad","version":"1.3.0","license":"WTFPL"}\n' >"$work/root/app/node_modules/left-pad/package.json"
tar -C "$work/root" --numeric-owner -cf "$work/layer.tar" .
diffid=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
gzip -1 -c "$work/layer.tar" >"$work/layer.tar.gz"
digest=$(sha256sum "$work/layer.tar.gz" | cut -d' ' -f1)
lsize=$(stat -c %s "$work/layer.tar.gz")
mv "$work/layer.tar.gz" "$out/blobs/sha256/$digest"
printf '{"architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' "$diffid" >"$work/config"
cdigest=$(sha256sum "$work/config" | cut -d' ' -f1)
csize=$(stat -c %s "$work/config")
mv "$work/config" "$out/blobs/sha256/$cdigest"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar+gzip","digest":"sha256:%s","size":%s}]}' \
  "$cdigest" "$csize" "$digest" "$lsize" >"$work/manifest"
mdigest=$(sha256sum "$work/manifest" | cut -d' ' -f1)
msize=$(stat -c %s "$work/manifest")
mv "$work/manifest" "$out/blobs/sha256/$mdigest"
printf '{"imageLayoutVersion":"1.0.0"}' >"$out/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"big"}}]}' \
  "$mdigest" "$msize" >"$out/index.json"
