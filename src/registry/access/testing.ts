/**
 * Test support (not part of the build): an AccessControl over a real state
 * store in a temp dir, with a settable clock and cheap scrypt parameters.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStateStore, type StateStore } from '../state/index.js';
import { type AccessControl, openAccess } from './access.js';
import type { AccessOptions } from './types.js';

/** scrypt parameters that keep tests fast (the production default is ln=15). */
export const FAST_SCRYPT = { ln: 10, r: 8, p: 1 } as const;

export interface Clock {
  now: number;
}

export interface TestAccess {
  readonly access: AccessControl;
  readonly state: StateStore;
  readonly keyDir: string;
  readonly clock: Clock;
  /** Another AccessControl over the same database and key (a second replica). */
  reopen(options?: Partial<AccessOptions>): Promise<AccessControl>;
  close(): Promise<void>;
}

export type OpenState = (dir: string) => Promise<StateStore>;

export const openSqliteState: OpenState = (dir) =>
  openStateStore({ kind: 'sqlite', path: join(dir, 'state.db') });

export async function openTestAccess(
  options: Partial<AccessOptions> = {},
  openState: OpenState = openSqliteState,
): Promise<TestAccess> {
  const dir = await mkdtemp(join(tmpdir(), 'mamori-access-'));
  const state = await openState(dir);
  const keyDir = join(dir, 'keys');
  const clock: Clock = { now: Date.UTC(2026, 0, 1) };
  const base: AccessOptions = { keyDir, now: () => clock.now, scrypt: FAST_SCRYPT, ...options };
  const access = await openAccess(state, base);
  return {
    access,
    state,
    keyDir,
    clock,
    reopen: (more = {}) => openAccess(state, { ...base, ...more }),
    async close() {
      await state.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
