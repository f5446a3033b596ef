/**
 * Secret detection in every layer of an image: the secret scanner as a
 * stream analyser of the layer walk, so every file is read once, in bounded
 * memory, in the same pass that inventories packages — and the facts it
 * leaves in each layer's analysis turned back into findings placed in the
 * image (the layer, and whether a later layer deleted the file).
 */
import { createHash } from 'node:crypto';
import type { RuleFinding } from '../core/index.js';
import type { AnalyzedLayer, FileView, StreamAnalyzer } from '../inventory/index.js';
import { SECRET_RULES, type AllowList, type SecretScanner } from '../secret/index.js';

/** Name of the analyser: its facts in a layer analysis carry it. */
export const SECRET_ANALYZER = 'secret';
/** Bumped whenever what the analyser records changes (cached layer analyses are then redone). */
const SECRET_ANALYZER_VERSION = 1;

/**
 * What changes the secret facts beside the analyser's version: the rule table
 * and the allow-list. Regexes are written as their source and flags.
 */
function settingsOf(allow: AllowList | undefined): string {
  const rules = SECRET_RULES.map((r) => [
    r.id,
    r.regex.source,
    r.regex.flags,
    r.entropy ?? null,
    r.paths ?? [],
  ]);
  const list = allow
    ? {
        disabled: allow.disabledRules,
        paths: allow.paths,
        values: allow.values.map((v) => `/${v.source}/${v.flags}`),
        findings: allow.findings.map((f) =>
          f.kind === 'hash' ? f.sha256 : `${f.ruleId}:${f.path}:${f.line}`,
        ),
      }
    : null;
  return createHash('sha256').update(JSON.stringify({ rules, list })).digest('hex');
}

/** What the secret analyser records for one file. */
export interface SecretFact {
  readonly findings: readonly RuleFinding[];
  /** The file was longer than the scanner's limit: only its first `scanned` of `size` bytes were scanned. */
  readonly truncated?: { readonly scanned: number; readonly size: number };
}

/**
 * The secret scanner as a stream analyser: every regular file the scanner
 * wants is fed to it chunk by chunk as the layer streams past. A file's fact
 * is its findings, without the layer (a cached analysis serves any image
 * that holds the layer, at any position).
 */
export function secretAnalyzer(scanner: SecretScanner, allow?: AllowList): StreamAnalyzer<SecretFact> {
  return {
    name: SECRET_ANALYZER,
    version: SECRET_ANALYZER_VERSION,
    settings: settingsOf(allow),
    select: (entry) => entry.size > 0 && scanner.wants(entry.path),
    open(entry) {
      const scan = scanner.open(entry.path);
      return {
        write: (chunk) => scan.write(chunk),
        get done() {
          return scan.done;
        },
        end() {
          const findings = scan.end();
          const truncated = scan.truncated ? { scanned: scan.scanned, size: entry.size } : undefined;
          if (findings.length === 0 && truncated === undefined) return undefined;
          return { findings, ...(truncated ? { truncated } : {}) };
        },
      };
    },
  };
}

function isSecretFact(v: unknown): v is SecretFact {
  if (typeof v !== 'object' || v === null) return false;
  const { findings, truncated } = v as Partial<SecretFact>;
  return (
    (truncated === undefined ||
      (Number.isSafeInteger(truncated.scanned) && Number.isSafeInteger(truncated.size))) &&
    Array.isArray(findings) &&
    findings.every(
      (f) =>
        typeof f === 'object' &&
        f !== null &&
        (f as RuleFinding).kind === 'secret' &&
        typeof (f as RuleFinding).ruleId === 'string' &&
        typeof (f as RuleFinding).location?.path === 'string',
    )
  );
}

/**
 * The secrets found in the layers, each placed in its layer; a file that is
 * not in the final filesystem as that layer wrote it (a later layer deleted
 * or replaced it) is marked `deleted`: its bytes are still in the image.
 * Root filesystems (`dir:`) have no layers to name.
 */
export function layerSecretFindings(
  layers: readonly AnalyzedLayer[],
  view: FileView,
): { findings: RuleFinding[]; warnings: string[] } {
  const out: RuleFinding[] = [];
  const warnings: string[] = [];
  for (const { ref, analysis } of layers) {
    for (const fact of analysis.facts) {
      if (fact.c !== SECRET_ANALYZER || !isSecretFact(fact.f)) continue;
      const cut = fact.f.truncated;
      if (cut) {
        const where = ref.diffId === 'dir' ? fact.p : `${fact.p} (layer ${ref.index})`;
        warnings.push(
          `secret scan of ${where} stopped at the ${cut.scanned}-byte limit: the last ${cut.size - cut.scanned} of its ${cut.size} bytes were not scanned`,
        );
      }
      const v = view.get(fact.p);
      const deleted = !(v && v.layer === ref.index && (v.rec.k === 'f' || v.rec.k === 'h'));
      const layer = ref.diffId === 'dir' ? undefined : ref;
      for (const f of fact.f.findings) {
        out.push({
          ...f,
          location: {
            ...f.location,
            ...(layer ? { layer } : {}),
            ...(deleted ? { deleted: true } : {}),
          },
        });
      }
    }
  }
  return { findings: out, warnings };
}
