#!/usr/bin/env bash
# Makes an OCI layout OUT (tag "app") of several gzip layers of incompressible
# data, one layer per size in MiB given, plus a tiny text layer on top: the
# push/pull workload of bench/registry.sh. Random data keeps the compressed
# layers as large as the sizes asked for.
# Usage: bench/registry/make-image.sh OUT SIZE_MB...   (e.g. OUT 96 64 32 16)
set -euo pipefail
out=${1:?usage: $0 OUT SIZE_MB...}
shift
[ $# -gt 0 ] || { echo "usage: $0 OUT SIZE_MB..." >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/mamori-bench-image.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$out/blobs/sha256"

diffids=() layers=()
# add_layer DIR: tars DIR into a gzip layer blob; appends its diff ID and descriptor.
add_layer() {
  local dir=$1 diffid digest size
  tar -C "$dir" --numeric-owner --mtime=@0 --sort=name -cf "$work/layer.tar" .
  diffid=$(sha256sum "$work/layer.tar" | cut -d' ' -f1)
  gzip -1 -n -c "$work/layer.tar" >"$work/layer.tar.gz"
  rm -f "$work/layer.tar"
  digest=$(sha256sum "$work/layer.tar.gz" | cut -d' ' -f1)
  size=$(stat -c %s "$work/layer.tar.gz")
  mv "$work/layer.tar.gz" "$out/blobs/sha256/$digest"
  diffids+=("\"sha256:$diffid\"")
  layers+=("{\"mediaType\":\"application/vnd.oci.image.layer.v1.tar+gzip\",\"digest\":\"sha256:$digest\",\"size\":$size}")
}

n=0
for mb in "$@"; do
  [[ $mb =~ ^[0-9]+$ && $mb -gt 0 ]] || { echo "bad size: $mb" >&2; exit 2; }
  n=$((n + 1))
  rm -rf "$work/root" && mkdir -p "$work/root/data/$n"
  head -c $((mb * 1024 * 1024)) /dev/urandom >"$work/root/data/$n/payload.bin"
  add_layer "$work/root"
done
rm -rf "$work/root" && mkdir -p "$work/root/etc"
printf 'bench image, %s layers of random data\n' "$n" >"$work/root/etc/bench-release"
add_layer "$work/root"
rm -rf "$work/root"

join() { local IFS=,; echo "$*"; }
printf '{"architecture":"amd64","os":"linux","config":{"Cmd":["/bin/true"]},"rootfs":{"type":"layers","diff_ids":[%s]}}' \
  "$(join "${diffids[@]}")" >"$work/config"
cdigest=$(sha256sum "$work/config" | cut -d' ' -f1)
csize=$(stat -c %s "$work/config")
mv "$work/config" "$out/blobs/sha256/$cdigest"
printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%s},"layers":[%s]}' \
  "$cdigest" "$csize" "$(join "${layers[@]}")" >"$work/manifest"
mdigest=$(sha256sum "$work/manifest" | cut -d' ' -f1)
msize=$(stat -c %s "$work/manifest")
mv "$work/manifest" "$out/blobs/sha256/$mdigest"
printf '{"imageLayoutVersion":"1.0.0"}' >"$out/oci-layout"
printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%s,"annotations":{"org.opencontainers.image.ref.name":"app"}}]}' \
  "$mdigest" "$msize" >"$out/index.json"
