#!/usr/bin/env bash
# The main job on a fresh Debian 12 machine: installs what mamori needs,
# builds mamori, builds a real Debian 12 image from Debian's packages and
# prints its SBOM (the image is kept in ./demo for further commands).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
missing=()
for p in mmdebstrap umoci skopeo zip golang-go golang-github-google-uuid-dev golang-github-pkg-errors-dev; do
  dpkg-query -W -f '${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

npm ci --no-audit --no-fund >/dev/null
npm run build >/dev/null

if [ ! -f demo/.done ]; then
  echo "building a Debian 12 image (python3-requests, skopeo) into ./demo …" >&2
  ./scripts/build-debian-image.sh demo
  touch demo/.done
fi

./dist/cli/bin.js sbom oci:demo/oci:bookworm "$@"
