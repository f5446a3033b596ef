#!/usr/bin/env bash
# Adds an application layer to the Debian image of build-debian-image.sh:
# the application vendors its own copies of libraries the distro also
# ships, none of them owned by a .deb:
#   /app/lib/python3.11/site-packages  requests, urllib3, idna, certifi,
#                                      charset_normalizer (copied from the
#                                      image's Debian packages, metadata and all)
#   /app/bin/webapp                    a Go binary linking golang.org/x/net v0.7.0
#   /app/node_modules/semver           npm's semver 7.3.5 (from Debian's node-semver)
#
# Usage: scripts/build-app-image.sh DEBIAN_IMAGE_DIR OUTDIR
# Produces OUTDIR/oci (OCI layout, tag "app") and OUTDIR/rootfs.
set -euo pipefail
base=${1:?usage: $0 DEBIAN_IMAGE_DIR OUTDIR}
out=${2:?usage: $0 DEBIAN_IMAGE_DIR OUTDIR}
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
work="$out/work"
rm -rf "$work" "$out/oci" "$out/rootfs"
mkdir -p "$work"
trap 'rm -rf "$work"' EXIT
[ -f /usr/share/nodejs/semver/package.json ] || { echo "missing /usr/share/nodejs/semver (install node-semver)" >&2; exit 1; }

layout="$out/oci"
cp -r "$base/oci" "$layout"
umoci tag --image "$layout:bookworm" app
umoci unpack --image "$layout:app" "$work/bundle" >/dev/null
root="$work/bundle/rootfs"
sp="$root/app/lib/python3.11/site-packages"
mkdir -p "$sp" "$root/app/bin" "$root/app/node_modules"
for d in requests urllib3 idna certifi charset_normalizer; do
  cp -a "$root/usr/lib/python3/dist-packages/$d" "$sp/"
  cp -a "$root/usr/lib/python3/dist-packages/$d"-[0-9]*.*-info "$sp/"
done
find "$sp" -name __pycache__ -prune -exec rm -rf {} +
"$here/build-go-fixture.sh" "$root/app/bin/webapp" "$here/go-fixture-web"
cp -a /usr/share/nodejs/semver "$root/app/node_modules/semver"
umoci repack --image "$layout:app" --history.created_by "COPY app /app" "$work/bundle" >/dev/null
rm -rf "$work/bundle"
umoci config --image "$layout:app" --config.cmd /app/bin/webapp
umoci gc --layout "$layout"
umoci unpack --image "$layout:app" "$work/final" >/dev/null
mv "$work/final/rootfs" "$out/rootfs"
