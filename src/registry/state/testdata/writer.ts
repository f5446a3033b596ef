/**
 * A child process for the crash and multi-process tests. Modes:
 *   open PATH                — open (migrating) and close; prints the migrations applied as JSON
 *   loop PATH START          — push manifests c<START>, c<START+1>, … forever, each one
 *                              transaction of SHARED + 1 blob references and a tag, printing
 *                              "committed N" after each commit, until killed
 *   write PATH PREFIX COUNT  — push COUNT manifests under PREFIX, then exit
 */
import { openStateStore } from '../index.js';

/** Blobs every manifest of `loop` references: most of the time goes into the manifest transactions. */
const SHARED = 200;
const dg = (s: string): string => `sha256:${s.padStart(64, '0')}`;

const [mode, path, ...rest] = process.argv.slice(2);
if (!mode || !path) throw new Error('usage: writer.ts open|loop|write PATH …');
const store = await openStateStore({ kind: 'sqlite', path });

async function pushOne(repo: string, name: string, shared: readonly string[]): Promise<void> {
  const own = dg(`${name}b`);
  await store.linkBlob(repo, { digest: own, size: 1 });
  const r = await store.putManifest(
    repo,
    { digest: dg(`${name}m`), mediaType: 'x', size: 1, blobs: [...shared, own] },
    { tag: `tag-${name}` },
  );
  if (r.status !== 'stored') throw new Error(`manifest ${name} not stored: ${JSON.stringify(r)}`);
}

if (mode === 'open') {
  process.stdout.write(`${JSON.stringify(store.migrated)}\n`);
} else if (mode === 'loop') {
  const shared = Array.from({ length: SHARED }, (_, j) => dg(`shared${j}`));
  for (const b of shared) await store.linkBlob('p/crash', { digest: b, size: 1 });
  for (let i = Number(rest[0] ?? 0); ; i++) {
    await pushOne('p/crash', `c${i}`, shared);
    process.stdout.write(`committed ${i}\n`);
  }
} else if (mode === 'write') {
  const [prefix = 'w', count = '10'] = rest;
  for (let i = 0; i < Number(count); i++) await pushOne('p/multi', `${prefix}${i}`, [dg('common')]);
}
await store.close();
