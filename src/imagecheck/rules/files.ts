/** Rules on the final filesystem: privileged and writable files, owners, accounts, credentials left behind. */
import type { Package } from '../../core/index.js';
import { shown } from '../config.js';
import { type CheckContext, ownerOf, packageLabel } from '../context.js';
import type { FsEntry, UnknownOwner } from '../fsscan.js';
import type { ImageHit } from '../types.js';
import { CIS_DOCKER, DOCKLE, type ImageRule, layerNote, listed } from './rule.js';

function octal(mode: number): string {
  return (mode & 0o7777).toString(8).padStart(4, '0');
}

function at(ctx: CheckContext, path: string, layer: number): ImageHit['location'] {
  const ref = ctx.layer(layer);
  return { path, ...(ref ? { layer: ref } : {}) };
}

function userName(ctx: CheckContext, uid: number): string {
  const n = ctx.accounts.passwd?.byId.get(uid)?.[0];
  return uid === 0 ? 'root' : n !== undefined ? `${n} (uid ${uid})` : `uid ${uid}`;
}

function groupName(ctx: CheckContext, gid: number): string {
  const n = ctx.accounts.group?.byId.get(gid)?.[0];
  return gid === 0 ? 'root' : n !== undefined ? `${n} (gid ${gid})` : `gid ${gid}`;
}

function shipped(p: Package | undefined): string {
  return p
    ? `shipped by package ${packageLabel(p)}${p.layer ? `, installed in layer ${p.layer.index}` : ''}`
    : '';
}

function* privileged(ctx: CheckContext): Generator<ImageHit> {
  const byPath = new Map<string, { e: FsEntry; bits: string[] }>();
  for (const e of ctx.fs.setuid) byPath.set(e.path, { e, bits: [`setuid ${userName(ctx, e.uid)}`] });
  for (const e of ctx.fs.setgid) {
    const cur = byPath.get(e.path);
    const bit = `setgid ${groupName(ctx, e.gid)}`;
    if (cur) cur.bits.push(bit);
    else byPath.set(e.path, { e, bits: [bit] });
  }
  for (const { e, bits } of [...byPath.values()].sort((a, b) => (a.e.path < b.e.path ? -1 : 1))) {
    const pkg = ownerOf(ctx, e.path);
    const what = bits.join(' and ');
    const flag = e.mode & 0o4000 ? 'u-s' : 'g-s';
    const both = (e.mode & 0o6000) === 0o6000 ? 'ug-s' : flag;
    yield {
      location: at(ctx, e.path, e.layer),
      evidence: pkg
        ? `${e.path}: ${what} (mode ${octal(e.mode)}), ${shipped(pkg)}`
        : `${e.path}: ${what} (mode ${octal(e.mode)}), owned by no package: added in ${layerNote(ctx, e.layer)}`,
      severity: pkg ? 'LOW' : 'MEDIUM',
      fix: pkg
        ? `If nothing in the container runs ${e.path.slice(e.path.lastIndexOf('/') + 1)} as another user, drop the bit (\`RUN chmod ${both} ${e.path}\`) or remove ${pkg.name}.`
        : `Find out why ${e.path} is privileged; drop the bit (\`chmod ${both} ${e.path}\`) where ${layerNote(ctx, e.layer)} adds it.`,
    };
  }
}

export const setuidFiles: ImageRule = {
  id: 'MI020',
  title: 'setuid/setgid file (CIS-DI-0008)',
  severity: 'LOW',
  rationale:
    "A setuid or setgid program runs with its owner's rights whoever starts it: a flaw in it lets an unprivileged process in the container become root.",
  fix: 'Drop the bits of programs the container does not need to run as another user (`chmod u-s,g-s <path>`), or remove their package.',
  covers: ['CIS-DI-0008'],
  references: [DOCKLE, CIS_DOCKER],
  check: privileged,
};

export const worldWritable: ImageRule = {
  id: 'MI021',
  title: 'World-writable file or directory',
  severity: 'MEDIUM',
  rationale:
    'Any user in the container can change a world-writable file, or replace files in a world-writable directory without the sticky bit, including ones root later runs.',
  fix: 'Remove write permission for others (`chmod o-w <path>`); give a shared scratch directory the sticky bit (`chmod 1777`).',
  covers: [],
  references: ['https://www.cisecurity.org/benchmark/docker'],
  *check(ctx) {
    for (const e of ctx.fs.worldWritable) {
      const dir = e.kind === 'd';
      const pkg = ownerOf(ctx, e.path);
      yield {
        location: at(ctx, e.path, e.layer),
        evidence: `${e.path}: ${dir ? 'directory' : 'file'} with mode ${octal(e.mode)}${dir ? ', no sticky bit' : ''}, from ${pkg ? `package ${packageLabel(pkg)}` : layerNote(ctx, e.layer)}`,
        fix: dir
          ? `\`chmod o-w ${e.path}\` (or \`chmod 1777 ${e.path}\` if every user must create files there).`
          : `\`chmod o-w ${e.path}\`.`,
      };
    }
  },
};

function* unknown(ctx: CheckContext, owners: ReadonlyMap<number, UnknownOwner>, kind: 'uid' | 'gid') {
  const db = kind === 'uid' ? '/etc/passwd' : '/etc/group';
  for (const u of [...owners.values()].sort((a, b) => a.id - b.id)) {
    const layers = [...u.layers].sort((a, b) => a - b);
    const first = u.paths[0] ?? '/';
    yield {
      location: at(ctx, first, u.firstLayer),
      evidence: `${u.count} path${u.count === 1 ? '' : 's'} owned by ${kind} ${u.id}, which ${db} does not name: ${listed(
        u.paths.map((p) => shown(p)),
        5,
      )}${u.count > u.paths.length ? ', …' : ''} (${layers.map((l) => layerNote(ctx, l)).join(', ')})`,
      fix:
        kind === 'uid'
          ? `Give the files to an account the image defines (\`COPY --chown=app:app\`, \`chown -R\` in ${layerNote(ctx, u.firstLayer)}), or add uid ${u.id} to /etc/passwd.`
          : `Give the files a group the image defines, or add gid ${u.id} to /etc/group.`,
    };
  }
}

export const unknownOwner: ImageRule = {
  id: 'MI022',
  title: 'Files owned by a uid or gid the image does not define',
  severity: 'LOW',
  rationale:
    'Files keep the numeric owner of the machine that built them; whoever later gets that uid (an account added at run time, a volume shared with the host) owns them.',
  fix: 'Set ownership explicitly when copying (`COPY --chown=<user>:<group>`), to an account in /etc/passwd.',
  covers: [],
  references: [`https://docs.docker.com/reference/dockerfile/#copy---chown---chmod`],
  *check(ctx) {
    yield* unknown(ctx, ctx.fs.unknownUids, 'uid');
    yield* unknown(ctx, ctx.fs.unknownGids, 'gid');
  },
};

export const emptyPassword: ImageRule = {
  id: 'MI023',
  title: 'Account without a password (DKL-LI-0001)',
  severity: 'HIGH',
  rationale:
    'An account whose password field is empty needs no password: any process in the container can become it with su, and so can anyone who reaches a login service.',
  fix: 'Lock the account (`passwd -l <name>` or a `*` / `!` password field) in the image.',
  covers: ['DKL-LI-0001'],
  references: [DOCKLE],
  *check(ctx) {
    const seen = new Set<string>();
    for (const a of ctx.accounts.emptyPassword) {
      if (seen.has(a.name)) continue;
      seen.add(a.name);
      yield {
        location: { path: a.path, layer: a.layer },
        evidence: `account ${a.name} has an empty password field in ${a.path} (layer ${a.layer.index})`,
        fix: `Lock it: \`RUN passwd -l ${a.name}\` (or set its password field to \`*\`).`,
      };
    }
  },
};

export const duplicateIds: ImageRule = {
  id: 'MI024',
  title: 'Accounts share a uid or gid (DKL-LI-0002)',
  severity: 'LOW',
  rationale:
    'Two names for one id defeat per-account auditing and permissions; a second name for uid 0 is a common way to hide a root account.',
  fix: 'Give every account its own uid and every group its own gid; remove accounts nobody uses.',
  covers: ['DKL-LI-0002'],
  references: [DOCKLE],
  *check(ctx) {
    for (const [db, kind] of [
      [ctx.accounts.passwd, 'uid'],
      [ctx.accounts.group, 'gid'],
    ] as const) {
      if (!db) continue;
      for (const [id, names] of db.byId) {
        const distinct = [...new Set(names)];
        if (distinct.length < 2) continue;
        yield {
          location: { path: db.path, layer: db.layer },
          evidence: `${kind} ${id} is shared by ${listed(distinct)} in ${db.path}`,
          ...(kind === 'uid' && id === 0 ? { severity: 'MEDIUM' as const } : {}),
        };
      }
    }
  },
};

export const credentialFiles: ImageRule = {
  id: 'MI029',
  title: 'Credential file in the image (CIS-DI-0010)',
  severity: 'MEDIUM',
  rationale:
    'A file made to hold a credential (a private SSH key, .git-credentials, .netrc, a registry or cloud login) is readable by anyone who pulls the image.',
  fix: 'Keep it out of the build context (.dockerignore) or pass it as a build secret; rotate the credential it holds.',
  covers: ['CIS-DI-0010'],
  references: [DOCKLE, 'https://docs.docker.com/build/building/secrets/'],
  *check(ctx) {
    for (const e of ctx.fs.credentialFiles) {
      yield {
        location: at(ctx, e.path, e.layer),
        evidence: `${e.path} is in the image, added in ${layerNote(ctx, e.layer)}`,
        fix: `Remove ${e.path} from the build (.dockerignore or a \`RUN --mount=type=secret\`), and rotate what it holds.`,
      };
    }
  },
};

export const vcsMetadata: ImageRule = {
  id: 'MI030',
  title: 'Version-control metadata in the image (DKL-LI-0003)',
  severity: 'LOW',
  rationale:
    'A .git (or .svn, .hg) directory carries the whole source history, often with credentials committed once and removed later.',
  fix: 'Add the directory to .dockerignore, or copy only build outputs from a build stage.',
  covers: ['DKL-LI-0003'],
  references: [DOCKLE, 'https://docs.docker.com/build/concepts/context/#dockerignore-files'],
  *check(ctx) {
    for (const e of ctx.fs.vcsDirs) {
      yield {
        location: at(ctx, e.path, e.layer),
        evidence: `${e.path} is in the image, added in ${layerNote(ctx, e.layer)}`,
        fix: `Add ${e.path.slice(e.path.lastIndexOf('/') + 1)} to .dockerignore (the build copied ${e.path}).`,
      };
    }
  },
};

export const fileRules: readonly ImageRule[] = [
  setuidFiles,
  worldWritable,
  unknownOwner,
  emptyPassword,
  duplicateIds,
  credentialFiles,
  vcsMetadata,
];
