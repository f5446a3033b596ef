/**
 * `mamori sensor` (the runtime agent), `mamori events` (tail and filter its
 * event stream) and `mamori profile` (the learned behaviour profiles and
 * the seccomp / AppArmor / Kubernetes artefacts generated from them).
 */
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { Command, InvalidArgumentError, Option } from 'commander';
import { parseDuration } from '../config/index.js';
import { decodeUtf8, errorMessage, MamoriError, readBoundedFile } from '../core/index.js';
import { parseReference } from '../image/index.js';
import {
  TABLE_HEADER,
  formatProfileTable,
  formatTable,
  matchesFilter,
  readStream,
  requestModeChange,
  startSensorAgent,
  statusLine,
  tableRow,
  type AgentStats,
  type SkipCounts,
} from '../sensor/agent/index.js';
import { X86_64_SYSCALLS } from '../sensor/bpftrace/index.js';
import { parseDetectionRules } from '../sensor/detect/index.js';
import { apparmorProfile, kubernetesWiring, seccompReport } from '../sensor/generate/index.js';
import type { AlertSeverity } from '../sensor/model/index.js';
import { ProfileStore, type BehaviourProfile, type ProfileMode } from '../sensor/profile/index.js';
import { EXIT_OK, reportError } from './errors.js';
import type { CliIo } from './sbom.js';

const DEFAULT_DATA = './mamori-sensor';
const MODES = ['learn', 'monitor', 'protect'] as const;
const MAX_RULES_FILE = 1 << 20;
const MAX_SECRET_FILE = 4096;

function durationArg(flag: string): (v: string) => number {
  return (v) => {
    const ms = parseDuration(v.trim());
    if (ms === undefined) throw new InvalidArgumentError(`${flag} must be a duration such as 30s, 10m or 1h`);
    return ms;
  };
}

function collectImage(v: string, prev: Record<string, string>): Record<string, string> {
  const eq = v.indexOf('=');
  const id = v.slice(0, eq).trim();
  const ref = v.slice(eq + 1).trim();
  if (eq <= 0 || id === '' || ref === '')
    throw new InvalidArgumentError(
      `--image must be CONTAINER_ID=IMAGE_REF (e.g. 3f4e…=registry.example.com/app:1 or ID=oci:DIR:TAG), not ${JSON.stringify(v.slice(0, 200))}`,
    );
  try {
    parseReference(ref);
  } catch (e) {
    throw new InvalidArgumentError(`--image ${id}: ${errorMessage(e)}`);
  }
  return { ...prev, [id]: ref };
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

function onPath(cmd: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((d) => d !== '' && existsSync(join(d, cmd)));
}

async function readText(path: string, max: number, what: string): Promise<string> {
  return decodeUtf8(await readBoundedFile(path, max), `${what} ${path}`);
}

interface SensorOptions {
  data: string;
  eventsOut?: string;
  events: 'all' | 'alerts';
  mode: ProfileMode;
  quietWindow: number;
  minLearn?: number;
  rules?: string;
  image: Record<string, string>;
  runtimeRoot: string[];
  metricsListen?: string;
  syslog?: string;
  webhook?: string;
  webhookSecretFile?: string;
  includeHost?: boolean;
  compactExecs: boolean;
  statusInterval: number;
}

async function runSensor(io: CliIo, opts: SensorOptions): Promise<void> {
  if (process.getuid?.() !== 0)
    throw new MamoriError(
      'DENIED',
      'mamori sensor must run as root: it loads eBPF programs through bpftrace',
    );
  if (!onPath('bpftrace'))
    throw new MamoriError(
      'NOT_FOUND',
      'bpftrace is not installed or not on PATH (Debian: apt-get install bpftrace)',
    );
  if ((opts.webhook === undefined) !== (opts.webhookSecretFile === undefined))
    throw new MamoriError('INVALID_ARGUMENT', '--webhook and --webhook-secret-file go together');
  const rules = opts.rules
    ? parseDetectionRules(await readText(opts.rules, MAX_RULES_FILE, '--rules'), opts.rules)
    : undefined;
  const secret = opts.webhookSecretFile
    ? (await readText(opts.webhookSecretFile, MAX_SECRET_FILE, '--webhook-secret-file')).trim()
    : undefined;
  const log = (m: string): boolean => io.stderr.write(`mamori sensor: ${m}\n`);
  const { DEFAULT_RUNTIME_ROOTS } = await import('../sensor/containers/index.js');
  const agent = await startSensorAgent({
    dataDir: opts.data,
    eventsOut: opts.eventsOut ?? join(opts.data, 'events.jsonl'),
    events: opts.events,
    defaultMode: opts.mode,
    quietWindowMs: opts.quietWindow,
    ...(opts.minLearn !== undefined ? { minLearnMs: opts.minLearn } : {}),
    ...(rules ? { rules } : {}),
    images: opts.image,
    ...(opts.runtimeRoot.length > 0 ? { runtimeRoots: [...opts.runtimeRoot, ...DEFAULT_RUNTIME_ROOTS] } : {}),
    includeHost: opts.includeHost === true,
    compactExecs: opts.compactExecs,
    ...(opts.metricsListen ? { metricsListen: opts.metricsListen } : {}),
    ...(opts.syslog ? { syslog: opts.syslog } : {}),
    ...(opts.webhook && secret !== undefined ? { webhook: { url: opts.webhook, secret } } : {}),
    onLog: (_level, m) => log(m),
    onError: (e) => log(e.message),
  });
  const stop = (): void => void agent.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  log(
    `ready: profiles in ${opts.data}, events to ${opts.eventsOut ?? join(opts.data, 'events.jsonl')}` +
      (agent.metricsAddress ? `, metrics on http://${agent.metricsAddress}/metrics` : ''),
  );
  let before: AgentStats | undefined;
  let at = Date.now();
  const status =
    opts.statusInterval > 0
      ? setInterval(() => {
          const now = agent.stats();
          log(statusLine(now, before, (Date.now() - at) / 1000).slice('mamori sensor: '.length));
          before = now;
          at = Date.now();
        }, opts.statusInterval)
      : undefined;
  try {
    await agent.done;
  } finally {
    if (status) clearInterval(status);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  log(
    `stopped: ${statusLine(agent.stats(), undefined, (Date.now() - agent.stats().startedAt) / 1000).slice('mamori sensor: '.length)}`,
  );
}

export function sensorCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('sensor')
    .description(
      'Run the runtime sensor (root): watch containers through eBPF, learn profiles, alert and protect',
    )
    .option('--data <dir>', 'profile store (created, mode 0700)', DEFAULT_DATA)
    .option('--events-out <file>', 'JSON-lines event stream, appended (default DATA/events.jsonl)')
    .addOption(
      new Option('--events <which>', 'write every event, or only alerts and drop summaries')
        .choices(['all', 'alerts'])
        .default('alerts'),
    )
    .addOption(
      new Option('--mode <mode>', 'mode of workloads seen for the first time')
        .choices([...MODES])
        .default('learn'),
    )
    .addOption(
      new Option('--quiet-window <duration>', 'learn → monitor once nothing new was learned for this long')
        .argParser(durationArg('--quiet-window'))
        .default(600_000, '10m'),
    )
    .option(
      '--min-learn <duration>',
      'shortest learning period before promotion (default: the quiet window)',
      durationArg('--min-learn'),
    )
    .option('--rules <file>', 'user detection rules and exceptions (YAML)')
    .addOption(
      new Option('--image <id=ref>', 'image of a container, for attribution and drift (repeatable)')
        .argParser(collectImage)
        .default({}, 'none'),
    )
    .addOption(
      new Option(
        '--runtime-root <dir>',
        'extra runc state directory to attribute containers from (repeatable)',
      )
        .argParser(collect)
        .default([], 'none'),
    )
    .option('--metrics-listen <addr>', 'serve Prometheus metrics on HOST:PORT at /metrics')
    .option(
      '--syslog <url>',
      'send alerts and drop summaries to udp://HOST:PORT or tcp://HOST:PORT (RFC 5424)',
    )
    .option('--webhook <url>', 'POST alerts and drop summaries as JSON (signed: X-Mamori-Signature)')
    .option('--webhook-secret-file <file>', 'the HMAC secret for --webhook')
    .option('--include-host', 'also watch processes outside containers')
    .option(
      '--no-compact-execs',
      'report every exec in full from the kernel (default: repeats of an exec already judged harmless come as a short record)',
    )
    .addOption(
      new Option('--status-interval <duration>', 'status line on stderr every … (0: never)')
        .argParser(durationArg('--status-interval'))
        .default(10_000, '10s'),
    )
    .addHelpText(
      'after',
      `
The sensor needs root and bpftrace (Debian: apt-get install bpftrace). It
watches every container's process executions, connections, file opens and
syscalls; raises alerts (built-in detections MR…, profile deviations MP…,
drift MD…); learns a behaviour profile per workload (image + command) and
promotes it from learn to monitor after the quiet window; in protect mode it
kills processes that exec an unexpected program or connect to an unexpected
peer. Every lost event is counted: in the stream (kind "drop"), on stderr
and in the metrics. SIGINT or SIGTERM stops it and saves the profiles.

Exec compaction: once an exec has been judged harmless (it raised nothing,
taught its profile nothing, its file is the image's, no rule looks at it),
the kernel reports execs of the same file with the same path, arguments, uid
and stdio in the same container as a short record, rebuilt into the full
event by the sensor (so --events all still lists them). A rewritten file,
other arguments, a profile change or the container's end end the shortcut.

Examples:
  sudo mamori sensor --data /var/lib/mamori-sensor --events-out /var/log/mamori/events.jsonl
  sudo mamori sensor --mode monitor --rules rules.yaml --metrics-listen 127.0.0.1:9464 \\
      --syslog udp://siem.example:514 --webhook https://hooks.example/mamori --webhook-secret-file secret
  sudo mamori sensor --image 3f2a…=docker://registry.example/app:1.4 --quiet-window 30m --events all`,
    )
    .action(async (opts: SensorOptions) => {
      try {
        await runSensor(io, opts);
        setExit(EXIT_OK);
      } catch (e) {
        setExit(reportError(e, io.stderr));
      }
    });
}

interface EventsOptions {
  follow?: boolean;
  severity?: AlertSeverity;
  container?: string;
  rule?: string;
  format: 'table' | 'json';
}

function skippedLine(s: SkipCounts): string | undefined {
  const n = s.invalid + s.huge + s.unknown;
  if (n === 0) return undefined;
  return `mamori events: skipped ${n} unreadable line(s): ${s.invalid} not JSON or truncated, ${s.huge} too long, ${s.unknown} not stream records\n`;
}

async function runEvents(io: CliIo, file: string, o: EventsOptions): Promise<void> {
  const skipped: SkipCounts = { huge: 0, invalid: 0, unknown: 0 };
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  // A reader that went away (`| head`) ends the listing.
  const gone = (e: NodeJS.ErrnoException): void => (e.code === 'EPIPE' ? abort.abort() : undefined);
  io.stdout.on('error', gone);
  if (o.follow) {
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  }
  try {
    if (o.format === 'table') io.stdout.write(formatTable([[...TABLE_HEADER]]) + '\n');
    for await (const r of readStream(file, skipped, { follow: o.follow === true, signal: abort.signal })) {
      if (abort.signal.aborted) break;
      if (!matchesFilter(r, o)) continue;
      const ok = io.stdout.write(
        o.format === 'json' ? JSON.stringify(r) + '\n' : formatTable([tableRow(r)]) + '\n',
      );
      if (!ok) await once(io.stdout, 'drain', { signal: abort.signal }).catch(() => undefined);
    }
  } finally {
    io.stdout.off('error', gone);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    const s = skippedLine(skipped);
    if (s) io.stderr.write(s);
  }
}

export function eventsCommand(io: CliIo, setExit: (code: number) => void): Command {
  return new Command('events')
    .description("Show the sensor's event stream (alerts, drops, events), filtered; --follow tails it")
    .argument('[file]', 'the stream written by mamori sensor', join(DEFAULT_DATA, 'events.jsonl'))
    .option('--follow', 'keep reading as the sensor appends (Ctrl-C to stop)')
    .addOption(
      new Option('--severity <level>', 'alerts of at least this severity').choices([
        'critical',
        'high',
        'medium',
        'low',
        'info',
      ]),
    )
    .option('--container <id>', 'records of this container (id or id prefix, or pod name)')
    .option('--rule <id>', 'alerts of this rule (MR001, MP002, MD001, a user rule id)')
    .addOption(
      new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
    )
    .addHelpText(
      'after',
      `
Lines that are not stream records (truncated, too long, not JSON) are
skipped; their number is printed on stderr.

Examples:
  mamori events /var/log/mamori/events.jsonl --severity high
  mamori events events.jsonl --follow --container 3f2a9c
  mamori events events.jsonl --rule MR003 -f json | jq .processTree`,
    )
    .action(async (file: string, opts: EventsOptions) => {
      try {
        await runEvents(io, file, opts);
        setExit(EXIT_OK);
      } catch (e) {
        setExit(reportError(e, io.stderr));
      }
    });
}

async function loadProfile(data: string, workload: string): Promise<BehaviourProfile> {
  const p = await new ProfileStore(data).get(workload);
  if (!p)
    throw new MamoriError(
      'NOT_FOUND',
      `no profile ${JSON.stringify(workload)} in ${data} (see: mamori profile list --data ${data})`,
    );
  return p;
}

function warnLearning(io: CliIo, p: BehaviourProfile): void {
  if (p.mode === 'learn')
    io.stderr.write(`mamori profile: warning: ${p.name} is still learning; the profile may be incomplete\n`);
}

function profileList(io: CliIo, profiles: readonly BehaviourProfile[], json: boolean): void {
  io.stdout.write(json ? JSON.stringify(profiles, null, 2) + '\n' : formatProfileTable(profiles));
}

export function profileCommand(io: CliIo, setExit: (code: number) => void): Command {
  const run =
    <A extends unknown[]>(fn: (...a: A) => Promise<void>) =>
    async (...a: A): Promise<void> => {
      try {
        await fn(...a);
        setExit(EXIT_OK);
      } catch (e) {
        setExit(reportError(e, io.stderr));
      }
    };
  const data = (c: Command): Command =>
    c.option('--data <dir>', 'profile store of mamori sensor', DEFAULT_DATA);
  const cmd = new Command('profile').description(
    'Learned behaviour profiles: list, show, change mode, generate seccomp and AppArmor profiles',
  );
  cmd.addCommand(
    data(new Command('list').description('List the workloads and their modes'))
      .addOption(
        new Option('-f, --format <format>', 'output format').choices(['table', 'json']).default('table'),
      )
      .action(
        run(async (o: { data: string; format: string }) => {
          const { profiles, problems } = await new ProfileStore(o.data).list();
          for (const p of problems) io.stderr.write(`mamori profile: ${p.file}: ${p.reason}\n`);
          profileList(io, profiles, o.format === 'json');
        }),
      ),
  );
  cmd.addCommand(
    data(
      new Command('show').description('Print a profile as JSON').argument('<workload>', 'name or id'),
    ).action(
      run(
        async (w: string, o: { data: string }) =>
          void io.stdout.write(JSON.stringify(await loadProfile(o.data, w), null, 2) + '\n'),
      ),
    ),
  );
  cmd.addCommand(
    data(
      new Command('mode')
        .description(
          'Set a workload to learn, monitor or protect (a running sensor applies it within seconds)',
        )
        .argument('<workload>', 'name or id')
        .addArgument(new Command().createArgument('<mode>', 'learn, monitor or protect').choices([...MODES])),
    ).action(
      run(async (w: string, mode: ProfileMode, o: { data: string }) => {
        const p = await new ProfileStore(o.data).setMode(w, mode);
        await requestModeChange(o.data, p.id, mode);
        io.stdout.write(`${p.name}: ${mode}\n`);
      }),
    ),
  );
  const k8s = (c: Command): Command =>
    c
      .option(
        '--k8s',
        'print the Kubernetes wiring (securityContext, annotation, Security Profiles Operator object) instead',
      )
      .option('--namespace <ns>', 'namespace of the Security Profiles Operator object', 'default')
      .option('--container <name>', 'container name for the AppArmor annotation', 'app');
  cmd.addCommand(
    k8s(
      data(
        new Command('seccomp')
          .description('Generate an OCI seccomp profile (default deny, learned syscalls allowed)')
          .argument('<workload>', 'name or id'),
      ),
    ).action(
      run(async (w: string, o: { data: string; k8s?: boolean; namespace: string; container: string }) => {
        const p = await loadProfile(o.data, w);
        warnLearning(io, p);
        const knownSyscalls = X86_64_SYSCALLS.values();
        if (o.k8s) {
          const k = kubernetesWiring(p, {
            namespace: o.namespace,
            container: o.container,
            seccomp: { knownSyscalls },
          });
          io.stdout.write(
            `# Put the seccomp JSON at <kubelet seccomp root>/${k.seccompFile}\n${k.securityContext}---\n${k.spoSeccompProfile}`,
          );
          return;
        }
        const r = seccompReport(p, { knownSyscalls });
        if (r.dropped.length > 0)
          io.stderr.write(`mamori profile: left out unknown syscall names: ${r.dropped.join(', ')}\n`);
        io.stdout.write(JSON.stringify(r.seccomp, null, 2) + '\n');
      }),
    ),
  );
  cmd.addCommand(
    k8s(
      data(
        new Command('apparmor')
          .description('Generate an AppArmor profile (exec, file, network rules)')
          .argument('<workload>', 'name or id'),
      ),
    ).action(
      run(async (w: string, o: { data: string; k8s?: boolean; namespace: string; container: string }) => {
        const p = await loadProfile(o.data, w);
        warnLearning(io, p);
        if (o.k8s) {
          const k = kubernetesWiring(p, { namespace: o.namespace, container: o.container });
          io.stdout.write(`${k.securityContext}---\n${k.apparmorAnnotation}---\n${k.spoAppArmorProfile}`);
          return;
        }
        io.stdout.write(apparmorProfile(p));
      }),
    ),
  );
  cmd.addHelpText(
    'after',
    `
Examples:
  mamori profile list --data /var/lib/mamori-sensor
  mamori profile show python3-http.server-1a2b3c4d
  mamori profile mode python3-http.server-1a2b3c4d protect
  mamori profile seccomp python3-http.server-1a2b3c4d > seccomp.json
  mamori profile apparmor python3-http.server-1a2b3c4d | sudo apparmor_parser -r
  mamori profile seccomp python3-http.server-1a2b3c4d --k8s --namespace prod`,
  );
  return cmd;
}
