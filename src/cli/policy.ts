/**
 * `mamori policy test FILE|DIR|-…`: the admission engine over manifests in
 * CI (multi-document YAML or JSON: kubectl, Helm- and kustomize-rendered
 * output), with the same verdicts as the webhook. Exit 1 when an object
 * would be denied, 2 on an error.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { Command, Option } from 'commander';
import {
  applyPatch,
  describeFinding,
  evaluateObject,
  type Finding,
  mutateObject,
  type Verdict,
} from '../admission/engine/index.js';
import { manifestLocator, type ManifestLocator } from '../admission/k8s/index.js';
import { readManifests } from '../admission/workload/index.js';
import { MamoriError, type RuleFinding, type SeverityLevel } from '../core/index.js';
import { loadPolicyFile, parsePssSetting, type Policy, type PolicyMode } from '../policy/index.js';
import { renderFindingsSarif, type SuppressedRuleFinding } from '../report/index.js';
import { EXIT_FINDINGS, EXIT_OK, reportError } from './errors.js';
import type { CliIo } from './sbom.js';
import { readStdin } from './stdin.js';
import { policyImageResolver } from './policy-images.js';

const MAX_FILE = 16 * 1024 * 1024;
const MAX_FILES = 10_000;

interface PolicyTestOptions {
  readonly policy?: string;
  readonly podSecurity?: string;
  readonly namespace?: string;
  readonly format: 'table' | 'json' | 'sarif';
  /** false with --offline. */
  readonly registry: boolean;
  readonly insecureRegistry: string[];
  readonly mamoriServer?: string;
}

async function readBoundedText(path: string, stdin: NodeJS.ReadableStream): Promise<string> {
  if (path === '-') return readStdin(stdin, MAX_FILE);
  const st = await stat(path);
  if (st.size > MAX_FILE) throw new MamoriError('LIMIT_EXCEEDED', `${path} is larger than ${MAX_FILE} bytes`);
  return readFile(path, 'utf8');
}

/** The files to read: each argument, or the .yaml/.yml/.json files under a directory (sorted). */
async function inputs(args: readonly string[]): Promise<string[]> {
  const out: string[] = [];
  for (const a of args) {
    if (a === '-') {
      out.push(a);
      continue;
    }
    let st;
    try {
      st = await stat(a);
    } catch {
      throw new MamoriError('INVALID_ARGUMENT', `${a}: no such file or directory`);
    }
    if (!st.isDirectory()) {
      out.push(a);
      continue;
    }
    const entries = await readdir(a, { recursive: true, withFileTypes: true });
    for (const e of entries) {
      if (e.isFile() && /\.(ya?ml|json)$/i.test(e.name)) out.push(join(e.parentPath, e.name));
    }
    if (out.length > MAX_FILES)
      throw new MamoriError('LIMIT_EXCEEDED', `more than ${MAX_FILES} manifest files`);
  }
  return out.sort();
}

async function loadPolicy(opts: PolicyTestOptions): Promise<Policy> {
  let policy: Policy = { rules: [], exemptions: [] };
  if (opts.policy !== undefined) policy = await loadPolicyFile(opts.policy);
  if (opts.podSecurity !== undefined) {
    const pss = parsePssSetting(opts.podSecurity);
    if (typeof pss === 'string') throw new MamoriError('INVALID_ARGUMENT', `--pod-security: ${pss}`);
    policy = {
      ...policy,
      rules: [
        ...policy.rules,
        {
          name: 'pod-security',
          mode: 'enforce',
          match: { namespaces: [], excludeNamespaces: [], labels: {} },
          podSecurity: pss,
        },
      ],
    };
  }
  if (policy.rules.length === 0)
    throw new MamoriError('INVALID_ARGUMENT', 'give --policy FILE or --pod-security LEVEL[:VERSION]');
  return policy;
}

interface ObjectResult {
  readonly file: string;
  readonly document: number;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly verdict: Verdict;
}

/** An object's result with where it came from, for SARIF locations. */
interface Located {
  readonly result: ObjectResult;
  /** Index in the `items` of a `kind: List`. */
  readonly item: number | undefined;
  readonly locator: ManifestLocator | undefined;
  /** The file as a path relative to the working directory (`stdin` for standard input). */
  readonly uri: string;
}

/** Severity by the rule's mode: enforce denies (SARIF error), warn warns (warning), audit records (note). */
const MODE_SEVERITY: Record<PolicyMode, SeverityLevel> = { enforce: 'HIGH', warn: 'MEDIUM', audit: 'LOW' };

/**
 * The verdicts as SARIF 2.1.0, through the same writer as scan reports: one
 * rule per (policy rule, control) — `RULE/CONTROL` —, one result per finding
 * at the line of its field in the manifest (its nearest parent when the field
 * is missing), with the rule, object, field path and fix in the message.
 * Exempted findings are results with a suppression that gives the reason;
 * an object that cannot be read is a `mamori/unreadable-object` error.
 */
function renderSarif(located: readonly Located[]): string {
  const ruleFindings: RuleFinding[] = [];
  const suppressedRules: SuppressedRuleFinding[] = [];
  for (const { result: r, item, locator, uri } of located) {
    const object = `${r.kind}/${r.name} (namespace ${r.namespace})`;
    const doc = `document ${r.document}${item !== undefined ? ` item ${item}` : ''}`;
    const where = (path: string) => {
      const pos = locator?.locate(r.document, item, path);
      return { path: uri, ...(pos ? { startLine: pos.line, startColumn: pos.column } : {}) };
    };
    const add = (f: Finding): void => {
      const finding: RuleFinding = {
        kind: 'misconfig',
        ruleId: `${f.rule}/${f.control}`,
        title: f.message,
        severity: MODE_SEVERITY[f.mode],
        rationale: `mamori policy rule "${f.rule}" (mode ${f.mode}), control ${f.control}`,
        fix: f.fix,
        location: where(f.path),
        evidence: `${object}, ${doc}: ${f.path}`,
      };
      if (f.exempted !== undefined)
        suppressedRules.push({ finding, reason: f.exempted, source: `policy exemption for rule ${f.rule}` });
      else ruleFindings.push(finding);
    };
    [...r.verdict.denials, ...r.verdict.warnings, ...r.verdict.audits].forEach(add);
    for (const e of r.verdict.errors)
      ruleFindings.push({
        kind: 'misconfig',
        ruleId: 'mamori/unreadable-object',
        title: e,
        severity: 'HIGH',
        rationale: 'an object the policy cannot read is denied',
        fix: 'correct the object so that it matches its Kubernetes schema',
        location: where(''),
        evidence: `${object}, ${doc}`,
      });
  }
  return renderFindingsSarif({ target: 'kubernetes manifests', findings: [], ruleFindings, suppressedRules });
}

function renderTable(results: readonly ObjectResult[]): string {
  const lines: string[] = [];
  for (const r of results) {
    const v = r.verdict;
    const what = `${r.file}#${r.document} ${r.kind}/${r.name} (namespace ${r.namespace})`;
    lines.push(`${v.allowed ? 'ALLOW' : 'DENY '} ${what}`);
    const show = (label: string, fs: readonly Finding[]): void => {
      for (const f of fs)
        lines.push(`  ${label} ${describeFinding(f)}${f.exempted ? ` (exempted: ${f.exempted})` : ''}`);
    };
    for (const e of v.errors) lines.push(`  error ${e}`);
    show('deny ', v.denials);
    show('warn ', v.warnings);
    show('audit', v.audits);
    for (const e of v.expiredExemptions) lines.push(`  note  an exemption expired: ${e}`);
  }
  const denied = results.filter((r) => !r.verdict.allowed).length;
  lines.push('', `${results.length} objects, ${denied} denied, ${results.length - denied} allowed`);
  return `${lines.join('\n')}\n`;
}

export function policyCommand(
  io: CliIo,
  setExit: (code: number) => void,
  stdin: NodeJS.ReadableStream,
): Command {
  const policy = new Command('policy').description(
    'Check Kubernetes workloads against mamori policy (as the admission webhook would)',
  );
  policy.addCommand(
    new Command('test')
      .description(
        'Evaluate manifests (multi-document YAML/JSON, Helm or kustomize output) and exit 1 on any denial',
      )
      .argument('<path...>', 'manifest files or directories; - reads standard input')
      .option(
        '-p, --policy <file>',
        'policy file (a policy document, or a mamori.yaml with a policy: section)',
      )
      .option(
        '--pod-security <level>',
        'apply a Pod Security Standards level to every namespace: baseline|restricted[:VERSION]',
      )
      .option('-n, --namespace <name>', 'namespace of objects that name none (default: default)')
      .option('--offline', 'look no image up: scan and signature rules then deny (their facts are unknown)')
      .option(
        '--insecure-registry <host>',
        'reach this registry over plain HTTP or unverified TLS (repeatable)',
        (v: string, prev: string[]) => [...prev, v],
        [],
      )
      .option(
        '--mamori-server <url>',
        'mamori server whose scan results count for its images (signs in with MAMORI_USERNAME/MAMORI_PASSWORD)',
      )
      .addOption(
        new Option('-f, --format <format>', 'output format (sarif: SARIF 2.1.0 for code scanning)')
          .choices(['table', 'json', 'sarif'])
          .default('table'),
      )
      .addHelpText(
        'after',
        `
Examples:
  mamori policy test --pod-security restricted:v1.30 k8s/
  helm template ./chart | mamori policy test --policy mamori.yaml -
  kustomize build overlays/prod | mamori policy test -p policy.yaml -n prod -f json -
  MAMORI_USERNAME=ci MAMORI_PASSWORD=… mamori policy test -p policy.yaml --mamori-server https://registry.example.com k8s/
  mamori policy test -p mamori.yaml -f sarif k8s/ > policy.sarif   # GitHub code scanning`,
      )
      .action(async (paths: string[], opts: PolicyTestOptions) => {
        try {
          const p = await loadPolicy(opts);
          // Images are looked up only for rules that need facts (digests, scans, signatures).
          const images =
            opts.registry === false
              ? undefined
              : policyImageResolver({
                  insecureRegistries: opts.insecureRegistry,
                  ...(opts.mamoriServer !== undefined ? { mamoriServer: opts.mamoriServer } : {}),
                });
          const results: ObjectResult[] = [];
          const located: Located[] = [];
          const sarif = opts.format === 'sarif';
          for (const file of await inputs(paths)) {
            const text = await readBoundedText(file, stdin);
            const read = readManifests(text);
            const locator = sarif ? manifestLocator(text) : undefined;
            const uri = file === '-' ? 'stdin' : relative(process.cwd(), resolve(file)).split('\\').join('/');
            for (const e of read.errors) {
              io.stderr.write(`mamori: warning: ${file}: ${e}\n`);
            }
            for (const m of read.manifests) {
              const o = m.object as { kind?: unknown; metadata?: { name?: unknown; namespace?: unknown } };
              const namespace =
                typeof o.metadata?.namespace === 'string'
                  ? o.metadata.namespace
                  : (opts.namespace ?? 'default');
              const facts = images ? { resolveImage: images.resolve } : {};
              // As in a cluster: the mutating webhook pins tags first, then the validating one decides.
              const mutation = await mutateObject(m.object, p, { namespace, ...facts });
              for (const w of mutation.warnings) io.stderr.write(`mamori: warning: ${file}: ${w}\n`);
              const object = applyPatch(m.object, mutation.patch);
              const verdict = await evaluateObject(object, p, { namespace, ...facts });
              const result: ObjectResult = {
                file,
                document: m.document,
                kind: typeof o.kind === 'string' ? o.kind : '?',
                name: typeof o.metadata?.name === 'string' ? o.metadata.name : '?',
                namespace,
                verdict,
              };
              results.push(result);
              if (sarif) located.push({ result, item: m.item, locator, uri });
            }
          }
          io.stdout.write(
            opts.format === 'json'
              ? `${JSON.stringify({ objects: results }, null, 2)}\n`
              : sarif
                ? renderSarif(located)
                : renderTable(results),
          );
          setExit(results.some((r) => !r.verdict.allowed) ? EXIT_FINDINGS : EXIT_OK);
        } catch (e) {
          setExit(reportError(e, io.stderr));
        }
      }),
  );
  return policy;
}
