/**
 * Rules on what the build did, read from the config history: the
 * Dockerfile rules that still matter once an image is built (their MD ids
 * are kept, so a finding reads the same for the Dockerfile and the image),
 * and CIS 4.7, which no Dockerfile rule covers.
 *
 * Left out: rules about the source only (FROM pinning, unpinned versions,
 * relative WORKDIR, MAINTAINER, cd in RUN, stage references, suppression
 * comments) and rules the config answers better (USER, HEALTHCHECK, EXPOSE,
 * CMD form and secrets have config rules of their own).
 */
import { MamoriError, type SeverityLevel } from '../../core/index.js';
import { dockerfileRules, parseShell } from '../../dockerfile/index.js';
import { basename } from '../config.js';
import type { CheckContext } from '../context.js';
import { AVD, CIS_DOCKER, DOCKLE, type ImageRule, mib } from './rule.js';

/** Files a package-cache rule is about, in one layer: the cache's own files, not its lock or partial downloads. */
function cacheFiles(ctx: CheckContext, layer: number, cache: RegExp): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const f of ctx.analysis.layers.find((l) => l.ref.index === layer)?.analysis.files ?? []) {
    if (f.k !== 'f' || !cache.test(f.p)) continue;
    const base = f.p.slice(f.p.lastIndexOf('/') + 1);
    if (base === 'lock' || f.p.includes('/partial/')) continue;
    files++;
    bytes += f.s;
  }
  return { files, bytes };
}

/**
 * A Dockerfile rule run on the history, with the Dockle / CIS / Trivy checks
 * it also covers. For a rule about a package cache left in a layer (`cache`:
 * its paths), the layer itself is looked at: the finding is kept only
 * when the cache is really there (a cache mount leaves nothing), with its size.
 */
function fromDockerfile(id: string, covers: readonly string[], cache?: RegExp): ImageRule {
  const r = dockerfileRules.find((x) => x.id === id);
  if (!r) throw new MamoriError('INTERNAL', `imagecheck: no Dockerfile rule ${id}`);
  const mapped = covers.filter((c) => c.startsWith('CIS-') || c.startsWith('DKL-'));
  return {
    id,
    title: mapped.length > 0 ? `${r.title} (${mapped.join(', ')})` : r.title,
    severity: r.severity as SeverityLevel,
    rationale: r.rationale,
    fix: r.fix,
    covers,
    references: [...r.references, ...(mapped.length > 0 ? [DOCKLE] : [])],
    *check(ctx) {
      for (const f of ctx.historyFindings) {
        if (f.ruleId !== id) continue;
        let evidence = f.evidence ?? '';
        const layer = f.location.layer?.index;
        if (cache && layer !== undefined) {
          const left = cacheFiles(ctx, layer, cache);
          if (left.files === 0) continue;
          evidence += `; the cache is in layer ${layer}: ${left.files} file${left.files === 1 ? '' : 's'}, ${mib(left.bytes)}`;
        }
        yield { location: f.location, evidence, ...(f.fix !== undefined ? { fix: f.fix } : {}) };
      }
    },
  };
}

const WRAPPERS = new Set(['sudo', 'env', 'nice', 'nohup', 'time', 'command', 'exec', 'xargs']);

/** Package-manager verbs of one RUN: `apt-get update`, `apk add` … as `tool verb`. */
function verbs(script: string): string[] {
  const out: string[] = [];
  for (const c of parseShell(script.slice(0, 64 * 1024))) {
    const words = c.words.map((w) => w.text);
    let i = 0;
    while (
      i < words.length &&
      (/^[A-Za-z_][A-Za-z0-9_]*=/.test(words[i] ?? '') || WRAPPERS.has(words[i] ?? ''))
    )
      i++;
    const tool = basename(words[i] ?? '');
    if (tool !== 'apt-get' && tool !== 'apt' && tool !== 'apk') continue;
    const verb = words.slice(i + 1).find((w) => !w.startsWith('-'));
    if (verb !== undefined) out.push(`${tool === 'apt' ? 'apt-get' : tool} ${verb}`);
  }
  return out;
}

const UPDATES = new Set(['apt-get update', 'apk update']);
const INSTALLS = new Set([
  'apt-get install',
  'apt-get upgrade',
  'apt-get dist-upgrade',
  'apk add',
  'apk upgrade',
]);

export const updateAlone: ImageRule = {
  id: 'MI010',
  title: 'Package index updated without an install in the same RUN (CIS-DI-0007)',
  severity: 'LOW',
  rationale:
    'A RUN that only refreshes the package index is cached on its own: later installs use a stale index, and the index files stay in that layer.',
  fix: 'Update and install in one RUN: `apt-get update && apt-get install -y --no-install-recommends … && rm -rf /var/lib/apt/lists/*`.',
  covers: ['CIS-DI-0007', 'DS017'],
  references: [DOCKLE, CIS_DOCKER, `${AVD}ds017`],
  *check(ctx) {
    for (const e of ctx.history) {
      const ins = e.instruction;
      if (ins === undefined || !/^RUN\s/.test(ins)) continue;
      const v = verbs(ins.slice(4));
      const update = v.find((x) => UPDATES.has(x));
      if (update === undefined || v.some((x) => INSTALLS.has(x))) continue;
      yield {
        location: { path: 'image-config', ...(e.layer ? { layer: e.layer } : {}) },
        evidence: `history[${e.index}]${e.layer ? ` (layer ${e.layer.index})` : ''}: \`${update}\` with no install in the same RUN`,
      };
    }
  },
};

export const historyRules: readonly ImageRule[] = [
  updateAlone,
  fromDockerfile('MD006', []),
  fromDockerfile('MD007', ['DKL-DI-0005'], /^\/var\/lib\/apt\/lists\//),
  fromDockerfile('MD013', ['DKL-DI-0004'], /^\/(?:var\/cache\/apk|etc\/apk\/cache)\//),
  fromDockerfile('MD014', [], /\/\.cache\/pip\//),
  fromDockerfile('MD015', [], /^\/var\/cache\/(?:dnf|yum|libdnf5)\//),
  fromDockerfile('MD016', []),
  fromDockerfile('MD017', []),
  fromDockerfile('MD018', ['CIS-DI-0009', 'DS005']),
  fromDockerfile('MD019', ['DKL-DI-0001']),
  fromDockerfile('MD022', []),
  fromDockerfile('MD027', ['DKL-DI-0003']),
];
