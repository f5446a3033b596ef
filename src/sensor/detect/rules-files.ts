/** Built-in detections over file opens: credentials read, system files written (MR003–MR007). See RULES.md. */
import { compileGlobs, type StringMatcher } from './glob.js';
import { ACCOUNT_TOOLS, byPackageManager, inSystemBin } from './programs.js';
import type {
  BuiltinRule,
  DefaultException,
  DetectableEvent,
  Evidence,
  Invocation,
  MatchContext,
} from './types.js';

/** The open's normalised path, when the event is an open of the wanted direction. */
export function openPath(e: DetectableEvent, ctx: MatchContext, write: boolean): string | undefined {
  return e.kind === 'open' && e.write === write ? ctx.path() : undefined;
}

/** A match function: an open for `write` (or reading) of a path the test accepts; evidence the path. */
export const openMatching =
  (test: (path: string) => boolean, write = true) =>
  (e: DetectableEvent, ctx: MatchContext): Evidence | undefined => {
    const path = openPath(e, ctx, write);
    return path !== undefined && test(path) ? { path } : undefined;
  };

/** Whether one of the names is a program of `names` run from a system binary directory. */
export function systemProgram(invs: readonly Invocation[], names: ReadonlySet<string>): boolean {
  return invs.some((i) => names.has(i.name) && inSystemBin(i.path));
}

const SHADOW = compileGlobs(['/etc/shadow', '/etc/gshadow', '/etc/shadow-', '/etc/gshadow-'], 'path');

const accountToolsAtStart: DefaultException = {
  id: 'account-tools-at-start',
  description:
    "An account tool (useradd, usermod, groupadd, chpasswd, passwd, adduser, …) from a system binary directory run directly by the container's first process: an entrypoint creating its user.",
  test: (_e, ctx) =>
    ctx.container?.pid !== undefined &&
    ctx.self()?.ppid === ctx.container.pid &&
    systemProgram(ctx.invocations(), ACCOUNT_TOOLS),
};

const packageManagerWrites: DefaultException = {
  id: 'package-manager',
  description:
    'The process or one of its ancestors is a package manager from a system binary directory (its maintainer scripts included): MR002 reports the install itself.',
  test: (_e, ctx) => byPackageManager(ctx.treeInvocations()),
};

const PAM_HELPERS: ReadonlySet<string> = new Set(['unix_chkpwd', 'sshd']);

export const shadowRead: BuiltinRule = {
  id: 'MR003',
  title: 'Password database read in a container',
  severity: 'high',
  mitre: 'T1003.008',
  description: 'A process read /etc/shadow or /etc/gshadow (or their `-` backups): password hashes.',
  events: ['open'],
  match: openMatching(SHADOW, false),
  exceptions: [
    {
      id: 'pam-helpers',
      description:
        'unix_chkpwd (the PAM helper that checks a password) or sshd, from a system binary directory.',
      test: (_e, ctx) => systemProgram(ctx.invocations(), PAM_HELPERS),
    },
    accountToolsAtStart,
  ],
};

interface CredentialKind {
  readonly kind: string;
  readonly match: StringMatcher;
  /** The credential's own clients, allowed to read it from a system binary directory. */
  readonly clients: ReadonlySet<string>;
}

const cred = (kind: string, globs: string[], clients: string[]): CredentialKind => ({
  kind,
  match: compileGlobs(globs, 'path'),
  clients: new Set(clients),
});

const CREDENTIALS: readonly CredentialKind[] = [
  cred(
    'ssh-private-key',
    ['**/.ssh/id_*', '/etc/ssh/ssh_host_*_key'],
    ['ssh', 'scp', 'sftp', 'ssh-add', 'ssh-agent', 'ssh-keygen', 'sshd'],
  ),
  cred('aws', ['**/.aws/credentials'], ['aws']),
  cred(
    'gcloud',
    [
      '**/.config/gcloud/credentials.db',
      '**/.config/gcloud/access_tokens.db',
      '**/.config/gcloud/application_default_credentials.json',
      '**/.config/gcloud/legacy_credentials/',
    ],
    [],
  ),
  cred(
    'azure',
    [
      '**/.azure/accessTokens.json',
      '**/.azure/msal_token_cache.json',
      '**/.azure/msal_token_cache.bin',
      '**/.azure/service_principal_entries.json',
    ],
    [],
  ),
  cred(
    'docker-config',
    ['**/.docker/config.json'],
    ['docker', 'podman', 'buildah', 'skopeo', 'crane', 'regctl', 'oras'],
  ),
  cred(
    'kubeconfig',
    [
      '**/.kube/config',
      '/etc/kubernetes/admin.conf',
      '/etc/kubernetes/super-admin.conf',
      '/etc/kubernetes/kubelet.conf',
      '/etc/kubernetes/controller-manager.conf',
      '/etc/kubernetes/scheduler.conf',
      '/var/lib/kubelet/kubeconfig',
      '/etc/kubernetes/pki/**.key',
    ],
    ['kubectl', 'helm', 'kubelet', 'kubeadm'],
  ),
];

const credentialOf = (path: string): CredentialKind | undefined =>
  path.endsWith('.pub') ? undefined : CREDENTIALS.find((c) => c.match(path));

export const credentialRead: BuiltinRule = {
  id: 'MR004',
  title: 'Credential file read in a container',
  severity: 'high',
  mitre: 'T1552.001',
  description:
    'A process read an SSH private key, cloud credentials (~/.aws/credentials, gcloud and Azure token files), a registry login (~/.docker/config.json) or a kubeconfig / Kubernetes PKI key.',
  events: ['open'],
  match: (e, ctx) => {
    const path = openPath(e, ctx, false);
    const c = path === undefined ? undefined : credentialOf(path);
    return path === undefined || c === undefined ? undefined : { path, credential: c.kind };
  },
  exceptions: [
    {
      id: 'own-client',
      description:
        "The credential's own client from a system binary directory: ssh/scp/sftp/ssh-agent/sshd for SSH keys, aws for AWS credentials, docker/podman/skopeo/crane for registry logins, kubectl/helm/kubelet for kubeconfigs.",
      test: (e, ctx) => {
        const path = ctx.path();
        const c = path === undefined ? undefined : credentialOf(path);
        return c !== undefined && systemProgram(ctx.invocations(), c.clients);
      },
    },
  ],
};

const SYSTEM_DIRS = compileGlobs(
  [
    '/bin/',
    '/sbin/',
    '/usr/bin/',
    '/usr/sbin/',
    '/usr/local/bin/',
    '/usr/local/sbin/',
    '/lib/',
    '/lib32/',
    '/lib64/',
    '/libx32/',
    '/usr/lib/',
    '/usr/lib32/',
    '/usr/lib64/',
    '/usr/libx32/',
    '/boot/',
  ],
  'path',
);
const PYTHON_BYTECODE = compileGlobs(['/usr/lib/python3*/**__pycache__/*.pyc'], 'path');

export const systemWrite: BuiltinRule = {
  id: 'MR005',
  title: 'Write below a system binary or library directory',
  severity: 'high',
  mitre: 'T1554',
  description:
    'A file under /bin, /sbin, /usr/bin, /usr/sbin, /usr/local/bin, /usr/local/sbin, /lib, /lib32, /lib64, /usr/lib, /usr/lib32, /usr/lib64 or /boot was opened for writing: a program or library replaced or planted.',
  events: ['open'],
  match: openMatching(SYSTEM_DIRS),
  exceptions: [
    packageManagerWrites,
    {
      id: 'python-bytecode',
      description:
        'A Python interpreter writing its bytecode cache (`/usr/lib/python3*/…/__pycache__/*.pyc`).',
      test: (_e, ctx) => {
        const path = ctx.path();
        return (
          path !== undefined &&
          PYTHON_BYTECODE(path) &&
          ctx.invocations().some((i) => /^python3[0-9.]*$/.test(i.name))
        );
      },
    },
  ],
};

export const preloadWrite: BuiltinRule = {
  id: 'MR006',
  title: 'Dynamic linker preload file written',
  severity: 'critical',
  mitre: 'T1574.006',
  description:
    '/etc/ld.so.preload was opened for writing: every program started afterwards loads the library it names (a classic user-space rootkit).',
  events: ['open'],
  match: openMatching((p) => p === '/etc/ld.so.preload'),
  exceptions: [],
};

const ACCOUNT_FILES = compileGlobs(
  ['/etc/passwd', '/etc/shadow', '/etc/group', '/etc/gshadow', '/etc/sudoers', '/etc/sudoers.d/'],
  'path',
);

export const accountWrite: BuiltinRule = {
  id: 'MR007',
  title: 'Account or sudo configuration written',
  severity: 'high',
  mitre: 'T1098',
  description:
    '/etc/passwd, /etc/shadow, /etc/group, /etc/gshadow, /etc/sudoers or a file under /etc/sudoers.d was opened for writing: an account added or changed, a password set, or privileges granted.',
  events: ['open'],
  match: openMatching(ACCOUNT_FILES),
  exceptions: [accountToolsAtStart, packageManagerWrites],
};
