#!/usr/bin/env bash
# Benchmark of the whole `mamori sensor` agent as a user runs it (bpftrace
# sensor, container attribution, enrichment, detections, behaviour profiles,
# drift, the --events-out stream, /metrics) in a process of its own, watching
# a real runc container from the Debian 12 test root filesystem. Driver:
# bench/sensor-agent.mjs (see its header for the details).
#
# (a) Exec-to-alert latency: ALERTS execs of /bin/sh at ALERT_RATE/s inside
#     the container (the C load generator of src/sensor/e2e, started with
#     runc exec, puts each spawn's CLOCK_REALTIME time in the shell's argv),
#     each raising MR001 "Shell spawned in a container"; measured from the
#     spawn to the moment the alert's line is read from the --events-out
#     file (tailed with inotify). Alerts expected vs seen, p50/p90/p99/max.
# (b) Agent CPU at EXEC_RATE exec/s for CPU_SECONDS (after WARM_SECONDS of the
#     same load, default 10: a long-running agent's code is compiled by then):
#     utime + stime of the agent's node process and of its bpftrace child
#     from /proc/PID/stat, as % of one core; exec events produced vs
#     processed, drops by source (from the agent's /metrics). Once per
#     program in PROGRAMS (default both): the static no-op copied into the
#     container's /tmp (not in the image, so every exec is also an MD001
#     drift alert: its exec-to-alert latency under load is reported too) and
#     /bin/true (in the image: no alert, the benign case).
#
# Prints a Markdown table; the raw JSON goes to bench/work/sensor-agent-<UTC>.json.
# The machine has 2 cores shared by the generator, bpftrace, the agent, the
# driver and whatever else runs: load average before and after is printed,
# and other bpftrace processes are listed as a warning.
#
# Usage: [ALERTS=200] [ALERT_RATE=20] [EXEC_RATE=1000] [CPU_SECONDS=20] [WARM_SECONDS=10]
#        [PROGRAMS="/tmp/noop /bin/true"] bench/sensor-agent.sh
#   SENSOR_FLAGS="--no-compact-execs" passes flags to `mamori sensor` (there:
#   every exec reported in full, for comparison with exec compaction).
#   MAMORI_CPU_PROF=DIR runs the agent under `node --cpu-prof` and leaves its
#   .cpuprofile in DIR.
# Needs root; Debian packages bpftrace runc gcc libc6-dev jq (installed when missing).
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "sensor-agent.sh: needs root (bpftrace, runc, cgroups)" >&2; exit 1; }
alerts=${ALERTS:-200}
alert_rate=${ALERT_RATE:-20}
exec_rate=${EXEC_RATE:-1000}
cpu_seconds=${CPU_SECONDS:-20}
warm_seconds=${WARM_SECONDS:-10}
programs=${PROGRAMS:-/tmp/noop /bin/true}
for v in "$alerts" "$alert_rate" "$exec_rate" "$cpu_seconds" "$warm_seconds"; do
  [[ $v =~ ^[1-9][0-9]*$ ]] || { echo "sensor-agent.sh: settings must be positive integers, got '$v'" >&2; exit 2; }
done
for p in $programs; do
  case $p in /tmp/noop | /bin/true) ;; *) echo "sensor-agent.sh: PROGRAMS: /tmp/noop and/or /bin/true, got '$p'" >&2; exit 2 ;; esac
done
need=()
for t in bpftrace runc gcc jq; do command -v "$t" >/dev/null || need+=("$t"); done
[ -f /usr/include/stdio.h ] || need+=(libc6-dev)
if [ ${#need[@]} -gt 0 ]; then
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
mountpoint -q /sys/kernel/tracing || mount -t tracefs nodev /sys/kernel/tracing 2>/dev/null || true
work=bench/work
mkdir -p "$work"
out="$work/sensor-agent-$(date -u +%Y%m%dT%H%M%SZ).json"

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) cores)" >&2
others=$(pgrep -x bpftrace | tr '\n' ' ' || true)
[ -z "$others" ] || echo "sensor-agent.sh: warning: other bpftrace processes are running (pids $others): they compete for the CPU" >&2
res=$(node --import tsx bench/sensor-agent.mjs --alerts "$alerts" --alert-rate "$alert_rate" \
  --exec-rate "$exec_rate" --seconds "$cpu_seconds" --warm "$warm_seconds" --programs "$programs")
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
left=$(pgrep -x bpftrace | tr '\n' ' ' || true)
[ "$left" = "$others" ] || echo "sensor-agent.sh: warning: bpftrace processes now: '$left' (before: '$others')" >&2
jq --arg bpftrace "$(bpftrace --version)" --arg kernel "$(uname -r)" --arg runc "$(runc --version | head -1)" \
  '. + {bpftraceVersion: $bpftrace, kernel: $kernel, runc: $runc}' <<<"$res" >"$out"

echo "### mamori sensor (whole agent): exec-to-alert latency, $alerts MR001 alerts at $alert_rate/s"
echo
echo "| alerts expected | seen | spawn → alert line p50 ms | p90 | p99 | max | spawn → kernel exec p50 / p99 ms | kernel exec → alert line p50 / p99 ms | machine busy % (all cores) |"
echo "|---:|---:|---:|---:|---:|---:|---|---|---:|"
jq -r '.latency | "| \(.expected) | \(.seen) | \(.spawnToAlertLineMs.p50) | \(.spawnToAlertLineMs.p90) | \(.spawnToAlertLineMs.p99) | \(.spawnToAlertLineMs.max) | \(.spawnToKernelExecMs.p50) / \(.spawnToKernelExecMs.p99) | \(.kernelExecToAlertLineMs.p50) / \(.kernelExecToAlertLineMs.p99) | \(.hostCpuBusyPercent) |"' "$out"
echo
echo "### mamori sensor (whole agent${SENSOR_FLAGS:+, $SENSOR_FLAGS}): CPU at $exec_rate exec/s ($cpu_seconds s after $warm_seconds s of warm-up)"
echo
echo "| program | achieved exec/s | agent node CPU % | bpftrace CPU % | total % of one core | execs produced | exec events processed | of them compacted | drift alerts | exec → alert line p50 / p99 / max ms | drops | machine busy % (all cores) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---:|"
jq -r '.cpu[] | "| \(.program) | \(.achievedRate) | \(.cpuPercent.agentNode) | \(.cpuPercent.bpftrace) | \(.cpuPercent.total) | \(.produced) | \(.execEventsProcessed) | \(.execRepeats) | \(.driftAlertsForTheExecs // "—") | \(if .execToAlertLineMs then "\(.execToAlertLineMs.p50) / \(.execToAlertLineMs.p99) / \(.execToAlertLineMs.max)" else "—" end) | \(.drops | to_entries | map("\(.key) \(.value)") | join(", ") | if . == "" then "none" else . end) | \(.cpuPercent.hostAllCores) |"' "$out"
echo
echo "Raw results: $out"
