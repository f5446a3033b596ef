/**
 * Test fixtures built at test time with the real rpm tools (Debian packages
 * `rpm`, `db-util`, `debian-archive-keyring`): tiny packages built with
 * rpmbuild, installed with `rpm --justdb` into a real SQLite rpmdb, the
 * header blobs exported with `rpmdb --exportdb`, Berkeley DB hash databases
 * built from them with `db_load`, and rpm's own view of every database
 * (`rpm -qa --qf …`) as the expected answer.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const MAX_BUFFER = 256 * 1024 * 1024;

export async function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `mamori-rpmtest-${prefix}-`));
}

export async function removeDir(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true });
}

async function exec(cmd: string, args: readonly string[], input?: string): Promise<Buffer> {
  const p = run(cmd, args, { encoding: 'buffer', maxBuffer: MAX_BUFFER });
  if (input !== undefined) {
    p.child.stdin?.end(input);
  }
  const { stdout } = await p;
  return stdout;
}

/** The packages the tests install: an epoch, a modularity label, many files, none, an explicit epoch 0, UTF-8. */
const SPECS: readonly string[] = [
  `Name: hello-mamori
Version: 1.2.3
Release: 4.fc99
Epoch: 2
Summary: greeting files
License: MIT and (GPLv2+ or BSD)
Vendor: Mamori Test Vendor
BuildArch: noarch
%global modularitylabel mymod:1:20200101:abcdef
%description
test package
%install
mkdir -p %{buildroot}/usr/share/hello %{buildroot}/etc
echo hi > %{buildroot}/usr/share/hello/a.txt
echo ho > %{buildroot}/usr/share/hello/b.txt
echo conf > %{buildroot}/etc/hello.conf
%files
/usr/share/hello
%config /etc/hello.conf
`,
  `Name: big-mamori
Version: 0.9
Release: 1
Summary: a package with many files, so that its header spans many database pages
License: Apache-2.0
%description
test package
%install
for d in $(seq 1 30); do
  mkdir -p %{buildroot}/usr/share/big-mamori/directory-with-a-rather-long-name-$d
  for f in $(seq 1 20); do
    echo "$d $f" > %{buildroot}/usr/share/big-mamori/directory-with-a-rather-long-name-$d/file-with-a-long-name-$f.txt
  done
done
%files
/usr/share/big-mamori
`,
  `Name: meta-mamori
Version: 3
Release: 0
Epoch: 0
Summary: no files at all
License: Apache-2.0
BuildArch: noarch
%description
test package
%files
`,
  `Name: utf8-mamori
Version: 1.0~rc1
Release: 0.1
Summary: non-ASCII strings
License: GPL-2.0-or-later
Vendor: Société Générale ✓
BuildArch: noarch
%description
test package
%install
mkdir -p %{buildroot}/opt/utf8
echo x > "%{buildroot}/opt/utf8/naïve café.txt"
%files
/opt/utf8
`,
];

/** Builds the test packages with rpmbuild; returns the .rpm paths. */
export async function buildRpms(dir: string): Promise<string[]> {
  const top = join(dir, 'rpmbuild');
  await mkdir(join(top, 'SPECS'), { recursive: true });
  await mkdir(join(top, 'tmp'), { recursive: true });
  const rpms: string[] = [];
  for (const [i, spec] of SPECS.entries()) {
    const specPath = join(top, 'SPECS', `p${i}.spec`);
    await writeFile(specPath, spec);
    await exec('rpmbuild', [
      '-bb',
      '--quiet',
      '--define',
      `_topdir ${top}`,
      '--define',
      `_tmppath ${join(top, 'tmp')}`,
      '--define',
      '__os_install_post %{nil}',
      specPath,
    ]);
  }
  for (const arch of await readdir(join(top, 'RPMS'))) {
    for (const f of await readdir(join(top, 'RPMS', arch))) rpms.push(join(top, 'RPMS', arch, f));
  }
  return rpms.sort();
}

/** A real SQLite rpmdb (Debian's rpm default backend) holding the packages and, optionally, an imported signing key. */
export async function makeSqliteDb(dir: string, rpms: readonly string[], withKey: boolean): Promise<string> {
  const dbpath = join(dir, 'rpmdb');
  await mkdir(dbpath, { recursive: true });
  await exec('rpm', ['--initdb', '--dbpath', dbpath]);
  await exec('rpm', ['-i', '--justdb', '--nodeps', '--noscripts', '--notriggers', '--dbpath', dbpath, ...rpms]);
  if (withKey) {
    await exec('rpm', ['--import', '--dbpath', dbpath, '/etc/apt/trusted.gpg.d/debian-archive-bookworm-stable.asc']);
  }
  return dbpath;
}

/** One package as rpm itself reports it. */
export interface Expected {
  readonly name: string;
  readonly epoch?: number;
  readonly version: string;
  readonly release: string;
  readonly arch?: string;
  readonly sourceRpm?: string;
  readonly license?: string;
  readonly vendor?: string;
  readonly modularityLabel?: string;
  readonly size?: number;
  readonly files: readonly string[];
}

const FS = '\x1f';
const RS = '\x1e';
const LS = '\x1d';
const QF = [
  '%{NAME}',
  '%{EPOCH}',
  '%{VERSION}',
  '%{RELEASE}',
  '%{ARCH}',
  '%{SOURCERPM}',
  '%{LICENSE}',
  '%{VENDOR}',
  '%{MODULARITYLABEL}',
  '%{LONGSIZE}',
  `[%{FILENAMES}${LS}]`,
].join(FS);

/** `rpm -qa` over a database directory, parsed; sorted by name. */
export async function rpmQuery(dbpath: string, backend?: 'bdb_ro'): Promise<Expected[]> {
  const args = ['-qa', '--dbpath', dbpath, '--qf', QF + RS];
  if (backend) args.unshift('--define', `_db_backend ${backend}`);
  const out = (await exec('rpm', args)).toString('utf8');
  const none = (s: string | undefined): string | undefined => (s === '(none)' ? undefined : s);
  return out
    .split(RS)
    .filter((r) => r !== '')
    .map((r): Expected => {
      const [name, epoch, version, release, arch, sourceRpm, license, vendor, label, size, files] = r.split(FS);
      const e: Record<string, unknown> = { name, version, release };
      const put = (k: string, v: string | undefined): void => {
        if (none(v) !== undefined) e[k] = v;
      };
      if (none(epoch) !== undefined) e['epoch'] = Number(epoch);
      put('arch', arch);
      put('sourceRpm', sourceRpm);
      put('license', license);
      put('vendor', vendor);
      put('modularityLabel', label);
      e['size'] = none(size) !== undefined ? Number(size) : 0;
      e['files'] = (files ?? '').split(LS).filter((f) => f !== '' && f !== '(none)');
      return e as unknown as Expected;
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** One line per package of `rpm -qa --qf FORMAT`, sorted. */
export async function rpmQf(dbpath: string, qf: string): Promise<string[]> {
  const out = (await exec('rpm', ['-qa', '--dbpath', dbpath, '--qf', `${qf}\n`])).toString('utf8');
  return out
    .split('\n')
    .filter((l) => l !== '')
    .sort();
}

/** An empty, initialised SQLite rpmdb. */
export async function makeEmptyDb(dir: string): Promise<string> {
  const dbpath = await mkdtemp(join(dir, 'empty-'));
  await exec('rpm', ['--initdb', '--dbpath', dbpath]);
  return join(dbpath, 'rpmdb.sqlite');
}

/**
 * A parsed header in the shape of `Expected`: rpm prints a missing tag as
 * "(none)", and rpm itself stores "(none)" in some headers (SOURCERPM of an
 * imported key), so the two cannot be told apart in its output; LONGSIZE
 * prints 0 for a header without a size.
 */
export function comparable(h: Expected): Expected {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(h)) if (v !== '(none)' && v !== undefined) out[k] = v;
  out['size'] = h.size ?? 0;
  return out as unknown as Expected;
}

/** The header blobs of a database, as `rpmdb --exportdb` writes them (each with the 8-byte header magic), magic removed. */
export async function exportHeaders(dbpath: string): Promise<Buffer[]> {
  const out = await exec('rpmdb', ['--exportdb', '--dbpath', dbpath]);
  const blobs: Buffer[] = [];
  let pos = 0;
  while (pos + 16 <= out.length) {
    if (out.readUInt32BE(pos) !== 0x8eade801) throw new Error(`no header magic at ${pos}`);
    const il = out.readUInt32BE(pos + 8);
    const dl = out.readUInt32BE(pos + 12);
    const end = pos + 16 + il * 16 + dl;
    blobs.push(out.subarray(pos + 8, end));
    pos = end;
  }
  if (pos !== out.length) throw new Error('trailing bytes after the last header');
  return blobs;
}

export interface BdbOptions {
  readonly pageSize: 512 | 1024 | 4096 | 8192 | 65536;
  readonly bigEndian: boolean;
  readonly checksum?: boolean;
  readonly type?: 'hash' | 'btree';
}

/**
 * A real Berkeley DB database (`db_load`) laid out as rpm's `Packages`: keys
 * are package numbers in the database's byte order, values the header blobs,
 * and key 0 holds rpm's instance counter.
 */
export async function makeBdb(dir: string, blobs: readonly Buffer[], opts: BdbOptions): Promise<string> {
  // A fresh directory each time: db_load adds to an existing database.
  const dbpath = await mkdtemp(join(dir, 'bdb-'));
  const u32 = (n: number): string => {
    const b = Buffer.alloc(4);
    if (opts.bigEndian) b.writeUInt32BE(n);
    else b.writeUInt32LE(n);
    return b.toString('hex');
  };
  const lines = [
    'VERSION=3',
    'format=bytevalue',
    `type=${opts.type ?? 'hash'}`,
    `db_pagesize=${opts.pageSize}`,
    `db_lorder=${opts.bigEndian ? 4321 : 1234}`,
    ...(opts.checksum ? ['chksum=1'] : []),
    'HEADER=END',
    ` ${u32(0)}`,
    ` ${u32(blobs.length)}`,
  ];
  blobs.forEach((blob, i) => lines.push(` ${u32(i + 1)}`, ` ${blob.toString('hex')}`));
  lines.push('DATA=END', '');
  const dump = join(dbpath, 'dump.txt');
  await writeFile(dump, lines.join('\n'));
  await exec('db_load', ['-f', dump, join(dbpath, 'Packages')]);
  await rm(dump);
  return join(dbpath, 'Packages');
}
