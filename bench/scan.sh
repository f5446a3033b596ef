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

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_prepare
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
  # shellcheck disable=SC2034 # used through ab_compare's namerefs
  a=("${mamori[@]}" sbom "$ref" -f json --no-cache -q) b=("${mamori[@]}" scan "$ref" -f json --no-cache --db "$db" --scanners vuln -q)
  read -r s c sm cm < <(ab_compare "$runs" a b)
  printf '%-18s %9s %9s %9.2f %10.0f %10.0f\n' "$name" "$s" "$c" "$(echo "$c - $s" | bc -l)" "$sm" "$cm"
done
