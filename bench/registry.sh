#!/usr/bin/env bash
# Benchmark of the mamori registry (`mamori server`: SQLite state, filesystem
# storage, access control on — every request authenticated with Basic
# credentials, audit log and metrics on — scanning on push off, log level
# warn) against CNCF Distribution (no authentication at all, so mamori does
# more work per request) (`docker-registry` 2.8, the
# Debian package: filesystem storage, in-memory blob descriptor cache as in
# its stock config, delete enabled, log level warn, access log off), both on
# loopback, one after the other, each from an empty data directory:
#
#   push/pull   skopeo copy of a multi-layer image (~208 MB of incompressible
#               gzip layers, bench/registry/make-image.sh, built once into
#               bench/work/) to docker://127.0.0.1:PORT/bench/app:1 and back
#               into a fresh oci: layout; wall time, median of RUNS, each run
#               against a fresh registry, the order of the two alternating
#   manifest    wrk, GET /v2/bench/app/manifests/1 with an OCI+Docker Accept
#   blob HEAD   HEAD /v2/bench/app/blobs/<largest layer> with
#               bench/registry/load.mjs (wrk stalls on HEAD replies that
#               carry a Content-Length), which also runs the manifest GET
#               once more so the two clients' numbers can be set side by side
#               (WRK_CONNECTIONS connections, WRK_THREADS wrk threads,
#               WRK_SECONDS each after a 1 s warm-up): requests/s, p50, p99
#   big blob    a BLOB_MB blob of pseudo-random bytes (AES-CTR keystream,
#               streamed, never stored outside the registry) uploaded as one
#               chunked PATCH plus PUT ?digest=, then downloaded and checked;
#               the server's VmRSS sampled every 200 ms (and VmHWM, reset
#               before each phase): idle before, peak during upload and download
#
# Prints a Markdown table (ratio = mamori / distribution: above 1 means
# mamori took longer, served more requests/s or used more memory) and writes
# the raw results to bench/work/registry-<UTC time>.json.
#
# Usage: [RUNS=3] [WRK_SECONDS=10] [WRK_CONNECTIONS=32] [WRK_THREADS=2]
#        [BLOB_MB=2048] [IMAGE_LAYERS_MB="96 64 32 16"] [MAMORI_TSX=1] bench/registry.sh
#   MAMORI_TSX=1 runs mamori from source (node --import tsx) instead of dist/.
# Needs (Debian): docker-registry skopeo wrk curl jq openssl; installed when
# missing and running as root.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${RUNS:-3}
wrk_seconds=${WRK_SECONDS:-10}
wrk_conns=${WRK_CONNECTIONS:-32}
wrk_threads=${WRK_THREADS:-2}
blob_mb=${BLOB_MB:-2048}
read -r -a layer_mb <<<"${IMAGE_LAYERS_MB:-96 64 32 16}"
for v in "$runs" "$wrk_seconds" "$wrk_conns" "$wrk_threads" "$blob_mb" "${layer_mb[@]}"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "registry.sh: settings must be positive integers, got '$v'" >&2; exit 2; }
done
work=bench/work
mkdir -p "$work"
# shellcheck source=bench/lib.sh
. bench/lib.sh

# ---- tools ---------------------------------------------------------------
need=()
for pair in docker-registry:docker-registry skopeo:skopeo wrk:wrk curl:curl jq:jq openssl:openssl; do
  command -v "${pair%%:*}" >/dev/null || need+=("${pair#*:}")
done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "registry.sh: install ${need[*]} (apt-get install -y ${need[*]})" >&2; exit 1; }
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

# ---- scratch space --------------------------------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-bench-registry.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# ---- mamori ----------------------------------------------------------------
# tsx costs the server about 65 MB of RSS, so when the build stops on a type
# error, a private copy is compiled (tsc emits despite type errors) and run.
if [ "${MAMORI_TSX:-}" = 1 ]; then
  mamori=(node --import tsx src/cli/bin.ts)
elif npm run -s build >&2; then
  mamori=(node dist/cli/bin.js)
else
  echo "registry.sh: the build failed; compiling a private copy under $tmp" >&2
  mkdir -p "$tmp/pkg"
  ln -s "$PWD/package.json" "$tmp/pkg/package.json"
  ln -s "$PWD/node_modules" "$tmp/pkg/node_modules"
  npx tsc -p tsconfig.build.json --outDir "$tmp/pkg/dist" >/dev/null 2>&1 || true
  if [ -f "$tmp/pkg/dist/cli/bin.js" ]; then
    mamori=(node "$tmp/pkg/dist/cli/bin.js")
  else
    echo "registry.sh: no private copy either; running mamori from source (tsx)" >&2
    mamori=(node --import tsx src/cli/bin.ts)
  fi
fi
echo "mamori: ${mamori[*]}" >&2

# ---- the image (built once) ----------------------------------------------
image="$work/registry-image-$(
  IFS=-
  echo "${layer_mb[*]}"
)"
if [ ! -f "$image/index.json" ]; then
  echo "building the bench image ${layer_mb[*]} MiB into $image" >&2
  rm -rf "$image.tmp"
  bench/registry/make-image.sh "$image.tmp" "${layer_mb[@]}"
  mv "$image.tmp" "$image"
fi
image_mb=$(du -sm "$image" | cut -f1)
manifest_digest=$(jq -r '.manifests[0].digest' "$image/index.json")
big_layer=$(jq -r '.layers | max_by(.size) | .digest' "$image/blobs/sha256/${manifest_digest#sha256:}")

avail_mb=$(df -Pm "$tmp" | awk 'NR==2 {print $4}')
if [ "$avail_mb" -lt $((blob_mb * 2 + image_mb * 3 + 1024)) ]; then
  echo "registry.sh: $avail_mb MiB free under $tmp, need about $((blob_mb * 2 + image_mb * 3 + 1024))" >&2
  rm -rf "$tmp"
  exit 1
fi
srv_pid='' sampler_pid='' srv_port='' srv_kind='' srv_data='' srv_log=''
stop_sampler() {
  if [ -n "$sampler_pid" ]; then
    kill "$sampler_pid" 2>/dev/null || true
    wait "$sampler_pid" 2>/dev/null || true
    sampler_pid=''
  fi
}
stop_server() {
  stop_sampler
  [ -n "$srv_pid" ] || return 0
  kill -TERM "$srv_pid" 2>/dev/null || true
  for _ in $(seq 1 50); do
    kill -0 "$srv_pid" 2>/dev/null || break
    sleep 0.2
  done
  kill -KILL "$srv_pid" 2>/dev/null || true
  wait "$srv_pid" 2>/dev/null || true
  srv_pid=''
  # Anything the server logged (both are set to log only warnings and errors;
  # mamori's startup line and Distribution's 404s before each upload left out).
  grep -v -e 'registry listening on' -e 'err.code="blob unknown"' "$srv_log" >"$srv_log.kept" || true
  if [ -s "$srv_log.kept" ]; then
    echo "--- $srv_kind log ($srv_log), last lines:" >&2
    tail -5 "$srv_log.kept" | cut -c1-300 >&2
    cat "$srv_log.kept" >>"$tmp/$srv_kind.all.log"
  fi
  rm -rf "$srv_data"
}
cleanup() {
  stop_server
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

free_port() {
  node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})"
}

# wait_ready: until GET /v2/ answers 200 from our (still running) server; 60 s at most.
bench_password=$(openssl rand -hex 16)
# Credentials of the registry under test: mamori's admin; none for Distribution.
auth=() skopeo_dest=() skopeo_src=() wrk_auth='' node_auth=()
wait_ready() {
  for _ in $(seq 1 300); do
    kill -0 "$srv_pid" 2>/dev/null || return 1
    if [ -n "$srv_port" ] && [ "$(curl -s --max-time 2 "${auth[@]}" -o /dev/null -w "%{http_code}" "http://127.0.0.1:$srv_port/v2/")" = 200 ]; then
      kill -0 "$srv_pid" 2>/dev/null && return 0
    fi
    sleep 0.2
  done
  return 1
}

n_server=0
# start_server KIND: a fresh registry (mamori|distribution) on a free loopback port.
start_server() {
  srv_kind=$1
  local attempt
  for attempt in 1 2 3 4 5; do
    n_server=$((n_server + 1))
    srv_data="$tmp/data-$n_server" srv_log="$tmp/server-$n_server.log" srv_port=''
    mkdir -p "$srv_data"
    if [ "$srv_kind" = mamori ]; then
      auth=(-u "admin:$bench_password")
      skopeo_dest=(--dest-creds "admin:$bench_password") skopeo_src=(--src-creds "admin:$bench_password")
      wrk_auth="Basic $(printf '%s' "admin:$bench_password" | base64 -w0)"
      node_auth=("Authorization: $wrk_auth")
      # Port 0: the server picks a free port and names it in its first line.
      MAMORI_ADMIN_PASSWORD=$bench_password MAMORI_SCAN_ENABLED=false MAMORI_LOG_LEVEL=warn MAMORI_GC_INTERVAL=0 \
        "${mamori[@]}" server --listen 127.0.0.1:0 --data "$srv_data/mamori" 2>"$srv_log" &
      srv_pid=$!
      for _ in $(seq 1 300); do
        srv_port=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9]*\).*#\1#p' "$srv_log" | head -1)
        [ -n "$srv_port" ] || ! kill -0 "$srv_pid" 2>/dev/null && break
        sleep 0.2
      done
    else
      auth=() skopeo_dest=() skopeo_src=() wrk_auth='' node_auth=()
      srv_port=$(free_port)
      cat >"$srv_data/config.yml" <<EOF
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $srv_data/distribution
  delete:
    enabled: true
  cache:
    blobdescriptor: inmemory
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$srv_port
  secret: $(openssl rand -hex 16)
EOF
      docker-registry serve "$srv_data/config.yml" >"$srv_log" 2>&1 &
      srv_pid=$!
    fi
    if wait_ready; then
      base="http://127.0.0.1:$srv_port"
      return 0
    fi
    echo "registry.sh: $srv_kind did not start (attempt $attempt):" >&2
    tail -5 "$srv_log" >&2
    stop_server
  done
  echo "registry.sh: giving up on starting $srv_kind" >&2
  exit 1
}

# timed CMD...: runs CMD (output to a log, shown on failure), prints its wall seconds.
timed() {
  local t0 t1 log="$tmp/cmd.log"
  t0=$(date +%s.%N)
  "$@" >"$log" 2>&1 || {
    echo "registry.sh: failed: $*" >&2
    tail -20 "$log" >&2
    return 1
  }
  t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f\n", b - a}'
}

push() { skopeo copy --quiet --dest-tls-verify=false "${skopeo_dest[@]}" "oci:$image:app" "docker://127.0.0.1:$srv_port/bench/app:1"; }
pull() { skopeo copy --quiet --src-tls-verify=false "${skopeo_src[@]}" "docker://127.0.0.1:$srv_port/bench/app:1" "oci:$1:app"; }

rss_kb() { awk '/^VmRSS:/ {print $2}' "/proc/$srv_pid/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM:/ {print $2}' "/proc/$srv_pid/status" 2>/dev/null || echo 0; }
# Resets the process's peak RSS (VmHWM) so it covers the next phase only.
reset_hwm() { echo 5 >"/proc/$srv_pid/clear_refs" 2>/dev/null || true; }
# start_sampler FILE: VmRSS (KiB) of the server every 200 ms into FILE.
start_sampler() {
  local pid=$srv_pid out=$1
  (
    while [ -r "/proc/$pid/status" ]; do
      awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || true
      sleep 0.2
    done
  ) >"$out" &
  sampler_pid=$!
}
maxfile() { sort -n "$1" | tail -1; }

# run_wrk NAME METHOD URL [ACCEPT]: prints wrk's JSON summary, saves its text output.
run_wrk() {
  local name=$1 method=$2 url=$3 accept=${4:-}
  WRK_METHOD=$method WRK_ACCEPT=$accept WRK_AUTH=$wrk_auth wrk -t"$wrk_threads" -c"$wrk_conns" -d1s -s bench/registry/wrk.lua "$url" >/dev/null
  WRK_METHOD=$method WRK_ACCEPT=$accept WRK_AUTH=$wrk_auth wrk -t"$wrk_threads" -c"$wrk_conns" -d"${wrk_seconds}s" --latency \
    -s bench/registry/wrk.lua "$url" >"$tmp/wrk-$name.txt"
  grep '^WRKJSON ' "$tmp/wrk-$name.txt" | cut -c9-
}
# run_node NAME METHOD URL [HEADER]: the same with bench/registry/load.mjs (HEAD: see there).
run_node() {
  local name=$1 method=$2 url=$3
  shift 3
  node bench/registry/load.mjs "$method" "$url" "$wrk_conns" 1 "${node_auth[@]}" "$@" >/dev/null
  node bench/registry/load.mjs "$method" "$url" "$wrk_conns" "$wrk_seconds" "${node_auth[@]}" "$@" | tee "$tmp/node-$name.txt"
}

# gen BYTES: a deterministic stream of incompressible bytes.
gen() {
  { openssl enc -aes-128-ctr -nosalt -pbkdf2 -pass pass:mamori-bench </dev/zero 2>/dev/null || true; } | head -c "$1"
}
# location HEADERS-FILE: the Location of a response, made absolute.
location() {
  local l
  l=$(tr -d '\r' <"$1" | awk 'tolower($1) == "location:" {print $2}' | tail -1)
  case $l in http*) echo "$l" ;; /*) echo "$base$l" ;; *) return 1 ;; esac
}
http_status() { tr -d '\r' <"$1" | awk '/^HTTP\// {s = $2} END {print s}'; }

accept='application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json, application/vnd.docker.distribution.manifest.v2+json, application/vnd.docker.distribution.manifest.list.v2+json'
kinds=(mamori distribution)
declare -A res
echo "image: $image_mb MiB in $((${#layer_mb[@]} + 1)) layers; $runs runs; wrk ${wrk_threads}t/${wrk_conns}c/${wrk_seconds}s; blob $blob_mb MiB; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
load_start=$(cut -d' ' -f1-3 /proc/loadavg)

# ---- 1. push and pull ------------------------------------------------------
for i in $(seq 1 "$runs"); do
  order=("${kinds[@]}")
  [ $((i % 2)) = 0 ] && order=(distribution mamori)
  for kind in "${order[@]}"; do
    start_server "$kind"
    t_push=$(timed push)
    rm -rf "$tmp/pulled"
    t_pull=$(timed pull "$tmp/pulled")
    got=$(jq -r '.manifests[0].digest' "$tmp/pulled/index.json")
    [ "$got" = "$manifest_digest" ] || { echo "registry.sh: $kind: pulled manifest $got, pushed $manifest_digest" >&2; exit 1; }
    rm -rf "$tmp/pulled"
    stop_server
    res[$kind.push]+="$t_push " res[$kind.pull]+="$t_pull "
    echo "run $i $kind: push ${t_push}s pull ${t_pull}s" >&2
  done
done

# ---- 2. manifest GET and blob HEAD under load --------------------------------
for kind in "${kinds[@]}"; do
  start_server "$kind"
  timed push >/dev/null
  m="$base/v2/bench/app/manifests/1" b="$base/v2/bench/app/blobs/$big_layer"
  [ "$(curl -s "${auth[@]}" -o /dev/null -w '%{http_code}' -H "Accept: $accept" "$m")" = 200 ] || { echo "registry.sh: $kind: manifest GET failed" >&2; exit 1; }
  [ "$(curl -s "${auth[@]}" -o /dev/null -w '%{http_code}' -I "$b")" = 200 ] || { echo "registry.sh: $kind: blob HEAD failed" >&2; exit 1; }
  res[$kind.manifest]=$(run_wrk "$kind-manifest" GET "$m" "$accept")
  res[$kind.head]=$(run_node "$kind-head" HEAD "$b")
  # The same client on the manifest GET, to tie the two tools' numbers together.
  res[$kind.manifest_node]=$(run_node "$kind-manifest" GET "$m" "Accept: $accept")
  res[$kind.rss_after_wrk]=$(rss_kb)
  echo "$kind manifest GET: $(jq -c '{rps, latency_us, errors}' <<<"${res[$kind.manifest]}")" >&2
  echo "$kind blob HEAD:    $(jq -c '{rps, latency_us, errors}' <<<"${res[$kind.head]}")" >&2
  echo "$kind manifest GET (load.mjs): $(jq -c '{rps, latency_us, errors}' <<<"${res[$kind.manifest_node]}")" >&2
  stop_server
done

# ---- 3. a big blob, streamed up and down -------------------------------------
bytes=$((blob_mb * 1024 * 1024))
echo "digesting the $blob_mb MiB blob stream" >&2
blob_digest="sha256:$(gen "$bytes" | sha256sum | cut -d' ' -f1)"
for kind in "${kinds[@]}"; do
  start_server "$kind"
  curl -sf "${auth[@]}" -o /dev/null "$base/v2/"
  sleep 1
  res[$kind.rss_idle]=$(rss_kb)
  h="$tmp/headers"
  curl -sf "${auth[@]}" -X POST -D "$h" -o /dev/null "$base/v2/bench/big/blobs/uploads/"
  [ "$(http_status "$h")" = 202 ] || { echo "registry.sh: $kind: upload POST answered $(http_status "$h")" >&2; exit 1; }
  loc=$(location "$h")
  reset_hwm
  start_sampler "$tmp/rss-up"
  t0=$(date +%s.%N)
  gen "$bytes" | curl -sS "${auth[@]}" -X PATCH -H 'Content-Type: application/octet-stream' -H 'Expect:' -T - -D "$h" -o "$tmp/body" "$loc"
  [ "$(http_status "$h")" = 202 ] || { echo "registry.sh: $kind: PATCH answered $(http_status "$h"): $(head -c 300 "$tmp/body")" >&2; exit 1; }
  loc=$(location "$h")
  case $loc in *\?*) sep='&' ;; *) sep='?' ;; esac
  curl -sS "${auth[@]}" -X PUT -H 'Content-Length: 0' -D "$h" -o "$tmp/body" "$loc${sep}digest=$blob_digest"
  [ "$(http_status "$h")" = 201 ] || { echo "registry.sh: $kind: PUT answered $(http_status "$h"): $(head -c 300 "$tmp/body")" >&2; exit 1; }
  t1=$(date +%s.%N)
  stop_sampler
  res[$kind.rss_up]=$(maxfile "$tmp/rss-up") res[$kind.hwm_up]=$(hwm_kb) res[$kind.samples_up]=$(wc -l <"$tmp/rss-up")
  res[$kind.up_s]=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
  sleep 1
  res[$kind.rss_between]=$(rss_kb)
  reset_hwm
  start_sampler "$tmp/rss-down"
  t0=$(date +%s.%N)
  got="sha256:$(curl -sSf "${auth[@]}" "$base/v2/bench/big/blobs/$blob_digest" | sha256sum | cut -d' ' -f1)"
  t1=$(date +%s.%N)
  stop_sampler
  [ "$got" = "$blob_digest" ] || { echo "registry.sh: $kind: downloaded $got, uploaded $blob_digest" >&2; exit 1; }
  res[$kind.rss_down]=$(maxfile "$tmp/rss-down") res[$kind.hwm_down]=$(hwm_kb) res[$kind.samples_down]=$(wc -l <"$tmp/rss-down")
  res[$kind.down_s]=$(awk -v a="$t0" -v b="$t1" 'BEGIN {printf "%.3f", b - a}')
  echo "$kind blob: idle ${res[$kind.rss_idle]} KiB; upload ${res[$kind.up_s]}s peak ${res[$kind.rss_up]} KiB (HWM ${res[$kind.hwm_up]}); download ${res[$kind.down_s]}s peak ${res[$kind.rss_down]} KiB (HWM ${res[$kind.hwm_down]})" >&2
  stop_server
done

# ---- report -----------------------------------------------------------------
med() { tr ' ' '\n' <<<"$1" | grep . | median; }
for kind in "${kinds[@]}"; do
  res[$kind.push_med]=$(med "${res[$kind.push]}") res[$kind.pull_med]=$(med "${res[$kind.pull]}")
  n=$(grep -ci 'error' "$tmp/$kind.all.log" 2>/dev/null || true)
  res[$kind.errors]=${n:-0}
done
v() { jq -r "$2" <<<"${res[$1]}"; }
row() { # LABEL MAMORI DISTRIBUTION
  printf '| %s | %s | %s | %s |\n' "$1" "$2" "$3" "$(awk -v a="$2" -v b="$3" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}')"
}
mib() { awk -v k="$1" 'BEGIN {printf "%.0f", k / 1024}'; }
ms() { awk -v u="$1" 'BEGIN {printf "%.2f", u / 1000}'; }
echo
echo "| $runs runs (median), wrk ${wrk_threads}t/${wrk_conns}c/${wrk_seconds}s, blob $blob_mb MiB | mamori | distribution | ratio |"
echo "|---|---:|---:|---:|"
row "push ${image_mb} MB image (s)" "${res[mamori.push_med]}" "${res[distribution.push_med]}"
row "pull ${image_mb} MB image (s)" "${res[mamori.pull_med]}" "${res[distribution.pull_med]}"
row "manifest GET (req/s)" "$(v mamori.manifest .rps)" "$(v distribution.manifest .rps)"
row "manifest GET p50 (ms)" "$(ms "$(v mamori.manifest .latency_us.p50)")" "$(ms "$(v distribution.manifest .latency_us.p50)")"
row "manifest GET p99 (ms)" "$(ms "$(v mamori.manifest .latency_us.p99)")" "$(ms "$(v distribution.manifest .latency_us.p99)")"
row "blob HEAD, load.mjs (req/s)" "$(v mamori.head .rps)" "$(v distribution.head .rps)"
row "blob HEAD p50, load.mjs (ms)" "$(ms "$(v mamori.head .latency_us.p50)")" "$(ms "$(v distribution.head .latency_us.p50)")"
row "blob HEAD p99, load.mjs (ms)" "$(ms "$(v mamori.head .latency_us.p99)")" "$(ms "$(v distribution.head .latency_us.p99)")"
row "manifest GET, load.mjs (req/s)" "$(v mamori.manifest_node .rps)" "$(v distribution.manifest_node .rps)"
row "manifest GET p99, load.mjs (ms)" "$(ms "$(v mamori.manifest_node .latency_us.p99)")" "$(ms "$(v distribution.manifest_node .latency_us.p99)")"
row "RSS idle before blob (MiB)" "$(mib "${res[mamori.rss_idle]}")" "$(mib "${res[distribution.rss_idle]}")"
row "peak RSS $blob_mb MiB upload (MiB)" "$(mib "${res[mamori.rss_up]}")" "$(mib "${res[distribution.rss_up]}")"
row "peak RSS $blob_mb MiB download (MiB)" "$(mib "${res[mamori.rss_down]}")" "$(mib "${res[distribution.rss_down]}")"
row "$blob_mb MiB upload (s)" "${res[mamori.up_s]}" "${res[distribution.up_s]}"
row "$blob_mb MiB download (s)" "${res[mamori.down_s]}" "${res[distribution.down_s]}"
for kind in "${kinds[@]}"; do
  e=$(jq '.errors | add' <<<"${res[$kind.manifest]}")
  f=$(jq '.errors | add' <<<"${res[$kind.head]}")
  [ "$e$f" = 00 ] || echo "note: $kind client errors (manifest GET, blob HEAD): $e, $f — see the JSON" >&2
  [ "${res[$kind.errors]}" = 0 ] || echo "note: $kind logged ${res[$kind.errors]} error lines" >&2
done

out="$work/registry-$(date -u +%Y%m%dT%H%M%SZ).json"
side() {
  local k=$1
  jq -n --arg push "${res[$k.push]}" --arg pull "${res[$k.pull]}" \
    --argjson manifest "${res[$k.manifest]}" --argjson head "${res[$k.head]}" --argjson mnode "${res[$k.manifest_node]}" \
    --argjson n "{\"push_median_s\":${res[$k.push_med]},\"pull_median_s\":${res[$k.pull_med]},\"rss_after_wrk_kb\":${res[$k.rss_after_wrk]},\"log_error_lines\":${res[$k.errors]}}" \
    --argjson blob "{\"rss_idle_kb\":${res[$k.rss_idle]},\"upload_s\":${res[$k.up_s]},\"upload_peak_rss_kb\":${res[$k.rss_up]},\"upload_hwm_kb\":${res[$k.hwm_up]},\"upload_samples\":${res[$k.samples_up]},\"rss_between_kb\":${res[$k.rss_between]},\"download_s\":${res[$k.down_s]},\"download_peak_rss_kb\":${res[$k.rss_down]},\"download_hwm_kb\":${res[$k.hwm_down]},\"download_samples\":${res[$k.samples_down]}}" \
    '$n + {push_s: ($push | split(" ") | map(select(. != "") | tonumber)),
           pull_s: ($pull | split(" ") | map(select(. != "") | tonumber)),
           manifest_get: $manifest, manifest_get_loadmjs: $mnode, blob_head: $head, big_blob: $blob}'
}
jq -n --argjson mamori "$(side mamori)" --argjson distribution "$(side distribution)" \
  --arg date "$(date -u +%FT%TZ)" --arg rev "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --arg mamori_cmd "${mamori[*]}" --arg node "$(node --version)" \
  --arg dist "$(docker-registry --version)" --arg skopeo "$(skopeo --version)" --arg wrk "$(wrk -v 2>&1 | head -1)" \
  --arg cpus "$(nproc)" --arg load_start "$load_start" --arg load_end "$(cut -d' ' -f1-3 /proc/loadavg)" \
  --argjson settings "{\"runs\":$runs,\"wrk_seconds\":$wrk_seconds,\"wrk_connections\":$wrk_conns,\"wrk_threads\":$wrk_threads,\"blob_mb\":$blob_mb,\"image_mb\":$image_mb,\"image_layers_mb\":[$(
    IFS=,
    echo "${layer_mb[*]}"
  )]}" \
  '{date: $date, git: $rev, settings: $settings,
    host: {cpus: ($cpus | tonumber), loadavg_start: $load_start, loadavg_end: $load_end},
    versions: {mamori: $mamori_cmd, node: $node, distribution: $dist, skopeo: $skopeo, wrk: $wrk},
    mamori: $mamori, distribution: $distribution}' >"$out"
echo "raw results: $out" >&2
