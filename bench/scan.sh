#!/usr/bin/env bash
# Benchmark of `mamori scan` against `mamori sbom` on the same image, in one
# run: what vulnerability matching adds to taking the inventory.
#
#   sbom : mamori sbom oci-archive:IMAGE -f json --no-cache
#   scan : mamori scan oci-archive:IMAGE -f json --no-cache --db DB --scanners vuln
#
# DB is bench_db of bench/lib.sh (real feeds plus 500,000 generated records,
# about 750 MB): lookups go to a database of a real size. Images: the Debian 12 test image (207 packages, 3 layers) and the
# same image with the application layer of scripts/build-app-image.sh
# (vendored Python, Go and npm packages, which the language feeds match).
#
# Reports the median wall time and peak RSS of each, and scan − sbom.
# Usage: bench/scan.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=bench/work
mkdir -p "$work/vulndb"

command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
npm run -s build

# shellcheck source=bench/lib.sh
. bench/lib.sh
db=$(bench_db "$work")

eval "$(node --import tsx --input-type=module -e "
  const { debianImage, debianAppImage } = await import('./src/testing/images.ts');
  const i = await debianImage();
  const a = await debianAppImage();
  console.log('archive=' + JSON.stringify(i.ociArchive) + '; applayout=' + JSON.stringify(a.layout));
")"
app="$work/debian-app.oci.tar"
[ -f "$app" ] || skopeo copy --quiet "oci:$applayout:app" "oci-archive:$app:app"

mamori=(dist/cli/bin.js)
echo "db: $(du -m "$db" | cut -f1) MiB; $runs runs, median"
printf '%-18s %9s %9s %9s %10s %10s\n' image 'sbom s' 'scan s' 'scan-sbom' 'sbom MiB' 'scan MiB'
for pair in "debian:$archive" "debian+app:$app"; do
  name=${pair%%:*}
  ref="oci-archive:${pair#*:}"
  st=() sm=() ct=() cm=()
  # Warm the page cache and the DB once, then alternate so drift hits both alike.
  "${mamori[@]}" scan "$ref" -f json --no-cache --db "$db" --scanners vuln -q >/dev/null
  for _ in $(seq 1 "$runs"); do
    read -r t m < <(measure "${mamori[@]}" sbom "$ref" -f json --no-cache -q)
    st+=("$t") sm+=("$m")
    read -r t m < <(measure "${mamori[@]}" scan "$ref" -f json --no-cache --db "$db" --scanners vuln -q)
    ct+=("$t") cm+=("$m")
  done
  s=$(printf '%s\n' "${st[@]}" | median)
  c=$(printf '%s\n' "${ct[@]}" | median)
  printf '%-18s %9s %9s %9.2f %10.0f %10.0f\n' "$name" "$s" "$c" "$(echo "$c - $s" | bc -l)" \
    "$(printf '%s\n' "${sm[@]}" | maxof | awk '{print $1/1024}')" "$(printf '%s\n' "${cm[@]}" | maxof | awk '{print $1/1024}')"
done
