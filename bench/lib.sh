# Shared helpers of the benchmark scripts (sourced, not run).

measure() { # prints "seconds peakKB" for one run of the command
  local out
  out=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null 2>"$out.err" || { cat "$out.err" >&2; rm -f "$out" "$out.err"; return 1; }
  tail -1 "$out"
  rm -f "$out" "$out.err"
}

# bench_prepare: what every benchmark needs first (GNU time for peak RSS, a fresh build).
bench_prepare() {
  command -v /usr/bin/time >/dev/null || { apt-get update -qq && apt-get install -y -qq time >/dev/null; }
  npm run -s build
}

# ab_compare RUNS A B: runs the commands in arrays A and B (names) RUNS times
# each, alternating so drift hits both alike, after one warm-up of B; prints
# "A-median-seconds B-median-seconds A-peak-MiB B-peak-MiB".
ab_compare() {
  local runs=$1 t m
  local -n cmd_a=$2 cmd_b=$3
  local at=() am=() bt=() bm=()
  "${cmd_b[@]}" >/dev/null 2>&1
  for _ in $(seq 1 "$runs"); do
    read -r t m < <(measure "${cmd_a[@]}")
    at+=("$t") am+=("$m")
    read -r t m < <(measure "${cmd_b[@]}")
    bt+=("$t") bm+=("$m")
  done
  echo "$(printf '%s\n' "${at[@]}" | median) $(printf '%s\n' "${bt[@]}" | median)" \
    "$(printf '%s\n' "${am[@]}" | maxof | awk '{print $1/1024}')" "$(printf '%s\n' "${bm[@]}" | maxof | awk '{print $1/1024}')"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
maxof() { sort -n | tail -1; }

# bench_db WORKDIR: builds (once) and prints the path of the benchmark's vulnerability
# database: the real Go and PyPI feeds and the Alpine secdb plus a generated
# feed of 500,000 OSV records (the one bench/vulndb.mjs uses), about 750 MB,
# so lookups go to a database of a real size. Needs `npm run build` first.
bench_db() {
  local work=$1 shared=${MAMORI_SHARED_DATA:-src/vulndb/testdata/feeds}
  local gen="$work/vulndb/gen-500000.zip" db="$work/scan.db"
  mkdir -p "$work/vulndb"
  if [ ! -f "$gen" ]; then
    node --import tsx --input-type=module -e "
      const { writeGeneratedZip } = await import('./src/vulndb/testing.ts');
      await writeGeneratedZip('$gen.tmp', 500000);" >&2
    mv "$gen.tmp" "$gen"
  fi
  if [ ! -f "$db" ]; then
    node dist/cli/bin.js db import --db "$db.tmp" "$shared/osv/Go.zip" "$shared/osv/PyPI.zip" \
      "$shared"/alpine-secdb/*.json "$gen" >/dev/null
    mv "$db.tmp" "$db"
  fi
  echo "$db"
}
