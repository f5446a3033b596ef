#!/usr/bin/env bash
# Builds a real Debian 12 image from Debian's packages, with no container
# engine: mmdebstrap makes the root filesystem, umoci packs it as an OCI
# image with two layers, skopeo writes the archive forms.
#
#   layer 0: the essential package set, as it stands before apt runs
#   layer 1: apt, python3-requests (Python libraries owned by a .deb) and
#            skopeo (a Go binary in a .deb); it rewrites /var/lib/dpkg/status
#            as a real `apt-get install` layer does
#   layer 2: an application: /usr/local/bin/mamori-fixture, a Go binary with
#            module build info (scripts/build-go-fixture.sh), owned by no .deb
#
# Usage: scripts/build-debian-image.sh OUTDIR
# Produces OUTDIR/oci (OCI layout, tag "bookworm"), OUTDIR/rootfs (the final
# filesystem, unpacked), OUTDIR/image.oci.tar and OUTDIR/image.docker.tar.
set -euo pipefail
out=${1:?usage: $0 OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
work="$out/work"
rm -rf "$work" "$out/oci" "$out/rootfs" "$out/image.oci.tar" "$out/image.docker.tar"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
here=$(cd "$(dirname "$0")" && pwd)

extra=python3-requests,skopeo
mmdebstrap --variant=minbase --quiet --include="$extra" \
  --essential-hook="tar -C \"\$1\" --one-file-system --exclude=./proc/* --exclude=./sys/* --exclude=./dev/* \
    --exclude=./var/cache/apt/*.bin --exclude=./var/cache/apt/archives/*.deb --exclude=./var/lib/apt/lists/* \
    -cf $work/base.tar ." \
  bookworm "$work/full.tar"

layout="$out/oci"
umoci init --layout "$layout"
umoci new --image "$layout:bookworm"
i=0
for t in "$work/base.tar" "$work/full.tar"; do
  umoci unpack --image "$layout:bookworm" "$work/bundle" >/dev/null
  find "$work/bundle/rootfs" -mindepth 1 -delete
  tar -C "$work/bundle/rootfs" --numeric-owner -xpf "$t"
  umoci repack --image "$layout:bookworm" --history.created_by "layer $i" "$work/bundle" >/dev/null
  rm -rf "$work/bundle"
  i=$((i + 1))
done
umoci unpack --image "$layout:bookworm" "$work/bundle" >/dev/null
"$here/build-go-fixture.sh" "$work/bundle/rootfs/usr/local/bin/mamori-fixture"
umoci repack --image "$layout:bookworm" --history.created_by "COPY mamori-fixture /usr/local/bin/" "$work/bundle" >/dev/null
rm -rf "$work/bundle"
umoci config --image "$layout:bookworm" --config.cmd /usr/local/bin/mamori-fixture
umoci gc --layout "$layout"

umoci unpack --image "$layout:bookworm" "$work/final" >/dev/null
mv "$work/final/rootfs" "$out/rootfs"
skopeo copy --quiet "oci:$layout:bookworm" "oci-archive:$out/image.oci.tar:bookworm"
skopeo copy --quiet "oci:$layout:bookworm" "docker-archive:$out/image.docker.tar:mamori-demo/debian:bookworm"
