/**
 * Mode changes made while the agent runs (`mamori profile mode WORKLOAD
 * protect`). The command writes the profile file (for the next start) and
 * a request file `mode-requests/<id>.json` under the data directory; the
 * running agent polls that directory, applies each request to its engine
 * (whose next flush rewrites the profile with its full baseline) and
 * removes it. Request files are untrusted: bounded, validated, removed.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProfileEngine, ProfileMode } from '../profile/index.js';

const DIR = 'mode-requests';
const MAX_REQUESTS = 1000;
const MODES: readonly ProfileMode[] = ['learn', 'monitor', 'protect'];

/** Asks a running agent to switch a workload (by profile id) to `mode`. */
export async function requestModeChange(dataDir: string, id: string, mode: ProfileMode): Promise<void> {
  const dir = join(dataDir, DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = join(dir, `.${id}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFile(tmp, JSON.stringify({ id, mode, time: Date.now() }), { mode: 0o600 });
  await rename(tmp, join(dir, `${id}.json`));
}

export class ProfileSync {
  constructor(
    private readonly dataDir: string,
    private readonly engine: ProfileEngine,
  ) {}

  /** One poll; returns the workloads whose mode changed. */
  async poll(): Promise<{ id: string; name: string; mode: ProfileMode }[]> {
    const dir = join(this.dataDir, DIR);
    const names = await readdir(dir).catch(() => [] as string[]);
    const changed: { id: string; name: string; mode: ProfileMode }[] = [];
    for (const f of names.filter((n) => /^[0-9a-f]{16}\.json$/.test(n)).slice(0, MAX_REQUESTS)) {
      const path = join(dir, f);
      const st = await stat(path).catch(() => undefined);
      let mode: unknown;
      let time: unknown;
      if (st?.isFile() && st.size <= 4096) {
        try {
          const doc = JSON.parse(await readFile(path, 'utf8')) as { mode?: unknown; time?: unknown } | null;
          ({ mode, time } = doc ?? {});
        } catch {
          mode = undefined;
        }
      }
      if (!st?.isFile()) continue;
      await rm(path, { force: true }).catch(() => undefined);
      const id = f.slice(0, -5);
      const mine = this.engine.get(id);
      if (!MODES.includes(mode as ProfileMode) || mine === undefined) continue;
      // A request older than the engine's last mode change (left from before a restart) is stale.
      if (typeof time !== 'number' || time < mine.modeChangedAt) continue;
      const p = this.engine.setMode(id, mode as ProfileMode);
      changed.push({ id, name: p.name, mode: p.mode });
    }
    return changed;
  }
}
