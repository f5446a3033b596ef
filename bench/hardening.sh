#!/usr/bin/env bash
# What secret and misconfiguration scanning add to a vulnerability scan, in
# one run, on the same image (requirement: at most 30 %):
#
#   vuln : mamori scan oci-archive:IMAGE -f json --no-cache --db DB --scanners vuln
#   all  : mamori scan oci-archive:IMAGE -f json --no-cache --db DB   (vuln,secret,misconfig)
#
# --no-cache: every run reads and analyses every layer, so the secret
# scanner's pass over every file is measured, not a cached result. DB is
# bench_db of bench/lib.sh. Images: the Debian 12 test image (207 packages,
# 3 layers, 410 MB uncompressed) and the hardening image of
# scripts/build-hardening-image.sh (two more layers with planted findings).
#
# Reports the median wall time and peak RSS of each and all / vuln.
# Usage: bench/hardening.sh [RUNS]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
work=bench/work
mkdir -p "$work"

# shellcheck source=bench/lib.sh
. bench/lib.sh
bench_prepare
db=$(bench_db "$work")

eval "$(node --import tsx --input-type=module -e "
  const { debianImage, hardeningImage } = await import('./src/testing/images.ts');
  const i = await debianImage();
  const h = await hardeningImage();
  console.log('archive=' + JSON.stringify(i.ociArchive) + '; hlayout=' + JSON.stringify(h.layout));
")"
hard="$work/hardening.oci.tar"
[ -f "$hard" ] || skopeo copy --quiet "oci:$hlayout:hardening" "oci-archive:$hard:hardening"

mamori=(dist/cli/bin.js)
echo "db: $(du -m "$db" | cut -f1) MiB; $runs runs, median"
printf '%-12s %8s %8s %8s %9s %9s\n' image 'vuln s' 'all s' 'all/vuln' 'vuln MiB' 'all MiB'
for pair in "debian:$archive" "hardening:$hard"; do
  name=${pair%%:*}
  ref="oci-archive:${pair#*:}"
  # shellcheck disable=SC2034 # used through ab_compare's namerefs
  a=("${mamori[@]}" scan "$ref" -f json --no-cache --db "$db" --scanners vuln -q) b=("${mamori[@]}" scan "$ref" -f json --no-cache --db "$db" -q)
  read -r v all vm am < <(ab_compare "$runs" a b)
  printf '%-12s %8s %8s %8.2f %9.0f %9.0f\n' "$name" "$v" "$all" "$(echo "$all / $v" | bc -l)" "$vm" "$am"
done
