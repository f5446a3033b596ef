/**
 * The config history of a built image read back into Dockerfile
 * instructions, so the Dockerfile rules that judge what a build did (apt
 * caches, curl | sh, sudo, chmod 777, ADD for COPY …) apply to any image,
 * whatever built it. Each entry is placed in the layer it produced.
 *
 * Forms understood: classic Docker (`/bin/sh -c #(nop)  ADD file:… in /`,
 * `/bin/sh -c apt-get update`, `|1 TOKEN=x /bin/sh -c …`), BuildKit
 * (`RUN /bin/sh -c … # buildkit`, `COPY . /app # buildkit`, `ENV K=v`) and
 * Buildah's `|key=value` suffixes. Anything else (umoci's free text) is no
 * instruction and is skipped.
 */
import type { LayerRef, RuleFinding } from '../core/index.js';
import { lintDockerfile } from '../dockerfile/index.js';
import type { ImageConfig } from '../image/index.js';
import type { AnalyzedLayer } from '../inventory/index.js';
import { shown } from './config.js';
import { isCredentialAssignment, scanConfigText } from './secrets.js';
import type { SecretScanner } from '../secret/index.js';

const MAX_ENTRIES = 4096;
const MAX_CREATED_BY = 64 * 1024;
const MAX_DOCKERFILE = 1024 * 1024;
/** Instructions whose effect the history rules judge; the rest (CMD, EXPOSE, LABEL …) the config shows better. */
const KEPT = new Set(['RUN', 'ADD', 'COPY', 'ENV', 'SHELL', 'WORKDIR']);

export interface Assignment {
  readonly kind: 'ARG' | 'ENV';
  readonly key: string;
  /** As recorded: may be a secret, never to be shown. */
  readonly value: string;
}

export interface HistoryEntry {
  /** Position in the config's history. */
  readonly index: number;
  readonly layer?: LayerRef;
  /** The Dockerfile instruction it records, every secret found in it masked. */
  readonly instruction?: string;
  /** Build arguments (`|N K=v` prefix) and ENV values it records. */
  readonly assignments: readonly Assignment[];
}

export interface HistoryRead {
  readonly entries: readonly HistoryEntry[];
  /** Known-format secrets in created_by texts (a secret equal to one in `known` is left out). */
  readonly secrets: RuleFinding[];
  /** Hashes of every secret found in the history. */
  readonly hashes: ReadonlySet<string>;
}

/** `|2 A=1 B=2 rest` → the build arguments and `rest`. Values are recorded unquoted, so they end at a space. */
function splitBuildArgs(s: string): { args: Assignment[]; rest: string } {
  const m = /^\|([0-9]{1,4}) /.exec(s);
  if (!m) return { args: [], rest: s };
  let n = Math.min(Number(m[1]), 256);
  let pos = m[0].length;
  const args: Assignment[] = [];
  while (n-- > 0 && pos < s.length) {
    const sp = s.indexOf(' ', pos);
    const tok = sp === -1 ? s.slice(pos) : s.slice(pos, sp);
    const eq = tok.indexOf('=');
    if (eq > 0) args.push({ kind: 'ARG', key: tok.slice(0, eq), value: tok.slice(eq + 1) });
    pos = sp === -1 ? s.length : sp + 1;
  }
  return { args, rest: s.slice(pos) };
}

const ENV_PAIR = /([A-Za-z_][A-Za-z0-9_]{0,255})=("(?:[^"\\]|\\.){0,4096}"|\S{0,4096})/g;

function envPairs(body: string): Assignment[] | undefined {
  const out: Assignment[] = [];
  let rest = body;
  for (const m of body.matchAll(ENV_PAIR)) {
    const raw = m[2] ?? '';
    const value = raw.startsWith('"') ? raw.slice(1, -1).replace(/\\(.)/g, '$1') : raw;
    out.push({ kind: 'ENV', key: m[1] ?? '', value });
    rest = rest.replace(m[0], '');
    if (out.length >= 256) break;
  }
  return rest.trim() === '' && out.length > 0 ? out : undefined;
}

/** The instruction a created_by text records (unmasked: only its shape is used here), and its build args. */
export function parseCreatedBy(createdBy: string): { instruction?: string; args: Assignment[] } {
  let s = createdBy.replace(/\s*#\s*buildkit\s*$/, '').trim();
  const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(s);
  if (nop) {
    s = s
      .slice(nop[0].length)
      .replace(/(?:\|[A-Za-z0-9_-]+=[^\s|]*)+$/, '')
      .trim();
    // Classic ADD/COPY hide the source behind a content hash: `ADD file:<hex> in /dest`.
    s = s.replace(/(\s(?:file|dir|multi):\S+) in /, '$1 ');
    return { instruction: s, args: [] };
  }
  const run = /^RUN\s+/.exec(s);
  const body = run ? s.slice(run[0].length) : s;
  const { args, rest } = splitBuildArgs(body);
  const shell = /^\/bin\/sh -c\s+/.exec(rest);
  if (shell) return { instruction: `RUN ${rest.slice(shell[0].length)}`, args };
  if (run) return { instruction: `RUN ${rest}`, args };
  return { instruction: s, args };
}

function keyword(instruction: string): string {
  return /^([A-Za-z]+)/.exec(instruction)?.[1]?.toUpperCase() ?? '';
}

/** The entries that produced layers are matched to the layers in order; when the counts differ, none is. */
function layerIndexes(history: NonNullable<ImageConfig['history']>, layerCount: number): Map<number, number> {
  const out = new Map<number, number>();
  const producing = history.flatMap((h, i) =>
    typeof h === 'object' && h !== null && h.empty_layer !== true ? [i] : [],
  );
  if (producing.length !== layerCount) return out;
  producing.forEach((entry, layer) => out.set(entry, layer));
  return out;
}

/** Replaces every occurrence of each credential value by `*****`. */
function maskValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const v of values) if (v.length >= 3) out = out.split(v).join('*****');
  return out;
}

/**
 * Reads the history: each entry's instruction (secrets masked), its build
 * arguments and ENV values, and the known-format secrets in it. Secrets whose
 * hash is in `known` (already reported from Env or Labels) are not reported again.
 */
export function readHistory(
  config: ImageConfig | undefined,
  layers: readonly AnalyzedLayer[],
  scanner: SecretScanner,
  known: ReadonlySet<string>,
): HistoryRead {
  const history = Array.isArray(config?.history) ? config.history.slice(0, MAX_ENTRIES) : [];
  const toLayer = layerIndexes(history, layers.length);
  const entries: HistoryEntry[] = [];
  const secrets: RuleFinding[] = [];
  const hashes = new Set<string>();
  for (const [index, h] of history.entries()) {
    if (typeof h !== 'object' || h === null || typeof h.created_by !== 'string') continue;
    const raw = h.created_by.slice(0, MAX_CREATED_BY);
    const li = toLayer.get(index);
    const layer = li === undefined ? undefined : layers[li]?.ref;
    const scan = scanConfigText(scanner, raw, `history[${index}]`, layer);
    scan.findings.forEach((f, i) => {
      const hash = scan.hashes[i] ?? '';
      if (!known.has(hash) && !hashes.has(hash)) secrets.push(f);
      hashes.add(hash);
    });
    const parsed = parseCreatedBy(raw);
    const env =
      parsed.instruction !== undefined && keyword(parsed.instruction) === 'ENV'
        ? (envPairs(parsed.instruction.replace(/^ENV\s+/i, '')) ?? [])
        : [];
    const assignments = [...parsed.args, ...env];
    const credentials = assignments.filter((a) => isCredentialAssignment(a.key, a.value)).map((a) => a.value);
    let instruction: string | undefined;
    if (scan.masked !== '' && parsed.instruction !== undefined && KEPT.has(keyword(parsed.instruction))) {
      // Parse again from the masked text so nothing quoted from it can hold a secret.
      const masked = parseCreatedBy(maskValues(scan.masked, credentials)).instruction;
      if (masked !== undefined && keyword(masked) === keyword(parsed.instruction)) instruction = masked;
    }
    if (instruction !== undefined && keyword(instruction) === 'ENV' && env.length === 0)
      instruction = undefined;
    entries.push({
      index,
      ...(layer ? { layer } : {}),
      ...(instruction !== undefined ? { instruction } : {}),
      assignments,
    });
  }
  return { entries, secrets, hashes };
}

/** An ADD of the base image's root filesystem: a hashed archive extracted at `/`. */
function isRootfsAdd(instruction: string): boolean {
  return /^ADD\s+(?:--\S+\s+)*(?:file|multi):[0-9a-f]{16,}\s+\/$/.test(instruction);
}

/**
 * Lints the history as a Dockerfile and returns the findings of the rules in
 * `ruleIds`, each placed at `image-config` in the layer of its entry.
 * Suppression comments are not honoured: an image cannot silence its own findings.
 */
export function lintHistory(
  entries: readonly HistoryEntry[],
  ruleIds: ReadonlySet<string>,
  secrets?: SecretScanner,
): RuleFinding[] {
  const lines: string[] = ['FROM scratch'];
  const ranges: Array<{ from: number; to: number; entry: HistoryEntry }> = [];
  let line = 2;
  let bytes = 0;
  for (const e of entries) {
    const ins = e.instruction;
    if (ins === undefined || isRootfsAdd(ins)) continue;
    bytes += Buffer.byteLength(ins, 'utf8') + 1;
    if (bytes > MAX_DOCKERFILE) break;
    const count = ins.split('\n').length;
    ranges.push({ from: line, to: line + count - 1, entry: e });
    lines.push(ins);
    line += count;
  }
  if (ranges.length === 0) return [];
  const result = lintDockerfile(lines.join('\n'), {
    path: 'image-config',
    maxBytes: 2 * MAX_DOCKERFILE,
    ...(secrets ? { secrets } : {}),
  });
  const all = [...result.findings, ...result.suppressed.map((s) => s.finding)];
  const out: RuleFinding[] = [];
  for (const f of all) {
    if (!ruleIds.has(f.ruleId)) continue;
    const at = f.location.startLine ?? 0;
    const r = ranges.find((x) => at >= x.from && at <= x.to);
    if (!r) continue;
    const { layer } = r.entry;
    const hashed = /\b(?:file|dir|multi):([0-9a-f]{12})[0-9a-f]*/.exec(f.evidence ?? '');
    // The classic builder records ADD/COPY sources by hash only: whether it was an archive is unknown.
    const evidence =
      f.ruleId === 'MD018' && hashed
        ? `ADD of a local source the builder recorded only by hash (${hashed[0].slice(0, 5)}${hashed[1]}…): COPY unless it is an archive to unpack`
        : (f.evidence ?? '');
    out.push({
      ...f,
      location: { path: 'image-config', ...(layer ? { layer } : {}) },
      evidence: `history[${r.entry.index}]${layer ? ` (layer ${layer.index})` : ''}: ${shown(evidence, 300)}`,
    });
  }
  return out;
}
