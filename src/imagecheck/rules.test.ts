/**
 * Every rule of IMAGE_RULES fires on a crafted image made to break it and
 * stays quiet on a near miss. Each case is the clean distroless-style image
 * with one change; a quiet case must give no finding at all, a firing case
 * exactly the rule's own (plus those listed in `also`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { IMAGE_RULES } from './index.js';
import { checkVariant, dpkgPackages, type Member, type Variant } from './testing.js';

const HEX = 'a'.repeat(64);
/** A history whose second entry (layer 1) is `createdBy`, after the base rootfs ADD (layer 0). */
const hist = (createdBy: string, add?: readonly Member[]): Variant => ({
  history: [{ created_by: `/bin/sh -c #(nop) ADD file:${HEX} in / ` }, { created_by: createdBy }],
  ...(add ? { add } : {}),
});
/** A layer holding files under `dir`, as a package manager leaves its cache. */
const cache = (dir: string, ...files: string[]): Member[] => {
  const parts = dir.split('/');
  return [
    ...parts.map((_, i) => ({ name: parts.slice(0, i + 1).join('/') })),
    ...files.map((f) => ({ name: `${dir}/${f}`, content: 'x'.repeat(1000) })),
  ];
};
const APT_LISTS = cache(
  'var/lib/apt/lists',
  'lock',
  'deb.debian.org_debian_dists_bookworm_main_binary-amd64_Packages.lz4',
);

interface Case {
  readonly fire: Variant;
  readonly quiet: Variant;
  /** Other rules the firing variant also triggers. */
  readonly also?: readonly string[];
}

const CASES: Readonly<Record<string, Case>> = {
  MI001: { fire: { config: { User: undefined } }, quiet: { config: { User: 'nonroot' } } },
  MI002: {
    fire: { config: { Healthcheck: undefined } },
    quiet: { config: { Healthcheck: { Test: ['CMD-SHELL', '/app/server health'] } } },
  },
  MI003: {
    fire: { config: { ExposedPorts: { '22/tcp': {}, '8080/tcp': {} } } },
    quiet: { config: { ExposedPorts: { '2222/tcp': {}, '8080/tcp': {}, '22/udp': {} } } },
  },
  MI004: {
    fire: { config: { Env: ['PATH=/usr/bin:/bin', 'DB_PASSWORD=hunter2hunter'] } },
    quiet: {
      config: {
        Env: [
          'PATH=/usr/bin:/bin',
          'DB_PASSWORD=changeme',
          'API_TOKEN=${API_TOKEN}',
          'REDIS_PASSWORD=',
          'POSTGRES_PASSWORD_FILE=/run/secrets/db',
          'TOKEN_TTL=3600',
          'GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D',
        ],
      },
    },
  },
  MI005: {
    fire: { config: { Entrypoint: ['/bin/sh', '-c', '/app/server --port 8080'] }, add: shell() },
    quiet: { config: { Entrypoint: ['/bin/sh', '-c', 'exec /app/server --port 8080'] }, add: shell() },
  },
  MI006: {
    fire: { config: { Entrypoint: ['/app/missing'] } },
    quiet: { config: { Entrypoint: ['server'], Env: ['PATH=/app'] } },
  },
  MI007: { fire: { config: { Volumes: { '/proc': {} } } }, quiet: { config: { Volumes: { '/data': {} } } } },
  MI008: { fire: { config: { User: 'app' } }, quiet: { config: { User: 'nonroot:nonroot' } } },
  MI010: {
    fire: hist('RUN /bin/sh -c apt-get update # buildkit', APT_LISTS),
    quiet: hist(
      'RUN /bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* # buildkit',
    ),
    also: ['MD007'],
  },
  MD006: {
    fire: hist('/bin/sh -c apt-get update && apt-get install -y curl && rm -rf /var/lib/apt/lists/*'),
    quiet: hist(
      '/bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
    ),
  },
  MD007: {
    fire: hist('/bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl', APT_LISTS),
    // The same RUN with a BuildKit cache mount: the history cannot tell, the layer can.
    quiet: hist('/bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl', [
      ...cache('var/lib/apt/lists', 'lock'),
      { name: 'var/lib/apt/lists/partial' },
    ]),
  },
  MD007_cleaned: {
    fire: hist('/bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl', APT_LISTS),
    quiet: hist(
      '/bin/sh -c apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/*',
    ),
  },
  MD013: {
    fire: hist('RUN /bin/sh -c apk add curl # buildkit', cache('var/cache/apk', 'APKINDEX.5e69ca50.tar.gz')),
    quiet: hist('RUN /bin/sh -c apk add --no-cache curl # buildkit'),
  },
  MD014: {
    fire: hist(
      'RUN /bin/sh -c pip install flask==3.0.3 # buildkit',
      cache('root/.cache/pip/http-v2/a/b', 'c0ffee.body'),
    ),
    quiet: hist('RUN /bin/sh -c pip install --no-cache-dir flask==3.0.3 # buildkit'),
  },
  MD015: {
    fire: hist(
      'RUN /bin/sh -c dnf install -y nginx-1.20.1 # buildkit',
      cache('var/cache/dnf/fedora-a1b2', 'repomd.xml'),
    ),
    quiet: hist('RUN /bin/sh -c dnf install -y nginx-1.20.1 && dnf clean all # buildkit'),
  },
  MD016: {
    fire: hist('RUN /bin/sh -c curl -fsSL https://get.example.com/install.sh | sh # buildkit'),
    quiet: hist(
      'RUN /bin/sh -c curl -fsSLo /tmp/i.sh https://get.example.com/i.sh && sha256sum -c /i.sha && sh /tmp/i.sh # buildkit',
    ),
  },
  MD017: {
    fire: hist('ADD https://example.com/app.tar.gz /opt/ # buildkit'),
    quiet: hist(`ADD --checksum=sha256:${HEX} https://example.com/app.tar.gz /opt/ # buildkit`),
  },
  MD018: {
    fire: hist('ADD config.json /etc/app/ # buildkit'),
    quiet: hist('COPY config.json /etc/app/ # buildkit'),
  },
  MD019: {
    fire: hist('RUN /bin/sh -c sudo chown -R app /srv # buildkit'),
    quiet: hist('RUN /bin/sh -c chown -R app /srv # buildkit'),
  },
  MD022: {
    fire: hist('/bin/sh -c chmod 777 /srv'),
    quiet: hist('/bin/sh -c chmod 1777 /srv/tmp && chmod 755 /srv'),
  },
  MD027: {
    fire: hist('/bin/sh -c apt-get update && apt-get upgrade -y && rm -rf /var/lib/apt/lists/*'),
    quiet: hist(
      '/bin/sh -c apt-get update && apt-get install -y --no-install-recommends ca-certificates && rm -rf /var/lib/apt/lists/*',
    ),
  },
  MI020: {
    fire: {
      add: [{ name: 'usr' }, { name: 'usr/bin' }, { name: 'usr/bin/helper', content: 'x', mode: 0o4755 }],
    },
    quiet: {
      add: [{ name: 'usr' }, { name: 'usr/bin' }, { name: 'usr/bin/helper', content: 'x', mode: 0o755 }],
    },
  },
  MI021: {
    fire: { add: [{ name: 'data', mode: 0o777 }] },
    quiet: {
      add: [
        { name: 'data', mode: 0o1777 },
        { name: 'data/link', type: 'symlink', linkname: '/tmp' },
      ],
    },
  },
  MI022: {
    fire: {
      add: [
        { name: 'srv', uid: 1000, gid: 1000 },
        { name: 'srv/app.conf', content: 'x', uid: 1000, gid: 1000 },
      ],
    },
    quiet: {
      add: [
        { name: 'srv', uid: 65532, gid: 65532 },
        { name: 'srv/app.conf', content: 'x', uid: 65532, gid: 65532 },
      ],
    },
  },
  MI023: {
    fire: {
      add: [
        { name: 'etc' },
        {
          name: 'etc/shadow',
          content: 'root:*:19000:0:99999:7:::\nnonroot::19000:0:99999:7:::\n',
          mode: 0o640,
        },
      ],
    },
    quiet: {
      add: [
        { name: 'etc' },
        {
          name: 'etc/shadow',
          content: 'root:*:19000:0:99999:7:::\nnonroot:!:19000:0:99999:7:::\n',
          mode: 0o640,
        },
      ],
    },
  },
  MI024: {
    fire: {
      replace: [
        {
          name: 'etc/passwd',
          content:
            'root:x:0:0:root:/root:/sbin/nologin\ntoor:x:0:0::/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n',
        },
      ],
    },
    quiet: {
      replace: [
        {
          name: 'etc/passwd',
          content:
            'root:x:0:0:root:/root:/sbin/nologin\nnobody:x:65534:65534::/:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n',
        },
      ],
    },
  },
  MI025: {
    fire: {
      add: [{ name: 'usr' }, { name: 'usr/sbin' }, { name: 'usr/sbin/sshd', content: 'x', mode: 0o755 }],
    },
    quiet: {
      add: [{ name: 'usr' }, { name: 'usr/bin' }, { name: 'usr/bin/ssh-keygen', content: 'x', mode: 0o755 }],
    },
  },
  MI026: {
    fire: {
      add: [
        { name: 'usr' },
        { name: 'usr/bin' },
        { name: 'usr/bin/x86_64-linux-gnu-gcc-12', content: 'x', mode: 0o755 },
        { name: 'usr/bin/gcc', type: 'symlink', linkname: 'x86_64-linux-gnu-gcc-12' },
      ],
    },
    quiet: {
      add: [{ name: 'usr' }, { name: 'usr/share' }, { name: 'usr/share/gcc', content: 'x', mode: 0o755 }],
    },
  },
  MI027: {
    fire: { add: [{ name: 'usr' }, { name: 'usr/bin' }, { name: 'usr/bin/gdb', content: 'x', mode: 0o755 }] },
    quiet: {
      add: [{ name: 'opt' }, { name: 'opt/tools' }, { name: 'opt/tools/gdb', content: 'x', mode: 0o755 }],
    },
  },
  MI028: {
    fire: {
      add: [
        { name: 'usr' },
        { name: 'usr/bin' },
        { name: 'usr/bin/wget', content: 'x', mode: 0o755 },
        { name: 'usr/bin/nc', content: 'x', mode: 0o755 },
      ],
    },
    quiet: {
      add: [{ name: 'usr' }, { name: 'usr/bin' }, { name: 'usr/bin/curl', content: 'x', mode: 0o755 }],
      config: { Healthcheck: { Test: ['CMD', 'curl', '-f', 'http://localhost:8080/'] } },
    },
  },
  MI029: {
    fire: {
      add: [
        { name: 'root', mode: 0o700 },
        { name: 'root/.ssh', mode: 0o700 },
        { name: 'root/.ssh/id_ed25519', content: 'key', mode: 0o600 },
      ],
    },
    quiet: {
      add: [
        { name: 'root', mode: 0o700 },
        { name: 'root/.ssh', mode: 0o700 },
        { name: 'root/.ssh/id_ed25519.pub', content: 'ssh-ed25519 AAAA', mode: 0o644 },
        { name: 'srv' },
        { name: 'srv/node_modules' },
        { name: 'srv/node_modules/ssh2' },
        { name: 'srv/node_modules/ssh2/id_rsa', content: 'fixture' },
      ],
    },
  },
  MI030: {
    fire: {
      add: [
        { name: 'app/.git' },
        { name: 'app/.git/HEAD', content: 'ref: refs/heads/main\n' },
        { name: 'app/.git/config', content: '[core]\n' },
      ],
    },
    quiet: {
      add: [{ name: 'app/.gitignore', content: 'node_modules\n' }, { name: 'app/node_modules/x/.git' }],
    },
  },
};

function shell() {
  return [{ name: 'bin' }, { name: 'bin/sh', content: 'x', mode: 0o755 }];
}

test('the cases cover the rule table exactly, and ids are unique and well formed', () => {
  const ids = IMAGE_RULES.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  for (const id of ids) assert.match(id, /^M[ID][0-9]{3}$/);
  assert.deepEqual([...new Set(Object.keys(CASES).map((k) => k.split('_')[0]))].sort(), [...ids].sort());
  for (const r of IMAGE_RULES) {
    assert.ok(r.rationale.length > 20 && !r.rationale.includes('\n'), `${r.id} rationale`);
    assert.ok(r.fix.length > 10 && !r.fix.includes('\n'), `${r.id} fix`);
    assert.ok(r.references.length > 0, `${r.id} references`);
  }
});

describe('every rule fires on its case and is quiet on the near miss', () => {
  for (const [id, c] of Object.entries(CASES)) {
    const rule = id.split('_')[0] ?? id;
    test(`${id} fires`, async () => {
      const { findings } = await checkVariant(c.fire);
      const got = [...new Set(findings.map((f) => f.ruleId))].sort();
      assert.deepEqual(got, [rule, ...(c.also ?? [])].sort(), JSON.stringify(findings, null, 1));
      for (const f of findings) {
        assert.ok(f.evidence && f.evidence.length > 0);
        assert.ok(f.fix && f.fix.length > 0);
      }
    });
    test(`${id} is quiet on the near miss`, async () => {
      const { findings } = await checkVariant(c.quiet);
      assert.deepEqual(findings, []);
    });
  }
});

test('history findings are placed in the layer of their history entry', async () => {
  const { findings } = await checkVariant(CASES.MD016!.fire);
  const f = findings.find((x) => x.ruleId === 'MD016');
  assert.equal(f?.location.path, 'image-config');
  assert.equal(f?.location.layer?.index, 1);
  assert.match(f?.evidence ?? '', /^history\[1\] \(layer 1\): curl/);
});

test('setuid: MEDIUM when no package owns the file, LOW with the owning package and layer otherwise', async () => {
  const unowned = await checkVariant(CASES.MI020!.fire);
  const m = unowned.findings.find((f) => f.ruleId === 'MI020');
  assert.equal(m?.severity, 'MEDIUM');
  assert.equal(m?.location.path, '/usr/bin/helper');
  assert.equal(m?.location.layer?.index, 1);
  assert.match(m?.evidence ?? '', /setuid root.*owned by no package: added in layer 1/);

  const owned = await checkVariant({
    add: [
      { name: 'usr' },
      { name: 'usr/bin' },
      { name: 'usr/bin/helper', content: 'x', mode: 0o4755 },
      ...dpkgPackages([{ name: 'helper-tools', version: '1.2-3', files: ['/usr/bin/helper'] }]),
    ],
  });
  const l = owned.findings.find((f) => f.ruleId === 'MI020');
  assert.equal(l?.severity, 'LOW');
  assert.match(l?.evidence ?? '', /shipped by package helper-tools 1\.2-3, installed in layer 1/);
  assert.match(l?.fix ?? '', /chmod u-s \/usr\/bin\/helper/);
});

test('world-writable: a file is reported like a directory; device-less, symlinks never', async () => {
  const { findings } = await checkVariant({
    add: [
      { name: 'srv' },
      { name: 'srv/shared.conf', content: 'x', mode: 0o666 },
      { name: 'srv/ok', type: 'symlink', linkname: 'shared.conf' },
    ],
  });
  assert.deepEqual(
    findings.map((f) => [f.ruleId, f.location.path]),
    [['MI021', '/srv/shared.conf']],
  );
});

test('unknown owners are grouped per uid and gid, and only judged when the databases exist', async () => {
  const add = [
    { name: 'srv', uid: 1000, gid: 1000 },
    ...Array.from({ length: 12 }, (_, i) => ({ name: `srv/f${i}`, content: 'x', uid: 1000, gid: 1000 })),
  ];
  const { findings } = await checkVariant({ add });
  const mine = findings.filter((f) => f.ruleId === 'MI022');
  assert.equal(mine.length, 2);
  assert.match(mine[0]?.evidence ?? '', /^13 paths owned by uid 1000, which \/etc\/passwd does not name/);
  assert.match(mine[1]?.evidence ?? '', /^13 paths owned by gid 1000, which \/etc\/group does not name/);

  // Without /etc/passwd and /etc/group nothing can be judged (a scratch image): no finding.
  const bare = await checkVariant({ add, remove: ['etc/passwd', 'etc/group'] });
  assert.deepEqual(
    bare.findings.filter((f) => f.ruleId === 'MI022'),
    [],
  );
});

test('root user variants', async () => {
  const root = async (User: unknown, passwd?: string) =>
    (
      await checkVariant({
        config: { User },
        ...(passwd ? { replace: [{ name: 'etc/passwd', content: passwd }] } : {}),
      })
    ).findings.filter((f) => f.ruleId === 'MI001');
  for (const u of [undefined, '', 'root', '0', '0:0', 'root:root', 'root:65532', '0:65532', ':65532']) {
    const f = await root(u);
    assert.equal(f.length, 1, `User ${String(u)}`);
    assert.equal(f[0]?.severity, 'HIGH');
  }
  const toor = await root('toor', 'root:x:0:0::/root:/sbin/nologin\ntoor:x:0:0::/root:/sbin/nologin\n');
  assert.match(toor[0]?.evidence ?? '', /toor uid 0: it is root under another name/);
  for (const u of ['65532', '65532:65532', 'nonroot', 'nonroot:nonroot', '1000']) {
    assert.deepEqual(await root(u), [], `User ${u}`);
  }
  // The fix names an unprivileged account the image already has.
  const unset = await root(undefined);
  assert.match(unset[0]?.fix ?? '', /nonroot \(uid 65532\)/);
});

test('healthcheck NONE and an empty Test are reported as no healthcheck', async () => {
  for (const hc of [{ Test: ['NONE'] }, { Test: [] }, 'CMD true', null]) {
    const { findings } = await checkVariant({ config: { Healthcheck: hc } });
    assert.deepEqual(
      findings.map((f) => f.ruleId),
      ['MI002'],
      JSON.stringify(hc),
    );
  }
  const none = await checkVariant({ config: { Healthcheck: { Test: ['NONE'] } } });
  assert.match(none.findings[0]?.evidence ?? '', /NONE/);
});

test('entrypoint resolution: symlinks, PATH, WorkingDir, mode and the dynamic loader', async () => {
  const mi006 = async (v: Parameters<typeof checkVariant>[0]) =>
    (await checkVariant(v)).findings.filter((f) => f.ruleId === 'MI006').map((f) => f.evidence);
  // Through a symlink found on PATH, and relative to WorkingDir: it runs.
  assert.deepEqual(
    await mi006({
      add: [
        { name: 'usr' },
        { name: 'usr/local' },
        { name: 'usr/local/bin' },
        { name: 'usr/local/bin/server', type: 'symlink', linkname: '../../../app/server' },
      ],
      config: { Entrypoint: ['server'] },
    }),
    [],
  );
  assert.deepEqual(await mi006({ config: { Entrypoint: ['./server'], WorkingDir: '/app' } }), []);
  // Not on PATH.
  assert.deepEqual(await mi006({ config: { Entrypoint: ['server'] } }), [
    'Entrypoint runs server: no server in PATH (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin)',
  ]);
  // Not executable.
  assert.deepEqual(
    await mi006({
      add: [{ name: 'app/run.sh', content: '#!/bin/sh\n', mode: 0o644 }],
      config: { Entrypoint: ['/app/run.sh'] },
    }),
    ['Entrypoint runs /app/run.sh: /app/run.sh is not executable (mode 0644)'],
  );
  // A dangling symlink, a directory.
  assert.equal(
    (
      await mi006({
        add: [{ name: 'app/x', type: 'symlink', linkname: 'nowhere' }],
        config: { Entrypoint: ['/app/x'] },
      })
    ).length,
    1,
  );
  assert.deepEqual(await mi006({ config: { Cmd: ['/app'], Entrypoint: undefined } }), [
    'Cmd runs /app: /app is a directory',
  ]);
  // The command inside a shell-form script.
  assert.deepEqual(
    await mi006({ add: shell(), config: { Entrypoint: ['/bin/sh', '-c', 'exec /app/gone --flag'] } }),
    ['Entrypoint runs /app/gone: /app/gone is not in the image'],
  );
});

test('a dynamic entrypoint without its loader in the image cannot start', async () => {
  const { readFile } = await import('node:fs/promises');
  const trueBin = await readFile('/usr/bin/true');
  const { findings } = await checkVariant({
    add: [{ name: 'app/true', content: trueBin, mode: 0o755 }],
    config: { Entrypoint: ['/app/true'] },
  });
  const f = findings.filter((x) => x.ruleId === 'MI006');
  assert.equal(f.length, 1);
  assert.match(
    f[0]?.evidence ?? '',
    /dynamically linked and needs the loader \/lib64\/ld-linux-x86-64\.so\.2, which the image lacks/,
  );
});
