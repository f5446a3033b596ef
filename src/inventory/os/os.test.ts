import assert from 'node:assert/strict';
import { lstat, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Distro } from '../../core/index.js';
import { debianRootfs, parseFacts, readTree } from '../../testing/index.js';
import {
  detectDistro,
  osDetector,
  parseDebianVersion,
  parseOsRelease,
  parseRedhatRelease,
  unquoteValue,
} from './index.js';

const testdata = fileURLToPath(new URL('testdata', import.meta.url));

async function detectIn(dir: string): Promise<Distro | undefined> {
  return detectDistro(await parseFacts(osDetector, await readTree(dir)));
}

describe('detectDistro on release-file fixtures', () => {
  const cases: ReadonlyArray<[string, Distro]> = [
    [
      'debian12',
      {
        id: 'debian',
        versionId: '12',
        versionCodename: 'bookworm',
        prettyName: 'Debian GNU/Linux 12 (bookworm)',
      },
    ],
    [
      'ubuntu2204',
      {
        id: 'ubuntu',
        versionId: '22.04',
        versionCodename: 'jammy',
        prettyName: 'Ubuntu 22.04.4 LTS',
        idLike: ['debian'],
      },
    ],
    ['alpine319', { id: 'alpine', versionId: '3.19.1', prettyName: 'Alpine Linux v3.19' }],
    [
      'rhel9',
      { id: 'rhel', versionId: '9.2', prettyName: 'Red Hat Enterprise Linux 9.2 (Plow)', idLike: ['fedora'] },
    ],
    [
      'rocky9',
      {
        id: 'rocky',
        versionId: '9.3',
        prettyName: 'Rocky Linux 9.3 (Blue Onyx)',
        idLike: ['rhel', 'centos', 'fedora'],
      },
    ],
    ['distroless', { id: 'debian', versionId: '12', prettyName: 'Distroless' }],
    ['debian-testing', { id: 'debian', versionCodename: 'trixie' }],
    [
      'centos7',
      {
        id: 'centos',
        versionId: '7',
        prettyName: 'CentOS Linux release 7.9.2009 (Core)',
        idLike: ['rhel', 'fedora'],
      },
    ],
  ];
  for (const [name, expected] of cases) {
    it(name, async () => {
      assert.deepEqual(await detectIn(join(testdata, name)), expected);
    });
  }

  it('detects Debian 12 in a real mmdebstrap rootfs, where /etc/os-release is a symbolic link', async () => {
    const rootfs = await debianRootfs();
    // What a layer walker hands over: regular files only (/etc/os-release is a symbolic link).
    const all: { path: string; data: Buffer }[] = [];
    for (const path of ['/etc/os-release', '/usr/lib/os-release', '/etc/debian_version']) {
      const st = await lstat(join(rootfs, path));
      if (st.isFile()) all.push({ path, data: await readFile(join(rootfs, path)) });
    }
    assert.equal(
      all.some((f) => f.path === '/etc/os-release'),
      false,
    );
    const facts = await parseFacts(osDetector, all);
    assert.deepEqual(
      facts.map((f) => f.path),
      ['/etc/debian_version', '/usr/lib/os-release'],
    );
    const distro = detectDistro(facts);
    assert.equal(distro?.id, 'debian');
    assert.equal(distro?.versionId, '12');
    assert.equal(distro?.versionCodename, 'bookworm');
  });
});

describe('detectDistro precedence', () => {
  const f = (path: string, data: string, layer = 0) => ({ path, data, layer });

  it('prefers /etc/os-release over /usr/lib/os-release over the older release files', async () => {
    const files = [
      f('/etc/debian_version', '12.5\n'),
      f('/usr/lib/os-release', 'ID=debian\nVERSION_ID=12\n'),
      f('/etc/os-release', 'ID=ubuntu\nVERSION_ID="24.04"\n'),
      f('/etc/alpine-release', '3.19.1\n'),
    ];
    assert.equal(detectDistro(await parseFacts(osDetector, files))?.id, 'ubuntu');
    assert.equal(detectDistro(await parseFacts(osDetector, files.slice(0, 2)))?.id, 'debian');
    assert.deepEqual(detectDistro(await parseFacts(osDetector, [files[0]!, files[3]!])), {
      id: 'alpine',
      versionId: '3.19.1',
    });
    assert.deepEqual(detectDistro(await parseFacts(osDetector, [files[0]!])), {
      id: 'debian',
      versionId: '12',
    });
  });

  it('falls through an os-release without ID to the next file', async () => {
    const files = [
      f('/etc/os-release', 'NAME=Something\n'),
      f('/etc/redhat-release', 'Fedora release 39 (Thirty Nine)\n'),
    ];
    assert.deepEqual(detectDistro(await parseFacts(osDetector, files)), {
      id: 'fedora',
      versionId: '39',
      prettyName: 'Fedora release 39 (Thirty Nine)',
    });
  });

  it('returns undefined with no release file', async () => {
    assert.equal(detectDistro(await parseFacts(osDetector, [f('/etc/hostname', 'x\n')])), undefined);
    assert.equal(detectDistro([]), undefined);
  });

  it('selects only the release files', () => {
    const sel = (path: string) => osDetector.select({ path, type: 'file', mode: 0o644, size: 10 });
    assert.ok(sel('/etc/os-release'));
    assert.ok(sel('/usr/lib/os-release'));
    assert.ok(sel('/etc/rocky-release'));
    assert.ok(!sel('/etc/os-release.d/x'));
    assert.ok(!sel('/opt/etc/os-release'));
    assert.deepEqual(osDetector.assemble([], {}), []);
  });
});

describe('os-release parsing', () => {
  it('follows shell quoting', () => {
    const text = [
      '# comment',
      '',
      'A=plain',
      'B="double quoted"',
      "C='single $quoted \\n'",
      'D="esc \\" \\$ \\` \\\\ \\n"',
      'E=unquoted\\ escaped',
      'F="a"\'b\'c',
      'G=Foo Linux',
      'H="x" # trailing comment',
      '  I=indented',
      'not an assignment',
      '1BAD=x',
      'J=',
      'K="unterminated',
      'A=again',
    ].join('\n');
    const m = parseOsRelease(text);
    assert.deepEqual(Object.fromEntries(m), {
      A: 'again',
      B: 'double quoted',
      C: 'single $quoted \\n',
      D: 'esc " $ ` \\ \\n',
      E: 'unquoted escaped',
      F: 'abc',
      G: 'Foo Linux',
      H: 'x',
      I: 'indented',
      J: '',
      K: 'unterminated',
    });
  });

  it('splits ID_LIKE on blanks and lower-cases IDs', async () => {
    const facts = await parseFacts(osDetector, [
      {
        path: '/etc/os-release',
        data: 'ID=OpenSUSE-Leap\nID_LIKE="suse  opensuse\tSLES"\nVERSION_ID="15.5"\r\n',
      },
    ]);
    assert.deepEqual(detectDistro(facts), {
      id: 'opensuse-leap',
      versionId: '15.5',
      idLike: ['suse', 'opensuse', 'sles'],
    });
  });

  it('unquotes a CRLF line and keeps inner blanks of quoted values', () => {
    assert.equal(unquoteValue('"a  b"'), 'a  b');
    assert.equal(unquoteValue('a   b'), 'a b');
  });
});

describe('older release files', () => {
  it('reads /etc/debian_version', () => {
    assert.deepEqual(parseDebianVersion('12.5\n'), { id: 'debian', versionId: '12' });
    assert.deepEqual(parseDebianVersion('11.9'), { id: 'debian', versionId: '11' });
    assert.deepEqual(parseDebianVersion('bookworm/sid\n'), { id: 'debian', versionCodename: 'bookworm' });
    assert.equal(parseDebianVersion('<html>'), undefined);
  });

  it('reads the Red Hat family release line', () => {
    const ids = (s: string) => {
      const d = parseRedhatRelease(s);
      return d === undefined ? undefined : [d.id, d.versionId];
    };
    assert.deepEqual(ids('Red Hat Enterprise Linux release 9.2 (Plow)'), ['rhel', '9.2']);
    assert.deepEqual(ids('Red Hat Enterprise Linux Server release 7.9 (Maipo)'), ['rhel', '7.9']);
    assert.deepEqual(ids('CentOS Stream release 9'), ['centos', '9']);
    assert.deepEqual(ids('Rocky Linux release 8.9 (Green Obsidian)'), ['rocky', '8.9']);
    assert.deepEqual(ids('AlmaLinux release 9.3 (Shamrock Pampas Cat)'), ['almalinux', '9.3']);
    assert.deepEqual(ids('Fedora release 39 (Thirty Nine)'), ['fedora', '39']);
    assert.deepEqual(ids('Oracle Linux Server release 8.9'), ['ol', '8.9']);
    assert.deepEqual(ids('Amazon Linux release 2023 (Amazon Linux)'), ['amzn', '2023']);
    assert.equal(ids('Slackware 15.0'), undefined);
    assert.equal(ids('Unknown Linux release 1.0'), undefined);
  });
});
