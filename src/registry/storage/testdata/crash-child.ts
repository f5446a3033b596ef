// Child process for the SIGKILL tests: writes into a blob store and reports
// progress on stdout, one line per event, so the parent can kill it at a
// known point. Usage: crash-child.ts MODE ROOT TOTAL
//   upload-race   chunked upload of TOTAL bytes in 8 MiB appends, in pieces
//                 of 100003 bytes; prints "MID" during the second append and
//                 keeps writing
//   upload-pause  like upload-race, but in pieces of 1 MiB, and stops inside
//                 the second append after 4 pieces were written, then prints
//                 "MID"
//   put-pause     monolithic put; prints "RENAME <from> <to>" when the blob
//                 is verified and synced, right before the rename, and stops
//   commit-pause  full chunked upload then commit; stops like put-pause
import { createFsBlobStore } from '../index.js';
import { patternDigest, patternStream } from './pattern.js';

const [mode, root, totalText] = process.argv.slice(2);
const total = Number(totalText);
const APPEND = 8 * 1024 * 1024;
const PIECE = 1024 * 1024;
const ODD_PIECE = 100_003;

const forever = (): Promise<never> =>
  new Promise<never>(() => {
    setInterval(() => undefined, 60_000);
  });
const say = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

async function* secondAppendHook(offset: number, end: number, pause: boolean): AsyncGenerator<Buffer> {
  let pieces = 0;
  // The racing variant uses an odd piece size so the kill lands at an arbitrary byte.
  for await (const chunk of patternStream(offset, end, pause ? PIECE : ODD_PIECE)) {
    if (offset === APPEND && pieces === 4) {
      say('MID');
      if (pause) await forever();
    }
    yield chunk;
    pieces++;
  }
}

async function main(): Promise<void> {
  if (!root || !Number.isSafeInteger(total)) throw new Error('usage: crash-child.ts MODE ROOT TOTAL');
  const pauseBeforeRename = mode === 'put-pause' || mode === 'commit-pause';
  const store = await createFsBlobStore(root, {
    beforeRename: pauseBeforeRename
      ? async (from, to) => {
          say(`RENAME ${from} ${to}`);
          await forever();
        }
      : undefined,
  });
  if (mode === 'put-pause') {
    await store.put(patternDigest(total), patternStream(0, total, PIECE), total);
    return;
  }
  const session = await store.startUpload();
  say(`ID ${session.id}`);
  for (let offset = 0; offset < total; offset += APPEND) {
    const end = Math.min(total, offset + APPEND);
    await store.append(session.id, offset, secondAppendHook(offset, end, mode === 'upload-pause'), end - offset);
    say(`ACK ${end}`);
  }
  if (mode === 'commit-pause') await store.commit(session.id, patternDigest(total));
  say('DONE');
  await forever();
}

main().catch((e: unknown) => {
  process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  process.exit(2);
});
