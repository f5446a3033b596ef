/** Test support (not part of the build): a state store in a fresh temp dir. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore, type StateStore } from '../state/index.js';

export interface TempStore {
  readonly path: string;
  readonly store: StateStore;
  /** Opens another store over the same database file. */
  reopen(): Promise<StateStore>;
  cleanup(): Promise<void>;
}

export async function tempStore(name: string): Promise<TempStore> {
  const dir = await mkdtemp(join(tmpdir(), `mamori-${name}-`));
  const path = join(dir, 'state.db');
  const opened: StateStore[] = [];
  const open = async (): Promise<StateStore> => {
    const s = await openStateStore({ kind: 'sqlite', path });
    opened.push(s);
    return s;
  };
  const store = await open();
  return {
    path,
    store,
    reopen: open,
    async cleanup() {
      for (const s of opened) await s.close().catch(() => undefined);
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until `check` holds, giving the event loop turns; fails after `ms`. */
export async function eventually(
  check: () => Promise<boolean> | boolean,
  what: string,
  ms = 10_000,
): Promise<void> {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
