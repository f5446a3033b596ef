/** Rules about OS and language package installs in RUN. */
import type { DockerfileRule, LintContext, RuleHit, RunInfo } from '../context.js';
import type { ShellWord } from '../shell.js';
import { cacheMounts, calls, has, names, removesAfter } from './pm.js';
import type { Manager, PmCall } from './pm.js';

const HADOLINT = 'https://github.com/hadolint/hadolint/wiki/';
const APT_DOCS = 'https://docs.docker.com/build/building/best-practices/#apt-get';

function hit(run: RunInfo, call: PmCall, evidence: string, fix?: string): RuleHit {
  return {
    instruction: run.instruction,
    range: call.view.range,
    evidence,
    ...(fix !== undefined ? { fix } : {}),
  };
}

/** Runs in stages whose files end up in the final image. */
function finalRuns(ctx: LintContext): RunInfo[] {
  return ctx.runs.filter((r) => ctx.finalChain.has(r.stage));
}

function* unpinned(
  ctx: LintContext,
  manager: Manager,
  isInstall: (c: PmCall) => boolean,
  pinned: (w: ShellWord) => boolean,
  example: string,
): Generator<RuleHit> {
  for (const run of ctx.runs) {
    for (const c of calls(run, manager)) {
      if (!isInstall(c)) continue;
      const loose = c.operands.filter((w) => !pinned(w));
      if (loose.length === 0) continue;
      yield hit(
        run,
        c,
        `${c.view.text}: no version for ${names(loose)}`,
        `Pin each package, e.g. ${example}.`,
      );
    }
  }
}

const aptInstall = (c: PmCall): boolean => c.view.name !== 'aptitude' && c.sub === 'install';

const noRecommends: DockerfileRule = {
  id: 'MD006',
  title: 'apt-get install without --no-install-recommends',
  severity: 'LOW',
  rationale:
    'Recommended packages are installed by default: they enlarge the image and its attack surface without being needed.',
  fix: 'Add `--no-install-recommends` to `apt-get install` and list what is really needed.',
  references: [APT_DOCS, `${HADOLINT}DL3015`],
  hadolint: ['DL3015'],
  *check(ctx) {
    let configured = false;
    for (const run of ctx.runs) {
      if (/Install-Recommends\W{1,8}(0|false)/i.test(run.run.argsText.text.slice(0, 1 << 16)))
        configured = true;
      for (const c of calls(run, 'apt')) {
        if (!aptInstall(c) || configured || has(c, 'no-install-recommends')) continue;
        if (c.parsed.flags.some((f) => f.name === 'o' && /Install-Recommends=(0|false)/i.test(f.value ?? '')))
          continue;
        yield hit(run, c, `${c.view.text}: recommended packages will be installed too`);
      }
    }
  },
};

const aptLists: DockerfileRule = {
  id: 'MD007',
  title: 'apt package lists left in the image',
  severity: 'LOW',
  rationale:
    '`apt-get update` downloads tens of megabytes of package lists; unless the same RUN deletes them they stay in the layer for good.',
  fix: 'End the RUN that calls apt-get with `&& rm -rf /var/lib/apt/lists/*` (or use a cache mount on /var/lib/apt/lists).',
  references: [APT_DOCS, `${HADOLINT}DL3009`],
  hadolint: ['DL3009'],
  *check(ctx) {
    for (const run of finalRuns(ctx)) {
      const mounts = cacheMounts(run.run);
      if (mounts.some((m) => m.startsWith('/var/lib/apt'))) continue;
      const apt = calls(run, 'apt').filter((c) => c.sub === 'update' || c.sub === 'install');
      const last = apt[apt.length - 1];
      if (last === undefined || removesAfter(run, last.view.order, ['/var/lib/apt/lists'])) continue;
      yield hit(run, last, `${last.view.text}: /var/lib/apt/lists is not removed in the same RUN`);
    }
  },
};

const aptPin: DockerfileRule = {
  id: 'MD008',
  title: 'apt packages without pinned versions',
  severity: 'LOW',
  rationale:
    'Unpinned packages install whatever the mirror has that day, so rebuilds differ and a bad update slips in unreviewed.',
  fix: 'Pin versions with `apt-get install <package>=<version>`.',
  references: [APT_DOCS, `${HADOLINT}DL3008`],
  hadolint: ['DL3008'],
  check: (ctx) =>
    unpinned(
      ctx,
      'apt',
      aptInstall,
      (w) => w.text.includes('=') || w.text.includes('/') || w.text.endsWith('.deb'),
      'curl=7.88.1-10+deb12u5',
    ),
};

const apkPin: DockerfileRule = {
  id: 'MD009',
  title: 'apk packages without pinned versions',
  severity: 'LOW',
  rationale:
    'Unpinned packages install whatever the Alpine mirror has that day, so rebuilds differ and a bad update slips in unreviewed.',
  fix: 'Pin versions with `apk add <package>=<version>` (or `~<major.minor>`).',
  references: [`${HADOLINT}DL3018`],
  hadolint: ['DL3018'],
  check: (ctx) =>
    unpinned(
      ctx,
      'apk',
      (c) => c.sub === 'add',
      (w) => /[=~<>]/.test(w.text) || w.text.endsWith('.apk'),
      'curl=8.5.0-r0',
    ),
};

const DNF_INSTALL = new Set(['install', 'in', 'reinstall', 'rei']);

const dnfPin: DockerfileRule = {
  id: 'MD010',
  title: 'dnf/yum packages without pinned versions',
  severity: 'LOW',
  rationale:
    'Unpinned packages install whatever the repository has that day, so rebuilds differ and a bad update slips in unreviewed.',
  fix: 'Pin versions with `dnf install -y <package>-<version>`.',
  references: [`${HADOLINT}DL3041`, `${HADOLINT}DL3033`],
  hadolint: ['DL3041', 'DL3033'],
  check: (ctx) =>
    unpinned(
      ctx,
      'dnf',
      (c) => DNF_INSTALL.has(c.sub),
      (w) =>
        /-[0-9]/.test(w.text) || w.text.endsWith('.rpm') || w.text.startsWith('@') || w.text.includes('$'),
      'nginx-1.20.1',
    ),
};

const PIP_PINNED = ['==', '>=', '<=', '~=', '!=', '<', '>'];

function pipPinned(w: ShellWord): boolean {
  const t = w.text;
  if (PIP_PINNED.some((s) => t.includes(s))) return true;
  if (/^[a-z]+\+/.test(t)) return t.includes('@');
  return (
    t.startsWith('.') || t.includes('/') || t.endsWith('.whl') || t.endsWith('.tar.gz') || t.endsWith('.zip')
  );
}

const pipPin: DockerfileRule = {
  id: 'MD011',
  title: 'pip packages without pinned versions',
  severity: 'LOW',
  rationale:
    'Unpinned packages resolve to the newest release on PyPI at build time, so rebuilds differ and a compromised release is pulled in automatically.',
  fix: 'Pin versions (`pip install <package>==<version>`) or install from a locked requirements file (`pip install -r requirements.txt`).',
  references: [`${HADOLINT}DL3013`],
  hadolint: ['DL3013'],
  check: (ctx) =>
    unpinned(
      ctx,
      'pip',
      (c) => c.sub === 'install' && !has(c, 'r', 'requirement', 'c', 'constraint'),
      pipPinned,
      'flask==3.0.3',
    ),
};

function npmPinned(w: ShellWord): boolean {
  const t = w.text;
  if (/^(git|github:|git\+|https?:)/.test(t)) return t.includes('#') || /\.(tgz|tar\.gz|tar)$/.test(t);
  if (/\.(tgz|tar\.gz|tar)$/.test(t) || t.startsWith('.') || t.startsWith('/') || t.startsWith('~'))
    return true;
  const bare = t.startsWith('@') ? t.slice(t.indexOf('/') + 1) : t;
  return bare.includes('@');
}

const npmPin: DockerfileRule = {
  id: 'MD012',
  title: 'npm packages without pinned versions',
  severity: 'LOW',
  rationale:
    'A bare package name installs the newest release from the registry at build time, so a compromised release is pulled in automatically.',
  fix: 'Pin versions (`npm install <package>@<version>`) or install from the lockfile with `npm ci`.',
  references: [`${HADOLINT}DL3016`],
  hadolint: ['DL3016'],
  check: (ctx) =>
    unpinned(
      ctx,
      'npm',
      (c) => c.sub === 'install' || c.sub === 'i' || c.sub === 'add',
      npmPinned,
      'typescript@5.4.5',
    ),
};

const apkCache: DockerfileRule = {
  id: 'MD013',
  title: 'apk add without --no-cache',
  severity: 'LOW',
  rationale: 'apk keeps its index and downloaded packages in /var/cache/apk, which stays in the layer.',
  fix: 'Use `apk add --no-cache …` (it also makes a separate `apk update` unnecessary).',
  references: [`${HADOLINT}DL3019`],
  hadolint: ['DL3019'],
  *check(ctx) {
    for (const run of finalRuns(ctx)) {
      if (cacheMounts(run.run).some((m) => m.startsWith('/var/cache/apk') || m === '/etc/apk/cache'))
        continue;
      for (const c of calls(run, 'apk')) {
        if (c.sub !== 'add' || has(c, 'no-cache')) continue;
        if (removesAfter(run, c.view.order, ['/var/cache/apk'])) continue;
        yield hit(run, c, `${c.view.text}: the package cache stays in the image`);
      }
    }
  },
};

const pipCache: DockerfileRule = {
  id: 'MD014',
  title: 'pip install without --no-cache-dir',
  severity: 'LOW',
  rationale:
    "pip keeps every downloaded wheel in ~/.cache/pip, which stays in the layer and can double the image's Python footprint.",
  fix: 'Use `pip install --no-cache-dir …`, set `ENV PIP_NO_CACHE_DIR=1`, or use a cache mount on /root/.cache/pip.',
  references: [`${HADOLINT}DL3042`],
  hadolint: ['DL3042'],
  *check(ctx) {
    const envOff = new Set<number>();
    for (const s of ctx.model.stages) {
      const set = s.instructions.some(
        (i) => i.keyword === 'ENV' && i.properties.some((p) => p.name === 'PIP_NO_CACHE_DIR'),
      );
      if (set || (s.baseStage !== undefined && envOff.has(s.baseStage))) envOff.add(s.index);
    }
    for (const run of finalRuns(ctx)) {
      if (envOff.has(run.stage) || cacheMounts(run.run).some((m) => m.includes('.cache'))) continue;
      for (const c of calls(run, 'pip')) {
        if (c.sub !== 'install' || has(c, 'no-cache-dir')) continue;
        if (c.view.command.words.some((w) => w.text.startsWith('PIP_NO_CACHE_DIR='))) continue;
        if (removesAfter(run, c.view.order, ['/root/.cache', '~/.cache', '$HOME/.cache'])) continue;
        yield hit(run, c, `${c.view.text}: downloaded packages stay in ~/.cache/pip`);
      }
    }
  },
};

const DNF_CHANGES = new Set([
  'install',
  'in',
  'reinstall',
  'rei',
  'upgrade',
  'up',
  'update',
  'groupinstall',
  'localinstall',
]);

const dnfClean: DockerfileRule = {
  id: 'MD015',
  title: 'dnf/yum cache not cleaned',
  severity: 'LOW',
  rationale:
    'dnf and yum keep repository metadata and packages under /var/cache, which stays in the layer unless the same RUN cleans it.',
  fix: 'End the RUN with `&& dnf clean all` (`yum clean all`, `microdnf clean all`) or `rm -rf /var/cache/dnf`.',
  references: [`${HADOLINT}DL3040`, `${HADOLINT}DL3032`],
  hadolint: ['DL3040', 'DL3032'],
  *check(ctx) {
    for (const run of finalRuns(ctx)) {
      if (cacheMounts(run.run).some((m) => /^\/var\/cache\/(dnf|yum|libdnf5)/.test(m))) continue;
      const all = calls(run, 'dnf');
      const changes = all.filter((c) => DNF_CHANGES.has(c.sub));
      const last = changes[changes.length - 1];
      if (last === undefined) continue;
      const cleaned =
        all.some((c) => c.sub === 'clean' && c.view.order > last.view.order) ||
        removesAfter(run, last.view.order, ['/var/cache/dnf', '/var/cache/yum', '/var/cache/libdnf5']);
      if (!cleaned)
        yield hit(
          run,
          last,
          `${last.view.text}: no \`${last.view.name} clean all\` after it in the same RUN`,
        );
    }
  },
};

const upgrade: DockerfileRule = {
  id: 'MD027',
  title: 'apt-get upgrade in a Dockerfile',
  severity: 'LOW',
  rationale:
    'Upgrading every package at build time makes the image differ from build to build; fixes belong in a newer base image, rebuilt regularly.',
  fix: 'Use an up-to-date base image tag and rebuild it regularly; install only the specific package versions you need.',
  references: [APT_DOCS, `${HADOLINT}DL3005`],
  hadolint: ['DL3005'],
  *check(ctx) {
    for (const run of ctx.runs) {
      for (const c of calls(run, 'apt')) {
        if (c.sub === 'upgrade' || c.sub === 'dist-upgrade' || c.sub === 'full-upgrade') {
          yield hit(run, c, `${c.view.text}: upgrades every installed package`);
        }
      }
    }
  },
};

export const packageRules: readonly DockerfileRule[] = [
  noRecommends,
  aptLists,
  aptPin,
  apkPin,
  dnfPin,
  pipPin,
  npmPin,
  apkCache,
  pipCache,
  dnfClean,
  upgrade,
];
