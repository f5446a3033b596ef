/** Rules about base images, the runtime user and the final image as a whole. */
import { chainInstructions, isWindowsImage, stageChain } from '../context.js';
import type { DockerfileRule, LintContext, RuleHit } from '../context.js';
import type { ImageRef, Instruction, SourceRange, Stage } from '../model.js';

const DOCS = 'https://docs.docker.com/build/building/best-practices/';

function imageRange(stage: Stage): SourceRange {
  return stage.from.args[0]?.range ?? stage.from.range;
}

/** Stages FROM an external image whose reference is known (not `scratch`, not another stage, no unset variable). */
function* externalStages(ctx: LintContext): Generator<Stage> {
  for (const s of ctx.model.stages) {
    if (s.baseStage !== undefined || s.image.unresolved) continue;
    if (s.image.resolved === '' || s.image.name.toLowerCase() === 'scratch') continue;
    yield s;
  }
}

function shown(image: ImageRef): string {
  return image.raw === image.resolved ? image.raw : `${image.raw} (= ${image.resolved})`;
}

function isRootUser(user: string): boolean {
  const u = user.trim().toLowerCase();
  const name = u.split(':')[0] ?? '';
  return name === 'root' || name === '0' || name === 'containeradministrator';
}

/** Base images known to run as a non-root user by default. */
function defaultsToNonRoot(image: ImageRef, windows: boolean): boolean {
  const name = image.name.toLowerCase();
  const tag = (image.tag ?? '').toLowerCase();
  if (windows) return name.includes('nanoserver');
  if (name.startsWith('distroless/') && (tag === 'nonroot' || tag.endsWith('-nonroot'))) return true;
  if (image.registry === 'cgr.dev' && !tag.includes('dev')) return true;
  return name.startsWith('bitnami/') || name.endsWith('-unprivileged');
}

const rootUser: DockerfileRule = {
  id: 'MD001',
  title: 'Final stage runs as root',
  severity: 'HIGH',
  rationale:
    'A process running as root in the container is root on the host once it escapes, and can modify everything in the image.',
  fix: 'Create an unprivileged user and end the final stage with `USER <name or uid>`, e.g. `USER 10001:10001`.',
  references: [`${DOCS}#user`, 'https://github.com/hadolint/hadolint/wiki/DL3002'],
  hadolint: ['DL3002'],
  *check(ctx) {
    const final = ctx.finalStage;
    if (final === undefined) return;
    const users = chainInstructions(ctx.model, final).filter((i) => i.keyword === 'USER');
    const last = users[users.length - 1];
    if (last !== undefined) {
      const user = last.args.map((a) => a.value).join(' ');
      if (isRootUser(user)) {
        yield {
          instruction: last,
          range: last.range,
          evidence: `the last USER of the final stage is ${user}`,
        };
      }
      return;
    }
    const root = stageChain(ctx.model, final)[0] ?? final;
    const windows = isWindowsImage(root);
    if (defaultsToNonRoot(root.image, windows)) return;
    const admin = windows ? 'ContainerAdministrator' : 'root';
    const scratch = root.image.name.toLowerCase() === 'scratch';
    yield {
      instruction: final.from,
      range: final.from.range,
      evidence: scratch
        ? 'no USER instruction in the final stage: an image FROM scratch runs as uid 0'
        : `no USER instruction in the final stage: it runs as the default user of ${shown(root.image)}, ${admin} unless the image sets another`,
    };
  },
};

const untagged: DockerfileRule = {
  id: 'MD002',
  title: 'Base image without a tag',
  severity: 'MEDIUM',
  rationale:
    'Without a tag the builder pulls `latest`, so the same Dockerfile builds a different image whenever upstream publishes.',
  fix: 'Name an explicit version tag, e.g. `FROM debian:12.5-slim`.',
  references: [`${DOCS}#from`, 'https://github.com/hadolint/hadolint/wiki/DL3006'],
  hadolint: ['DL3006'],
  *check(ctx) {
    for (const s of externalStages(ctx)) {
      if (s.image.tag !== undefined || s.image.digest !== undefined) continue;
      yield {
        instruction: s.from,
        range: imageRange(s),
        evidence: `FROM ${shown(s.image)} has no tag: it means ${s.image.resolved}:latest`,
        fix: `Pin a version: FROM ${s.image.resolved}:<version>.`,
      };
    }
  },
};

const latest: DockerfileRule = {
  id: 'MD003',
  title: 'Base image uses the latest tag',
  severity: 'MEDIUM',
  rationale:
    '`latest` moves with every upstream release, so builds are not reproducible and may change major versions silently.',
  fix: 'Replace `:latest` with a version tag, e.g. `FROM alpine:3.20`.',
  references: [`${DOCS}#from`, 'https://github.com/hadolint/hadolint/wiki/DL3007'],
  hadolint: ['DL3007'],
  *check(ctx) {
    for (const s of externalStages(ctx)) {
      if (s.image.tag?.toLowerCase() !== 'latest' || s.image.digest !== undefined) continue;
      yield {
        instruction: s.from,
        range: imageRange(s),
        evidence: `FROM ${shown(s.image)} uses the moving tag latest`,
      };
    }
  },
};

const noDigest: DockerfileRule = {
  id: 'MD004',
  title: 'Base image not pinned by digest',
  severity: 'LOW',
  rationale:
    'A tag can be re-pointed to other content; only a digest names the exact image that was reviewed and scanned.',
  fix: 'Pin the digest next to the tag: `FROM image:tag@sha256:<digest>` (a bot such as Renovate can keep it current).',
  references: [`${DOCS}#pin-base-image-versions`],
  hadolint: [],
  *check(ctx) {
    for (const s of externalStages(ctx)) {
      if (s.image.digest !== undefined) continue;
      yield {
        instruction: s.from,
        range: imageRange(s),
        evidence: `FROM ${shown(s.image)} has no @sha256 digest`,
      };
    }
  },
};

const DISTROS = new Set([
  'ubuntu',
  'debian',
  'centos',
  'fedora',
  'rockylinux',
  'almalinux',
  'amazonlinux',
  'oraclelinux',
  'archlinux',
  'opensuse/leap',
  'opensuse/tumbleweed',
  'redhat/ubi8',
  'redhat/ubi9',
]);
const RUNTIMES = new Set([
  'node',
  'python',
  'ruby',
  'php',
  'perl',
  'openjdk',
  'eclipse-temurin',
  'amazoncorretto',
  'ibmjava',
  'ibm-semeru-runtimes',
  'elixir',
  'erlang',
]);
const TOOLCHAINS = new Set([
  'golang',
  'rust',
  'gcc',
  'maven',
  'gradle',
  'buildpack-deps',
  'dotnet/sdk',
  'swift',
  'haskell',
  'clojure',
  'sbt',
]);
const SMALL_TAG = /slim|alpine|distroless|minimal|micro|chiseled|jre/;

function shortName(image: ImageRef): string {
  const n = image.name.toLowerCase();
  return n.startsWith('library/') ? n.slice(8) : n;
}

const largeBase: DockerfileRule = {
  id: 'MD005',
  title: 'Final image built on a large general-purpose base',
  severity: 'LOW',
  rationale:
    'Full distribution, SDK and toolchain images ship compilers, package managers and hundreds of packages the application never uses: more CVEs to patch and more tools for an attacker.',
  fix: 'Build in a full image, then copy the result into a slim, distroless, alpine or scratch final stage (multi-stage build).',
  references: [
    'https://docs.docker.com/build/building/multi-stage/',
    'https://github.com/GoogleContainerTools/distroless',
  ],
  hadolint: [],
  *check(ctx) {
    const final = ctx.finalStage;
    if (final === undefined) return;
    const root = stageChain(ctx.model, final)[0] ?? final;
    if (root.baseStage !== undefined || root.image.unresolved) return;
    const name = shortName(root.image);
    const tag = (root.image.tag ?? 'latest').toLowerCase();
    let why: string | undefined;
    if (TOOLCHAINS.has(name))
      why = `${root.image.resolved} is a build toolchain image: its compilers and build tools ship to production`;
    else if (RUNTIMES.has(name) && !SMALL_TAG.test(tag))
      why = `${root.image.resolved} is the full Debian-based variant of the ${name} image`;
    else if (DISTROS.has(name) && !SMALL_TAG.test(tag))
      why = `${root.image.resolved} is a full general-purpose distribution`;
    if (why === undefined) return;
    yield { instruction: root.from, range: imageRange(root), evidence: `final image base ${why}` };
  },
};

function hasHealthcheck(instructions: readonly Instruction[]): boolean {
  return instructions.some((i) => i.keyword === 'HEALTHCHECK');
}

const noHealthcheck: DockerfileRule = {
  id: 'MD024',
  title: 'No HEALTHCHECK in the final stage',
  severity: 'LOW',
  rationale:
    'Without a health check Docker and Swarm only see whether the process runs, not whether it still serves.',
  fix: 'Add `HEALTHCHECK CMD [...]` that probes the service (or `HEALTHCHECK NONE` where the orchestrator probes instead).',
  references: [
    'https://docs.docker.com/reference/dockerfile/#healthcheck',
    'https://github.com/hadolint/hadolint/wiki/DL3057',
  ],
  hadolint: ['DL3057'],
  *check(ctx): Generator<RuleHit> {
    const final = ctx.finalStage;
    if (final === undefined || hasHealthcheck(chainInstructions(ctx.model, final))) return;
    yield {
      instruction: final.from,
      range: final.from.range,
      evidence: 'the final stage and the stages it is built on have no HEALTHCHECK',
    };
  },
};

export const imageRules: readonly DockerfileRule[] = [
  rootUser,
  untagged,
  latest,
  noDigest,
  largeBase,
  noHealthcheck,
];
