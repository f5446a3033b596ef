#!/usr/bin/env node
// Benchmark of the vulnerability database importers (src/vulndb), apart from
// the tests. Each measurement runs in a fresh process on a fresh database:
//
//   go, pypi   : OSV's Go.zip / PyPI.zip from ../shared/data/osv
//   alpine     : all Alpine secdb files from ../shared/data/alpine-secdb, one after another
//   real-all   : the three above in one process, as `mamori db import Go.zip PyPI.zip alpine/*.json`
//   gen-500k   : a generated OSV zip of 500,000 records (~1.5 KB of JSON each,
//                like the real feeds), built once into bench/work/vulndb/
//   gen-again  : the same zip imported a second time (every record unchanged)
//   debian     : a generated Debian tracker JSON (40,000 source packages,
//                ~120,000 issues), streamed member by member
//   lookup     : advisoriesFor() on the 500k database, 20,000 random packages
//   match      : matchPackages() of 10,000 packages (2,000 Debian packages by
//                source, 8,000 npm/PyPI/Go/Maven/crates/gem/NuGet packages,
//                about half of them named by some record) against the 500k
//                database, warm: the median of 7 passes after one warm-up
//
// Reports the median over RUNS of records/s, wall time, peak RSS and the
// database size.
// Usage: node bench/vulndb.mjs [RUNS]   (default 3; runs itself under tsx)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const work = join(root, 'bench/work/vulndb');
const shared = [
  process.env.MAMORI_SHARED_DATA,
  join(root, 'src/vulndb/testdata/feeds'),
  join(root, '../shared/data'),
].find((p) => p && existsSync(join(p, 'osv')));

async function one(kind, db, ...inputs) {
  const { openVulnDb, importFeed } = await import(join(root, 'src/vulndb/index.ts'));
  const t0 = performance.now();
  let records = 0;
  const d = await openVulnDb(db);
  if (kind === 'lookup') {
    const { generatedRecord } = await import(join(root, 'src/vulndb/testing.ts'));
    let found = 0;
    const pkgs = Array.from(
      { length: 20_000 },
      (_, i) => JSON.parse(generatedRecord((i * 24_989) % 500_000)).affected[0].package,
    );
    const t = performance.now();
    for (const p of pkgs) found += d.advisoriesFor(p.ecosystem, p.name).length;
    const ms = performance.now() - t;
    d.close();
    return { records: pkgs.length, ms, found, usPerLookup: (ms * 1000) / pkgs.length };
  }
  if (kind === 'match') {
    const { matchPackages } = await import(join(root, 'src/match/index.ts'));
    const pkgs = benchPackages();
    const distro = { id: 'debian', versionId: '12', name: 'Debian GNU/Linux' };
    // The share of the time spent in the database (query and JSON parsing of the records).
    let dbMs = 0;
    const provider = {
      advisoriesFor: (e, n) => d.advisoriesFor(e, n),
      advisoriesForMany: (e, names) => {
        const t = performance.now();
        const r = d.advisoriesForMany(e, names);
        dbMs += performance.now() - t;
        return r;
      },
    };
    let findings = matchPackages(pkgs, distro, provider).length;
    const times = [];
    const dbTimes = [];
    for (let i = 0; i < 7; i++) {
      dbMs = 0;
      const t = performance.now();
      findings = matchPackages(pkgs, distro, provider).length;
      times.push(performance.now() - t);
      dbTimes.push(dbMs);
    }
    d.close();
    return { records: pkgs.length, ms: median(times), dbMs: median(dbTimes), found: findings };
  }
  for (const input of inputs) {
    const r = await importFeed(d, input);
    records += r.records + r.invalid;
  }
  d.close();
  return { records, ms: performance.now() - t0 };
}

/** 10,000 packages shaped as the inventory makes them, named like the generated records' packages. */
function benchPackages() {
  const types = {
    npm: ['npm', 'npm'],
    PyPI: ['python', 'pypi'],
    Go: ['go-module', 'golang'],
    Maven: ['java-archive', 'maven'],
    'crates.io': ['rust-crate', 'cargo'],
    RubyGems: ['gem', 'gem'],
    NuGet: ['dotnet', 'nuget'],
  };
  const ecos = Object.keys(types);
  const pkgs = [];
  for (let i = 0; i < 2_000; i++) {
    const source = `package-${(i * 37) % 80_000}`;
    pkgs.push({
      name: `lib${source}`,
      version: `1.${i % 9}.0-1`,
      type: 'deb',
      purl: `pkg:deb/debian/lib${source}@1.${i % 9}.0-1?arch=amd64&distro=debian-12`,
      licenses: [],
      locations: [{ path: '/var/lib/dpkg/status' }],
      foundBy: 'dpkg-db',
      metadata: { kind: 'dpkg', source, sourceVersion: `1.${i % 9}.0-1`, files: [] },
    });
  }
  for (let i = 0; i < 8_000; i++) {
    const eco = ecos[i % ecos.length];
    const [type, purlType] = types[eco];
    const n = (i * 13) % 80_000;
    const name =
      eco === 'Go'
        ? `github.com/example${n % 97}/module-${n}`
        : eco === 'Maven'
          ? `org.example${n % 53}:artifact-${n}`
          : `package-${n}`;
    const version = eco === 'Go' ? `v1.${i % 9}.0` : `1.${i % 9}.0`;
    pkgs.push({
      name,
      version,
      type,
      purl: `pkg:${purlType}/${encodeURIComponent(name)}@${version}`,
      licenses: [],
      locations: [{ path: `/app/${i}` }],
      foundBy: 'bench',
      metadata:
        type === 'python'
          ? { kind: 'python-dist-info' }
          : type === 'npm'
            ? { kind: 'npm-package-json' }
            : { kind: 'go-buildinfo' },
    });
  }
  return pkgs;
}

function debianTracker(path) {
  // Shaped like https://security-tracker.debian.org/tracker/data/json.
  const rel = ['bookworm', 'bullseye', 'trixie', 'sid'];
  const parts = ['{'];
  for (let p = 0; p < 40_000; p++) {
    const issues = {};
    for (let k = 0; k < 1 + (p % 5); k++) {
      const releases = {};
      rel.forEach((r, i) => {
        releases[r] =
          (p + i) % 3 === 0
            ? { status: 'open', repositories: { [r]: `1.${p}-${i}` }, urgency: 'low', nodsa: 'Minor issue' }
            : {
                status: 'resolved',
                repositories: { [r]: `1.${p}-${i}` },
                fixed_version: `1.${p}-${i + 1}`,
                urgency: 'not yet assigned',
              };
      });
      issues[`CVE-${2015 + (k % 10)}-${10000 + p * 5 + k}`] = {
        description: `Issue ${k} in source package ${p}: a buffer overflow in a parser reachable from the network`,
        scope: 'remote',
        debianbug: 1_000_000 + p,
        releases,
      };
    }
    parts.push(`${p ? ',' : ''}${JSON.stringify(`srcpkg-${p}`)}:${JSON.stringify(issues)}`);
  }
  parts.push('}');
  writeFileSync(path, parts.join(''));
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function measure(kind, db, inputs, { fresh = true } = {}) {
  if (fresh) rmSync(db, { force: true });
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%M',
      process.execPath,
      '--import',
      'tsx',
      fileURLToPath(import.meta.url),
      'one',
      kind,
      db,
      ...inputs,
    ],
    { cwd: root, encoding: 'utf8' },
  );
  if (r.status !== 0) throw new Error(`${kind}: ${r.stderr}`);
  const out = JSON.parse(r.stdout.trim().split('\n').at(-1));
  const rssKiB = Number(r.stderr.trim().split('\n').at(-1));
  return { ...out, rssMiB: rssKiB / 1024, dbMiB: statSync(db).size / 1024 / 1024 };
}

async function main() {
  const runs = Number(process.argv[2] ?? 3);
  mkdirSync(work, { recursive: true });
  if (!existsSync('/usr/bin/time'))
    spawnSync('sh', ['-c', 'apt-get update -qq && apt-get install -y -qq time'], { stdio: 'inherit' });
  const gen = join(work, 'gen-500000.zip');
  if (!existsSync(gen)) {
    const { writeGeneratedZip } = await import(join(root, 'src/vulndb/testing.ts'));
    console.error('generating 500,000 OSV records…');
    await writeGeneratedZip(`${gen}.tmp`, 500_000);
    spawnSync('mv', [`${gen}.tmp`, gen]);
  }
  const deb = join(work, 'debian-tracker.json');
  if (!existsSync(deb)) debianTracker(deb);
  const cases = [];
  if (shared) {
    cases.push(['go', [join(shared, 'osv/Go.zip')]], ['pypi', [join(shared, 'osv/PyPI.zip')]]);
    const alpine = readdirSync(join(shared, 'alpine-secdb'))
      .sort()
      .map((f) => join(shared, 'alpine-secdb', f));
    cases.push(
      ['alpine', alpine],
      ['real-all', [join(shared, 'osv/Go.zip'), join(shared, 'osv/PyPI.zip'), ...alpine]],
    );
  } else console.error('no shared feeds beside the checkout: real-feed cases skipped');
  cases.push(['gen-500k', [gen]], ['debian', [deb]]);
  console.log(
    `inputs: gen-500k ${(statSync(gen).size / 1024 / 1024).toFixed(0)} MiB zip, debian ${(statSync(deb).size / 1024 / 1024).toFixed(0)} MiB JSON; ${runs} runs, median`,
  );
  console.log('case        records   seconds   records/s   peak RSS MiB   DB MiB');
  const row = (name, rs) => {
    const m = (k) => median(rs.map((r) => r[k]));
    const rate = median(rs.map((r) => (r.records / r.ms) * 1000));
    console.log(
      `${name.padEnd(10)} ${String(rs[0].records).padStart(8)} ${(m('ms') / 1000).toFixed(2).padStart(9)} ${rate.toFixed(0).padStart(11)} ${m('rssMiB').toFixed(0).padStart(14)} ${m('dbMiB').toFixed(1).padStart(8)}`,
    );
  };
  for (const [name, inputs] of cases) {
    const db = join(work, `${name}.db`);
    row(
      name,
      Array.from({ length: runs }, () => measure(name, db, inputs)),
    );
    if (name === 'gen-500k') {
      row(
        'gen-again',
        Array.from({ length: runs }, () => measure(name, db, inputs, { fresh: false })),
      );
      const l = Array.from({ length: runs }, () => measure('lookup', db, [], { fresh: false }));
      console.log(
        `lookup     ${median(l.map((r) => r.usPerLookup)).toFixed(1)} µs per advisoriesFor() (20,000 packages, ${l[0].found} advisories found)`,
      );
      const mt = Array.from({ length: runs }, () => measure('match', db, [], { fresh: false }));
      console.log(
        `match      ${median(mt.map((r) => r.ms)).toFixed(0)} ms for matchPackages() of 10,000 packages, warm (${median(mt.map((r) => r.dbMs)).toFixed(0)} ms of it in the database; ${mt[0].found} findings)`,
      );
    }
  }
}

if (!process.execArgv.join(' ').includes('tsx')) {
  // The importers are TypeScript sources: run under tsx, as the tests do.
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  process.exit(r.status ?? 1);
} else if (process.argv[2] === 'one') {
  const [, , , kind, db, ...inputs] = process.argv;
  console.log(JSON.stringify(await one(kind, db, ...inputs)));
} else {
  await main();
}
