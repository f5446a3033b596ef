#!/usr/bin/env bash
# Benchmark of mamori's validating admission webhook under load: `mamori
# server` with a `policy:` section serves POST /admission/validate over
# HTTPS (a self-signed ECDSA P-256 certificate made with openssl), and
# bench/admission-load.mjs sends it AdmissionReview v1 requests the way the
# Kubernetes API server does (keep-alive HTTPS, SOCKETS connections at most),
# open loop at a constant rate: RATES requests/s (500 and 2000 by default),
# each for BENCH_SECONDS after a WARMUP at the same rate. Latency runs from
# each request's scheduled send time to its answer's last byte, so a stalled
# server or a busy client shows up in the numbers instead of slowing the load.
#
# The bodies are realistic Deployments (~5 KB of object, ~5.7 KB of
# AdmissionReview; two containers and an initContainer with securityContext,
# resources, probes, env, volumes) in a fixed mix: 60 % allowed (with
# warnings from the digest rule; 5 % a privileged kube-system workload),
# 40 % denied by Pod Security, the registry rule or the resources rule;
# every request has its own uid and every answer is checked (HTTP 200, an
# AdmissionReview answering that uid, the expected verdict).
# The policy (see below): Pod Security `restricted:v1.30` enforced in every
# namespace but kube-system, allowed registries (tags allowed, no mutation),
# CPU/memory requests and limits required, and a warn-mode rule that asks for
# digests. The server runs as in production otherwise: SQLite state, audit
# log (every decision is recorded), metrics on, log level warn, scanning off
# (no image facts are looked up: no rule here needs them).
#
# Prints a Markdown table: target and achieved rate, latency p50/p90/p99/max
# (ms), errors, allowed/denied answers, the server's CPU time during the
# measured window (utime+stime from /proc/PID/stat, and as % of one core),
# how long its event-loop thread waited on a run queue meanwhile (CPU given
# to other work: when that is seconds, the latencies describe the machine),
# its RSS at the end and its peak RSS in the window, and the generator's own
# CPU. The raw JSON goes to bench/work/admission-<UTC time>.json.
#
# The numbers are for loopback on a 2-vCPU machine: the generator and the
# server share the two cores (the generator's CPU is reported for that
# reason), so the server would do better on cores of its own; and they are
# noise when anything else runs (see the run-queue wait column).
#
# Usage: [RATES="500 2000"] [BENCH_SECONDS=20] [WARMUP=5] [SOCKETS=32]
#        [MAMORI_TSX=1] bench/admission.sh
#   MAMORI_TSX=1 runs mamori from source (node --import tsx) instead of dist/.
#   NICE=-10 runs the server and the generator at that nice level (negative
#   needs root): on a machine shared with other work it gives their event
#   loops a larger share of the CPU (it cannot make the machine quiet).
#   MAMORI_CPU_PROF=DIR runs the server under `node --cpu-prof` and leaves
#   its .cpuprofile in DIR (open it in Chrome DevTools or speedscope).
# Needs (Debian): openssl curl jq; installed when missing and running as root.
set -euo pipefail
cd "$(dirname "$0")/.."
read -r -a rates <<<"${RATES:-500 2000}"
seconds=${BENCH_SECONDS:-20}
warmup=${WARMUP:-5}
sockets=${SOCKETS:-32}
nice_level=${NICE:-0}
[[ $nice_level =~ ^-?[0-9]+$ ]] || { echo "admission.sh: NICE must be an integer, got '$nice_level'" >&2; exit 2; }
for v in "${rates[@]}" "$seconds" "$sockets"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "admission.sh: settings must be positive integers, got '$v'" >&2; exit 2; }
done
[[ $warmup =~ ^[0-9]+$ ]] || { echo "admission.sh: WARMUP must be an integer, got '$warmup'" >&2; exit 2; }
work=bench/work
mkdir -p "$work"

# ---- tools ---------------------------------------------------------------
need=()
for t in openssl curl jq; do command -v "$t" >/dev/null || need+=("$t"); done
if [ ${#need[@]} -gt 0 ]; then
  [ "$(id -u)" = 0 ] || { echo "admission.sh: install ${need[*]} (apt-get install -y ${need[*]})" >&2; exit 1; }
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

# ---- scratch space and the server's lifetime ---------------------------------
tmp=$(mktemp -d "${TMPDIR:-/tmp}/mamori-bench-admission.XXXXXX")
srv_pid=''
cleanup() {
  if [ -n "$srv_pid" ]; then
    kill -TERM "$srv_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do
      kill -0 "$srv_pid" 2>/dev/null || break
      sleep 0.2
    done
    kill -KILL "$srv_pid" 2>/dev/null || true
    wait "$srv_pid" 2>/dev/null || true
  fi
  rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# ---- mamori (built when the sources are newer than dist/) -------------------
if [ "${MAMORI_TSX:-}" = 1 ]; then
  mamori=(--import tsx src/cli/bin.ts)
elif [ -f dist/cli/bin.js ] && [ -z "$(find src -name '*.ts' ! -name '*.test.ts' -newer dist/cli/bin.js -print -quit)" ]; then
  mamori=(dist/cli/bin.js)
elif npm run -s build >&2; then
  mamori=(dist/cli/bin.js)
else
  # tsc emits despite type errors (in files others are editing): a private copy.
  echo "admission.sh: the build failed; compiling a private copy under $tmp" >&2
  mkdir -p "$tmp/pkg"
  ln -s "$PWD/package.json" "$tmp/pkg/package.json"
  ln -s "$PWD/node_modules" "$tmp/pkg/node_modules"
  npx tsc -p tsconfig.build.json --outDir "$tmp/pkg/dist" >/dev/null 2>&1 || true
  if [ -f "$tmp/pkg/dist/cli/bin.js" ]; then
    mamori=("$tmp/pkg/dist/cli/bin.js")
  else
    echo "admission.sh: no private copy either; running mamori from source (tsx)" >&2
    mamori=(--import tsx src/cli/bin.ts)
  fi
fi
node_flags=()
if [ -n "${MAMORI_CPU_PROF:-}" ]; then
  mkdir -p "$MAMORI_CPU_PROF"
  node_flags=(--cpu-prof --cpu-prof-dir "$(cd "$MAMORI_CPU_PROF" && pwd)")
fi
echo "mamori: node ${node_flags[*]} ${mamori[*]}" >&2

# ---- certificate and configuration -------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -subj /CN=127.0.0.1 \
  -addext subjectAltName=IP:127.0.0.1 -addext extendedKeyUsage=serverAuth 2>/dev/null
# The port is chosen first: the policy names the registry itself by host:port.
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
openssl ecparam -genkey -name prime256v1 -noout -out "$tmp/cosign.key" 2>/dev/null
openssl pkey -in "$tmp/cosign.key" -pubout -out "$tmp/cosign.pub" 2>/dev/null
cat >"$tmp/mamori.yaml" <<YAML
server:
  log:
    level: warn
  gc:
    interval: '0'
policy:
  rules:
    - name: pod-security
      podSecurity: restricted:v1.30
      match: { excludeNamespaces: [kube-system] }
    - name: trusted-registries
      images:
        allowedRegistries: [registry.example.com/team, registry.example.com/platform, registry.k8s.io, '127.0.0.1:$port']
        requireDigest: false
        mutateToDigest: false
    - name: release-images
      match: { labels: { app.kubernetes.io/name: storefront } }
      images:
        allowedRegistries: ['127.0.0.1:$port']
        requireScan: true
        signatures: { keys: ['$tmp/cosign.pub'] }
    - name: resources
      isolation:
        requireResources: true
      match: { excludeNamespaces: [kube-system] }
    - name: pin-digests
      mode: warn
      images:
        requireDigest: true
YAML

# ---- the server ----------------------------------------------------------------
log="$tmp/server.log"
: >"$log"
admin_password=$(openssl rand -hex 16)
MAMORI_ADMIN_PASSWORD=$admin_password nice -n "$nice_level" node "${node_flags[@]}" "${mamori[@]}" server \
  --config "$tmp/mamori.yaml" --listen "127.0.0.1:$port" --data "$tmp/data" \
  --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem" 2>"$log" &
srv_pid=$!
ready=''
for _ in $(seq 1 150); do
  kill -0 "$srv_pid" 2>/dev/null || break
  if [ -n "$port" ] && [ "$(curl -s --max-time 2 --cacert "$tmp/cert.pem" -o /dev/null -w '%{http_code}' "https://127.0.0.1:$port/readyz")" = 200 ]; then
    ready=1
    break
  fi
  sleep 0.2
done
[ -n "$ready" ] || { echo "admission.sh: the server did not become ready:" >&2; tail -20 "$log" >&2; exit 1; }
url="https://127.0.0.1:$port/admission/validate?timeout=10s"
# One image of the registry itself, signed; the scan on push must be done before the load.
local_image="127.0.0.1:$port/team/storefront:1"
digest=$(NODE_EXTRA_CA_CERTS="$tmp/cert.pem" node bench/admission-push.mjs "https://127.0.0.1:$port" \
  "admin:$admin_password" team/storefront 1 "$tmp/cosign.key")
status=''
for _ in $(seq 1 300); do
  status=$(curl -s --cacert "$tmp/cert.pem" -u "admin:$admin_password" \
    "https://127.0.0.1:$port/api/v1/repositories/team%2Fstorefront/artifacts/$digest" | jq -r '.scan.status // empty')
  [ "$status" = scanned ] && break
  sleep 0.2
done
[ "$status" = scanned ] || { echo "admission.sh: the pushed image was not scanned (${status:-no answer})" >&2; exit 1; }
echo "pushed and signed $local_image ($digest), scanned" >&2
echo "server pid $srv_pid on port $port; $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg)" >&2
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
idle_rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$srv_pid/status")

# ---- the load ------------------------------------------------------------------
results=()
for rate in "${rates[@]}"; do
  echo "rate $rate/s: ${warmup}s warm-up, ${seconds}s measured" >&2
  out=$(nice -n "$nice_level" node bench/admission-load.mjs --url "$url" --ca "$tmp/cert.pem" --rate "$rate" \
    --seconds "$seconds" --warmup "$warmup" --sockets "$sockets" --server-pid "$srv_pid" --local-image "$local_image")
  kill -0 "$srv_pid" 2>/dev/null || { echo "admission.sh: the server died:" >&2; tail -20 "$log" >&2; exit 1; }
  results+=("$out")
  jq -c '{target_rate, achieved_rps, latency_ms, errors, send_lag_ms, max_outstanding}' <<<"$out" >&2
done

# ---- report -----------------------------------------------------------------------
echo
echo "| target req/s | achieved | p50 ms | p90 ms | p99 ms | max ms | p99 from send ms | errors | allowed | denied | server CPU s (% of a core) | server run-queue wait s | server RSS / peak MiB | generator CPU s (%) |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for r in "${results[@]}"; do
  jq -r '"| \(.target_rate) | \(.achieved_rps) | \(.latency_ms.p50) | \(.latency_ms.p90) | \(.latency_ms.p99) | \(.latency_ms.max) | \(.latency_from_send_ms.p99) | \(.errors.total) | \(.verdicts.allowed) | \(.verdicts.denied) | \(.server.cpu_s) (\(.server.cpu_pct_of_one_core) %) | \(.server.main_thread_runqueue_wait_s) | \(.server.rss_kb / 1024 | floor) / \(.server.peak_rss_kb / 1024 | floor) | \(.generator.cpu_s) (\(.generator.cpu_pct_of_one_core) %) |"' <<<"$r"
done
echo
echo "server idle RSS before the load: $((idle_rss / 1024)) MiB; $(nproc) vCPUs shared by server and generator; nice $nice_level; load average $load_start at the start"
grep -v 'registry listening on' "$log" | tail -5 | cut -c1-300 >&2 || true

raw="$work/admission-$(date -u +%Y%m%dT%H%M%SZ).json"
printf '%s\n' "${results[@]}" | jq -s \
  --arg date "$(date -u +%FT%TZ)" \
  --arg node "$(node --version)" --arg mamori "${mamori[*]}" --arg cpus "$(nproc)" \
  --arg load_start "$load_start" --arg load_end "$(cut -d' ' -f1-3 /proc/loadavg)" --argjson idle "$idle_rss" \
  --argjson settings "{\"seconds\":$seconds,\"warmup\":$warmup,\"sockets\":$sockets,\"nice\":$nice_level}" \
  '{date: $date, settings: $settings, versions: {node: $node, mamori: $mamori},
    host: {cpus: ($cpus | tonumber), loadavg_start: $load_start, loadavg_end: $load_end},
    server_idle_rss_kb: $idle, runs: .}' >"$raw"
echo "raw results: $raw" >&2
