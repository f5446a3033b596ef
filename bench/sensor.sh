#!/usr/bin/env bash
# Benchmark of mamori's runtime sensor (src/sensor/bpftrace): the default
# sensor script (every event family) through bpftrace 0.17 and the node
# consumer, filtered to a fresh cgroup v2 directory in which the C load
# generator of src/sensor/e2e/testdata (built with gcc at run time) makes the
# events. Driver: bench/sensor-load.mjs (see its header for the details).
#
# (a) Sustained events/s before drops: UDP sendto() events (one perf record
#     each) at UDP_RATES, then exec events (posix_spawn of a static no-op,
#     six records each plus an exit record) at EXEC_RATES, STEP_SECONDS per
#     rate with a fresh sensor each time; the last rate at which every event
#     was delivered and nothing was dropped.
# (b) Sensor CPU at CPU_EXEC_RATE exec/s for CPU_SECONDS (after 3 s of
#     warm-up): utime + stime of the bpftrace process and of the node
#     process from /proc/PID/stat, as % of one core. BPF program time runs in
#     the context of the traced processes and is not in this number. A
#     second run with only the exec family shows what the other families
#     (exit records, syscall sets, …) add.
# (c) Exec-to-event latency p50/p90/p99/max in the same run: the generator
#     puts each exec's CLOCK_REALTIME time in its argv; the consumer compares
#     it with the wall clock when the event comes out of the sensor's queue.
#
# Prints a Markdown table; the raw JSON goes to bench/work/sensor-<UTC>.json.
# Load average before and after is printed: the machine has 2 cores shared by
# the generator, bpftrace, node and whatever else runs. Other bpftrace
# processes already running are listed as a warning: one that traces every
# cgroup runs its probes on the generator's syscalls too and takes its CPU.
#
# Usage: [UDP_RATES="10000 …"] [EXEC_RATES="500 …"] [STEP_SECONDS=5]
#        [CPU_EXEC_RATE=1000] [CPU_SECONDS=20] bench/sensor.sh
#   MAMORI_CPU_PROF=DIR runs the node side under `node --cpu-prof` and leaves
#   its .cpuprofile files in DIR.
# Needs root; Debian packages bpftrace gcc libc6-dev jq (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "sensor.sh: needs root (bpftrace, cgroups)" >&2; exit 1; }
udp_rates=${UDP_RATES:-10000 20000 30000 40000 50000 60000 80000 100000}
exec_rates=${EXEC_RATES:-500 1000 2000 3000 4000 6000}
step=${STEP_SECONDS:-5}
cpu_rate=${CPU_EXEC_RATE:-1000}
cpu_seconds=${CPU_SECONDS:-20}
for v in $udp_rates $exec_rates "$step" "$cpu_rate" "$cpu_seconds"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "sensor.sh: settings must be positive integers, got '$v'" >&2; exit 2; }
done
need=()
for t in bpftrace gcc jq; do command -v "$t" >/dev/null || need+=("$t"); done
[ -f /usr/include/stdio.h ] || need+=(libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
work=bench/work
mkdir -p "$work"
out="$work/sensor-$(date -u +%Y%m%dT%H%M%SZ).json"
node_cmd=(node)
if [ -n "${MAMORI_CPU_PROF:-}" ]; then
  mkdir -p "$MAMORI_CPU_PROF"
  node_cmd+=(--cpu-prof --cpu-prof-dir "$MAMORI_CPU_PROF")
fi
load() { "${node_cmd[@]}" --import tsx bench/sensor-load.mjs "$@"; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)" >&2
others=$(pgrep -x bpftrace | tr '\n' ' ' || true)
[ -z "$others" ] || echo "sensor.sh: warning: other bpftrace processes are running (pids $others): they may trace the load too" >&2
udp=$(load --mode ramp --kind udp --rates "$udp_rates" --seconds "$step")
exe=$(load --mode ramp --kind exec --rates "$exec_rates" --seconds "$step")
cpu=$(load --mode cpu --exec-rate "$cpu_rate" --seconds "$cpu_seconds")
cpu_exec=$(load --mode cpu --exec-rate "$cpu_rate" --seconds "$cpu_seconds" --families exec)
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
jq -n --argjson udp "$udp" --argjson exec "$exe" --argjson cpu "$cpu" --argjson cpuExec "$cpu_exec" \
  --arg load "$(cut -d' ' -f1-3 /proc/loadavg)" --arg bpftrace "$(bpftrace --version)" --arg kernel "$(uname -r)" \
  '{udp: $udp, exec: $exec, cpu: $cpu, cpuExecOnly: $cpuExec, loadavgAfter: $load, bpftrace: $bpftrace, kernel: $kernel}' >"$out"

echo "### Sustained events/s (STEP_SECONDS=$step per rate)"
echo
jq -r '"Generator alone (no sensor): \(.kind) \(.baselineWithoutSensor.achieved)/s at \(.baselineWithoutSensor.generatorMicrosPerEvent) µs of its own CPU per event."' <<<"$udp"
echo
echo "| events | target/s | achieved/s | delivered | dropped kernel/queue/parse | bpftrace CPU % | node CPU % | sensor CPU µs/event | generator CPU µs/event |"
echo "|---|---:|---:|---:|---|---:|---:|---:|---:|"
for r in "$udp" "$exe"; do
  jq -r '.kind as $k | .steps[] | "| \($k) | \(.target) | \(.achieved)\(if .generatorLimited then " (generator limit)" else "" end) | \(.delivered) of \(.produced) | \(.dropped.kernel)/\(.dropped.queue)/\(.dropped.parse) | \(.cpuPercent.bpftrace) | \(.cpuPercent.node) | \(.cpuMicrosPerEvent) | \(.generatorMicrosPerEvent) |"' <<<"$r"
done
echo
jq -r '"Last rate without drops: \(.kind) \(.lastRateWithoutDrops // "none")/s (without kernel or queue drops: \(.lastRateWithoutKernelOrQueueDrops // "none")/s)"' <<<"$udp"
jq -r '"Last rate without drops: \(.kind) \(.lastRateWithoutDrops // "none")/s (without kernel or queue drops: \(.lastRateWithoutKernelOrQueueDrops // "none")/s)"' <<<"$exe"
echo
echo "### Sensor CPU and exec-to-event latency at $cpu_rate exec/s ($cpu_seconds s)"
echo
echo "| families | achieved exec/s | bpftrace CPU % | node CPU % | total % of one core | latency p50 ms | p90 | p99 | max | samples | dropped kernel/queue/parse |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
jq -r '"| \(.families) | \(.achievedRate) | \(.cpuPercent.bpftrace) | \(.cpuPercent.node) | \(.cpuPercent.total) | \(.latencyMs.p50) | \(.latencyMs.p90) | \(.latencyMs.p99) | \(.latencyMs.max) | \(.latencyMs.samples) | \(.dropped.kernel)/\(.dropped.queue)/\(.dropped.parse) |"' <<<"$cpu"
jq -r '"| \(.families | join(",")) | \(.achievedRate) | \(.cpuPercent.bpftrace) | \(.cpuPercent.node) | \(.cpuPercent.total) | \(.latencyMs.p50) | \(.latencyMs.p90) | \(.latencyMs.p99) | \(.latencyMs.max) | \(.latencyMs.samples) | \(.dropped.kernel)/\(.dropped.queue)/\(.dropped.parse) |"' <<<"$cpu_exec"
echo
echo "Raw results: $out"
