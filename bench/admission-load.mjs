#!/usr/bin/env node
// Open-loop HTTPS load generator of bench/admission.sh: AdmissionReview v1
// POSTs to mamori's validating webhook at a constant rate, the way the
// Kubernetes API server sends them (keep-alive connections, a bounded pool).
//
// Open loop: request i is due at start + i / RATE whether or not earlier
// answers came back, and its latency runs from that scheduled time to the
// last byte of the answer, so time spent waiting for a free connection or in
// a late timer counts (no coordinated omission). `send_lag_ms` says how late
// the generator itself sent (its own event loop being busy shows there).
//
// The bodies are realistic Deployments (~5 KB; two containers and an
// initContainer with securityContext, resources, probes, env, volumes,
// labels and annotations) in a fixed mix of allowed, warned and denied ones
// against the policy bench/admission.sh writes; every request has its own
// uid. An answer counts as an error unless it is HTTP 200 with an
// AdmissionReview v1 answering the same uid; an answer whose verdict is not
// the one the body was made for is counted under errors.verdict. A request
// without an answer after --timeout-ms (10 s, the API server's default
// webhook timeout) is an error too, and its connection is closed, as the
// API server's client does.
//
// With --server-pid the server's CPU time (utime + stime from
// /proc/PID/stat) and memory (VmRSS, and VmHWM reset at the start of the
// measured window) are read at the edges of the measured window; the
// generator's own CPU time is always reported (it shares the machine), and
// so is the time each event-loop thread waited on a run queue (from
// /proc/PID/task/TID/schedstat): when it is large, the scheduler gave the
// CPU to other work and the latencies say more about the machine.
//
// Prints one JSON object (latencies in milliseconds).
// `--bodies` prints the mix instead, one JSON line per kind of request.
// Usage: node bench/admission-load.mjs --url https://127.0.0.1:PORT/admission/validate?timeout=10s
//          --ca CERT.pem --rate 500 --seconds 20 [--warmup 5] [--sockets 32]
//          [--timeout-ms 10000] [--server-pid PID] [--local-image HOST:PORT/REPO:TAG]
//        node bench/admission-load.mjs --bodies
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { clearTimeout, setTimeout } from 'node:timers';
import { parseArgs } from 'node:util';

const { values: opt } = parseArgs({
  options: {
    url: { type: 'string' },
    ca: { type: 'string' },
    rate: { type: 'string' },
    seconds: { type: 'string', default: '20' },
    warmup: { type: 'string', default: '0' },
    sockets: { type: 'string', default: '32' },
    'timeout-ms': { type: 'string', default: '10000' },
    'server-pid': { type: 'string' },
    'local-image': { type: 'string' },
    bodies: { type: 'boolean', default: false },
  },
});
const rate = Number(opt.rate);
const seconds = Number(opt.seconds);
const warmup = Number(opt.warmup);
const sockets = Number(opt.sockets);
const timeoutMs = Number(opt['timeout-ms']);
const serverPid = opt['server-pid'] === undefined ? undefined : Number(opt['server-pid']);
if (
  !opt.bodies &&
  (!opt.url ||
    !opt.ca ||
    !(rate > 0 && rate <= 100_000) ||
    !(seconds > 0 && seconds <= 3600) ||
    !(warmup >= 0 && warmup <= 600) ||
    !(Number.isInteger(sockets) && sockets > 0 && sockets <= 4096) ||
    !(timeoutMs > 0) ||
    (serverPid !== undefined && !(Number.isInteger(serverPid) && serverPid > 0)))
) {
  console.error(
    'usage: admission-load.mjs --url URL --ca CERT --rate N --seconds S [--warmup S] [--sockets N] [--timeout-ms MS] [--server-pid PID] | --bodies',
  );
  process.exit(2);
}

// ---- bodies ------------------------------------------------------------------
const REG = 'registry.example.com';
const DIGEST = 'sha256:4c5e1f0e8b3a9d27c6f1a0b2e3d4c5b6a7f8e9d0c1b2a3f4e5d6c7b8a9f0e1d2';

const restrictedSc = () => ({
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  runAsNonRoot: true,
  runAsUser: 10001,
  capabilities: { drop: ['ALL'] },
  seccompProfile: { type: 'RuntimeDefault' },
});
const res = (cpu, mem) => ({
  requests: { cpu: `${cpu}m`, memory: `${mem}Mi` },
  limits: { cpu: `${cpu * 4}m`, memory: `${mem * 2}Mi` },
});
const probe = (path, port, delay) => ({
  httpGet: { path, port, scheme: 'HTTP' },
  initialDelaySeconds: delay,
  periodSeconds: 10,
  timeoutSeconds: 2,
  failureThreshold: 3,
});

/** A Deployment as `kubectl apply` creates it; `v` tweaks it into one of the mix's variants. */
function deployment(app, namespace, v = {}) {
  const image = v.image ?? `${REG}/team/${app}:2.14.3`;
  const labels = {
    'app.kubernetes.io/name': app,
    'app.kubernetes.io/instance': `${app}-prod`,
    'app.kubernetes.io/version': '2.14.3',
    'app.kubernetes.io/component': 'backend',
    'app.kubernetes.io/part-of': 'storefront',
    'app.kubernetes.io/managed-by': 'Helm',
    'helm.sh/chart': `${app}-1.8.0`,
    team: 'payments',
  };
  const app_ = {
    name: app,
    image,
    imagePullPolicy: 'IfNotPresent',
    args: ['--config=/etc/app/config.yaml', '--listen=:8080', '--metrics=:9090'],
    ports: [
      { name: 'http', containerPort: 8080, protocol: 'TCP' },
      { name: 'metrics', containerPort: 9090, protocol: 'TCP' },
    ],
    env: [
      { name: 'APP_ENV', value: 'production' },
      { name: 'LOG_LEVEL', value: 'info' },
      { name: 'POD_NAME', valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.name' } } },
      {
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: `${app}-db`, key: 'url', optional: false } },
      },
    ],
    resources: res(250, 256),
    livenessProbe: probe('/healthz', 'http', 10),
    readinessProbe: probe('/readyz', 'http', 2),
    volumeMounts: [
      { name: 'config', mountPath: '/etc/app', readOnly: true },
      { name: 'tmp', mountPath: '/tmp' },
      { name: 'token', mountPath: '/var/run/secrets/tokens', readOnly: true },
    ],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    securityContext: { ...restrictedSc(), ...v.appSc },
  };
  const sidecar = {
    name: 'envoy',
    image: v.sidecarImage ?? `${REG}/platform/envoy:v1.31.2@${DIGEST}`,
    imagePullPolicy: 'IfNotPresent',
    args: ['--config-path', '/etc/envoy/envoy.yaml', '--log-level', 'warn'],
    ports: [{ name: 'https', containerPort: 8443, protocol: 'TCP' }],
    ...(v.sidecarNoResources ? {} : { resources: res(100, 128) }),
    readinessProbe: probe('/ready', 9901, 1),
    volumeMounts: [{ name: 'envoy', mountPath: '/etc/envoy', readOnly: true }],
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    securityContext: restrictedSc(),
  };
  const init = {
    name: 'migrate',
    image: v.initImage ?? `${REG}/team/${app}-migrate:2.14.3`,
    imagePullPolicy: 'IfNotPresent',
    command: ['/usr/local/bin/migrate', 'up', '--timeout=120s'],
    env: [
      {
        name: 'DATABASE_URL',
        valueFrom: { secretKeyRef: { name: `${app}-db`, key: 'url', optional: false } },
      },
    ],
    resources: res(100, 64),
    terminationMessagePath: '/dev/termination-log',
    terminationMessagePolicy: 'File',
    securityContext: restrictedSc(),
  };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: app,
      namespace,
      labels,
      annotations: {
        'meta.helm.sh/release-name': `${app}-prod`,
        'meta.helm.sh/release-namespace': namespace,
      },
    },
    spec: {
      replicas: 3,
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
      selector: {
        matchLabels: { 'app.kubernetes.io/name': app, 'app.kubernetes.io/instance': `${app}-prod` },
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: {
            'app.kubernetes.io/name': app,
            'app.kubernetes.io/instance': `${app}-prod`,
            'app.kubernetes.io/version': '2.14.3',
          },
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': '9090',
            'checksum/config': '9f2c4b1d0e7a6c5b3a29180f7e6d5c4b3a2918f0e7d6c5b4a3928170f6e5d4c3',
          },
        },
        spec: {
          serviceAccountName: app,
          automountServiceAccountToken: false,
          enableServiceLinks: false,
          terminationGracePeriodSeconds: 30,
          dnsPolicy: 'ClusterFirst',
          restartPolicy: 'Always',
          schedulerName: 'default-scheduler',
          priorityClassName: 'business-critical',
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 10001,
            runAsGroup: 10001,
            fsGroup: 10001,
            seccompProfile: { type: 'RuntimeDefault' },
            ...v.podSc,
          },
          ...(v.hostNetwork ? { hostNetwork: true } : {}),
          nodeSelector: { 'kubernetes.io/os': 'linux' },
          initContainers: [init],
          containers: [app_, sidecar],
          volumes: [
            { name: 'config', configMap: { name: `${app}-config`, defaultMode: 420 } },
            { name: 'envoy', configMap: { name: `${app}-envoy`, defaultMode: 420 } },
            { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
            {
              name: 'token',
              projected: {
                defaultMode: 420,
                sources: [
                  { serviceAccountToken: { audience: 'vault', expirationSeconds: 3600, path: 'token' } },
                ],
              },
            },
            ...(v.hostPath ? [{ name: 'host', hostPath: { path: '/var/run', type: 'Directory' } }] : []),
          ],
        },
      },
    },
  };
}

/**
 * The mix: [weight, expected allowed, namespace, object]. Against the policy of
 * bench/admission.sh: Pod Security restricted (enforced everywhere but
 * kube-system), allowed registries, CPU/memory requests and limits, and a
 * warn-mode rule asking for digests (every tag-referenced image warns).
 */
const MIX = [
  [30, true, 'shop', deployment('checkout', 'shop')],
  [15, true, 'payments', deployment('ledger', 'payments', { image: `${REG}/team/ledger@${DIGEST}` })],
  [10, true, 'search', deployment('indexer', 'search')],
  [
    5,
    true,
    'kube-system',
    deployment('kube-proxy', 'kube-system', {
      image: 'registry.k8s.io/kube-proxy:v1.30.4',
      appSc: { privileged: true, runAsNonRoot: false, runAsUser: 0, allowPrivilegeEscalation: true },
      podSc: { runAsNonRoot: false, runAsUser: 0 },
      hostNetwork: true,
      hostPath: true,
    }),
  ],
  // Pod Security: a privileged container with privilege escalation.
  [
    10,
    false,
    'shop',
    deployment('debug', 'shop', { appSc: { privileged: true, allowPrivilegeEscalation: true } }),
  ],
  // Pod Security: runs as root, no seccomp profile, a hostPath volume.
  [
    10,
    false,
    'search',
    deployment('crawler', 'search', {
      appSc: { runAsNonRoot: false, runAsUser: 0, seccompProfile: undefined },
      podSc: { runAsNonRoot: false, runAsUser: 0, seccompProfile: undefined },
      hostPath: true,
    }),
  ],
  // Image rule: pulled straight from Docker Hub.
  [10, false, 'shop', deployment('cache', 'shop', { image: 'docker.io/library/redis:7.4' })],
  // Isolation rule: the sidecar sets no resources.
  [10, false, 'payments', deployment('notifier', 'payments', { sidecarNoResources: true })],
  // An image of the mamori registry itself: its tag's digest, scan result and
  // signature are looked up (once, then cached by digest).
  ...(opt['local-image']
    ? [
        [
          20,
          true,
          'shop',
          deployment('storefront', 'shop', {
            image: opt['local-image'],
            sidecarImage: opt['local-image'],
            initImage: opt['local-image'],
          }),
        ],
      ]
    : []),
];
const UID = '\u0000uid\u0000';
const kinds = MIX.map(([weight, allowed, namespace, object]) => {
  const review = JSON.stringify({
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: UID,
      kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      resource: { group: 'apps', version: 'v1', resource: 'deployments' },
      requestKind: { group: 'apps', version: 'v1', kind: 'Deployment' },
      requestResource: { group: 'apps', version: 'v1', resource: 'deployments' },
      name: object.metadata.name,
      namespace,
      operation: 'CREATE',
      userInfo: {
        username: 'system:serviceaccount:argocd:argocd-application-controller',
        uid: '0d6b5b7e-2f43-4c51-9a0e-6a3f1c2b9e11',
        groups: ['system:serviceaccounts', 'system:serviceaccounts:argocd', 'system:authenticated'],
      },
      object,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions', fieldManager: 'argocd-controller' },
    },
  });
  const [head, tail] = review.split(JSON.stringify(UID).slice(1, -1));
  return { weight, allowed, head, tail, bytes: Buffer.byteLength(head) + 36 + Buffer.byteLength(tail) };
});
// A fixed, interleaved order of the kinds by weight (a smooth weighted round robin).
const order = [];
{
  const total = kinds.reduce((a, k) => a + k.weight, 0);
  const cur = kinds.map(() => 0);
  for (let n = 0; n < total; n++) {
    kinds.forEach((k, i) => (cur[i] += k.weight));
    const best = cur.indexOf(Math.max(...cur));
    cur[best] -= total;
    order.push(best);
  }
}
if (opt.bodies) {
  // The mix itself, one line each: {weight, allowed, review} (for profiling or `mamori policy test`).
  kinds.forEach((k, i) =>
    console.log(
      JSON.stringify({
        weight: k.weight,
        allowed: k.allowed,
        review: JSON.parse(`${k.head}body-${i}${k.tail}`),
      }),
    ),
  );
  process.exit(0);
}
const target = new URL(opt.url);
const ca = readFileSync(opt.ca);

// ---- /proc of the server -------------------------------------------------------
const CLK_TCK = 100; // USER_HZ, 100 on every Linux architecture mamori targets
function serverCpuSeconds() {
  if (serverPid === undefined) return undefined;
  try {
    const stat = readFileSync(`/proc/${serverPid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) / CLK_TCK; // utime, stime (fields 14 and 15)
  } catch {
    return undefined;
  }
}
/**
 * Seconds a thread spent waiting on a run queue (runnable but not running,
 * the second field of /proc/PID/task/TID/schedstat): CPU the scheduler gave
 * to other work. Large values mean the measurement is about the machine.
 */
function runQueueWaitS(pid, tid = pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[1]) / 1e9;
  } catch {
    return undefined;
  }
}
function serverMemKb() {
  if (serverPid === undefined) return undefined;
  try {
    const s = readFileSync(`/proc/${serverPid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
    return { rss: kb('VmRSS'), hwm: kb('VmHWM') };
  } catch {
    return undefined;
  }
}
function resetServerHwm() {
  if (serverPid === undefined) return;
  try {
    writeFileSync(`/proc/${serverPid}/clear_refs`, '5');
  } catch {
    // not ours to reset: VmHWM is then the peak since the start
  }
}

// ---- the load ------------------------------------------------------------------
const agent = new https.Agent({ keepAlive: true, maxSockets: sockets, maxFreeSockets: sockets, ca });
const now = () => Number(process.hrtime.bigint()) / 1e6; // ms
const interval = 1000 / rate;
const warmN = Math.round(warmup * rate);
const totalN = warmN + Math.round(seconds * rate);
const latencies = new Float64Array(totalN - warmN);
const sendLag = new Float64Array(totalN - warmN);
const fromSend = new Float64Array(totalN - warmN);
let measured = 0;
const errors = { connect: 0, http: 0, timeout: 0, invalid: 0, uid: 0, verdict: 0 };
const counts = { allowed: 0, denied: 0, warned: 0 };
const byKind = kinds.map(() => ({ sent: 0, allowed: 0, denied: 0 }));
let outstanding = 0;
let maxOutstanding = 0;
let done = 0;
let start = 0;
let mark; // the state at the start of the measured window
let finished;
const allDone = new Promise((r) => (finished = r));
const loopDelay = monitorEventLoopDelay({ resolution: 1 });

function complete(i, sched, sentAt, result) {
  outstanding--;
  if (i >= warmN) {
    const error = result.error;
    if (error) errors[error]++;
    else {
      const t = result.at;
      latencies[measured] = t - sched;
      sendLag[measured] = sentAt - sched;
      fromSend[measured] = t - sentAt;
      measured++;
      if (result.allowed) counts.allowed++;
      else counts.denied++;
      if (result.warned) counts.warned++;
    }
  }
  if (++done === totalN) finished();
}

function send(i) {
  const sched = start + i * interval;
  if (i === warmN) beginWindow();
  const k = order[i % order.length];
  const kind = kinds[k];
  const uid = randomUUID();
  const body = kind.head + uid + kind.tail;
  outstanding++;
  if (outstanding > maxOutstanding) maxOutstanding = outstanding;
  const sentAt = now();
  let settled = false;
  // A deadline for the whole exchange, waiting for a socket included (the
  // request's own `timeout` only watches an idle socket).
  const timer = setTimeout(() => {
    finish({ error: 'timeout' });
    req.destroy();
  }, timeoutMs);
  const finish = (result) => {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    complete(i, sched, sentAt, result);
  };
  const req = https.request(
    {
      agent,
      method: 'POST',
      hostname: target.hostname,
      port: target.port,
      path: target.pathname + target.search,
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, */*',
        'content-length': Buffer.byteLength(body),
        'user-agent': 'kube-apiserver-admission',
      },
    },
    (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('error', () => finish({ error: 'connect' }));
      res.on('end', () => {
        const at = now();
        if (res.statusCode !== 200) return finish({ error: 'http' });
        let answer;
        try {
          answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          return finish({ error: 'invalid' });
        }
        const r = answer?.response;
        if (
          answer?.apiVersion !== 'admission.k8s.io/v1' ||
          answer?.kind !== 'AdmissionReview' ||
          typeof r !== 'object' ||
          r === null ||
          typeof r.allowed !== 'boolean'
        ) {
          return finish({ error: 'invalid' });
        }
        if (r.uid !== uid) return finish({ error: 'uid' });
        if (i >= warmN) {
          const s = byKind[k];
          s.sent++;
          if (r.allowed) s.allowed++;
          else s.denied++;
        }
        if (r.allowed !== kind.allowed) return finish({ error: 'verdict' });
        finish({ at, allowed: r.allowed, warned: Array.isArray(r.warnings) && r.warnings.length > 0 });
      });
    },
  );
  req.on('error', () => finish({ error: 'connect' }));
  req.end(body);
}

function beginWindow() {
  resetServerHwm();
  loopDelay.reset();
  mark = {
    t: now(),
    cpu: process.cpuUsage(),
    server: serverCpuSeconds(),
    serverWait: serverPid === undefined ? undefined : runQueueWaitS(serverPid),
    ownWait: runQueueWaitS(process.pid),
  };
}

let next = 0;
function tick() {
  const t = now();
  while (next < totalN && start + next * interval <= t) send(next++);
  if (next < totalN) setTimeout(tick, Math.max(0, start + next * interval - now()));
}

loopDelay.enable();
start = now();
if (warmN === 0) beginWindow();
tick();
await allDone;
const end = now();
const cpu = process.cpuUsage(mark.cpu);
const serverCpu = serverCpuSeconds();
const serverWait = serverPid === undefined ? undefined : runQueueWaitS(serverPid);
const ownWait = runQueueWaitS(process.pid);
const waited = (a, b) => (a !== undefined && b !== undefined ? r3(a - b) : null);
const mem = serverMemKb();
loopDelay.disable();
agent.destroy();

// ---- summary -------------------------------------------------------------------
const lat = latencies.subarray(0, measured).sort();
const lag = sendLag.subarray(0, measured).sort();
const sent = fromSend.subarray(0, measured).sort();
const pct = (a, p) => (a.length ? a[Math.min(a.length - 1, Math.ceil((p / 100) * a.length) - 1)] : 0);
const r3 = (x) => Math.round(x * 1000) / 1000;
const windowS = (end - mark.t) / 1000;
const errorsTotal = Object.values(errors).reduce((a, b) => a + b, 0);
console.log(
  JSON.stringify({
    target_rate: rate,
    seconds,
    warmup_s: warmup,
    sockets,
    // Requests scheduled in the measured window over the time to their last answer.
    requests: totalN - warmN,
    ok: measured,
    achieved_rps: r3(measured / windowS),
    window_s: r3(windowS),
    latency_ms: {
      mean: r3(lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : 0),
      p50: r3(pct(lat, 50)),
      p90: r3(pct(lat, 90)),
      p99: r3(pct(lat, 99)),
      p999: r3(pct(lat, 99.9)),
      max: r3(lat.length ? lat[lat.length - 1] : 0),
    },
    // From the moment the generator handed the request to the agent: without
    // its own timer and event-loop lateness (still with the wait for a socket).
    latency_from_send_ms: {
      p50: r3(pct(sent, 50)),
      p90: r3(pct(sent, 90)),
      p99: r3(pct(sent, 99)),
      max: r3(sent.length ? sent[sent.length - 1] : 0),
    },
    send_lag_ms: {
      p50: r3(pct(lag, 50)),
      p99: r3(pct(lag, 99)),
      max: r3(lag.length ? lag[lag.length - 1] : 0),
    },
    max_outstanding: maxOutstanding,
    errors: { total: errorsTotal, ...errors },
    verdicts: counts,
    by_kind: kinds.map((k, i) => ({ expect_allowed: k.allowed, body_bytes: k.bytes, ...byKind[i] })),
    generator: {
      cpu_s: r3((cpu.user + cpu.system) / 1e6),
      cpu_pct_of_one_core: Math.round(((cpu.user + cpu.system) / 1e6 / windowS) * 1000) / 10,
      event_loop_delay_p99_ms: r3(loopDelay.percentile(99) / 1e6),
      main_thread_runqueue_wait_s: waited(ownWait, mark.ownWait),
    },
    ...(serverPid !== undefined
      ? {
          server: {
            cpu_s: serverCpu !== undefined && mark.server !== undefined ? r3(serverCpu - mark.server) : null,
            cpu_pct_of_one_core:
              serverCpu !== undefined && mark.server !== undefined
                ? Math.round(((serverCpu - mark.server) / windowS) * 1000) / 10
                : null,
            // Its event-loop thread's time spent runnable but not running.
            main_thread_runqueue_wait_s: waited(serverWait, mark.serverWait),
            rss_kb: mem?.rss ?? null,
            peak_rss_kb: mem?.hwm ?? null,
          },
        }
      : {}),
  }),
);
