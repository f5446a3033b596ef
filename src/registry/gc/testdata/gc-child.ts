// Child process for the SIGKILL test: runs one garbage collection over a
// data dir at a given clock and reports progress on stdout, one line per
// event ("deleted N" every hundred blobs, "DONE" at the end), so the parent
// can kill it mid-sweep. Usage: gc-child.ts DIR CLOCK_MS
import { collectGarbage } from '../index.js';
import { openAt } from './fixture.js';

const [dir, clockText] = process.argv.slice(2);
const t = Number(clockText);
const f = await openAt(dir ?? '', { t, now: () => t });
const say = (line: string): void => void process.stdout.write(`${line}\n`);
await collectGarbage({
  storage: f.storage,
  state: f.state,
  now: f.clock.now,
  batchSize: 250,
  onProgress: (p) => {
    if (p.phase === 'sweep' && p.blobsDeleted > 0) say(`deleted ${p.blobsDeleted}`);
  },
});
say('DONE');
await f.state.close();
