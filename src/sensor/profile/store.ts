/**
 * Profiles on disk: one `<id>.json` per workload under a data directory
 * (mode 0700), each written atomically (temp file 0600 + fsync + rename).
 * Files are untrusted on read: oversized, unparsable or invalid files are
 * renamed to `<file>.corrupt-<time>` and reported, never fatal; a file from a
 * newer schema is reported and left alone.
 */
import { randomBytes } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { MamoriError, errorMessage } from '../../core/errors.js';
import { ID_RE, parseProfile } from './schema.js';
import {
  DEFAULT_LIMITS,
  PROFILE_SCHEMA,
  type BehaviourProfile,
  type ProfileLimits,
  type ProfileMode,
} from './types.js';

const MAX_FILE = 4 * 1024 * 1024;
const MAX_FILES = 10_000;

/** A stored file that could not be used. */
export interface StoreProblem {
  readonly file: string;
  readonly reason: string;
  /** Where the file was moved, when it was set aside. */
  readonly setAsideTo?: string;
}

export interface ProfileListing {
  readonly profiles: BehaviourProfile[];
  readonly problems: StoreProblem[];
}

/** A file written by a newer mamori: reported, left in place. */
class NewerSchemaError extends MamoriError {}

export class ProfileStore {
  constructor(
    readonly dir: string,
    private readonly limits: ProfileLimits = DEFAULT_LIMITS,
  ) {}

  private async ensureDir(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true, mode: 0o700 });
  }

  /** Reads one file; undefined when it does not exist. Throws MamoriError on an unusable file. */
  private async read(file: string): Promise<BehaviourProfile | undefined> {
    let fh: fs.FileHandle;
    try {
      fh = await fs.open(
        join(this.dir, file),
        constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK,
      );
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new MamoriError('IO', `cannot open profile ${file}: ${errorMessage(e)}`, { cause: e });
    }
    try {
      const st = await fh.stat();
      if (!st.isFile()) throw new MamoriError('INVALID_ARGUMENT', 'not a regular file');
      if (st.size > MAX_FILE) throw new MamoriError('LIMIT_EXCEEDED', `larger than ${MAX_FILE} bytes`);
      const buf = Buffer.alloc(Math.min(st.size, MAX_FILE) + 1);
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      if (bytesRead > MAX_FILE) throw new MamoriError('LIMIT_EXCEEDED', `larger than ${MAX_FILE} bytes`);
      let raw: unknown;
      try {
        raw = JSON.parse(buf.subarray(0, bytesRead).toString('utf8'));
      } catch (e) {
        throw new MamoriError('INVALID_ARGUMENT', `not JSON: ${errorMessage(e)}`);
      }
      const schema = (raw as { schema?: unknown } | null)?.schema;
      if (typeof schema === 'number' && schema > PROFILE_SCHEMA) {
        throw new NewerSchemaError('INVALID_ARGUMENT', `schema ${schema} is newer than ${PROFILE_SCHEMA}`);
      }
      const p = parseProfile(raw, this.limits);
      if (`${p.id}.json` !== file)
        throw new MamoriError('INVALID_ARGUMENT', 'id does not match the file name');
      return p;
    } finally {
      await fh.close();
    }
  }

  private async setAside(file: string, reason: string): Promise<StoreProblem> {
    const to = `${file}.corrupt-${Date.now()}`;
    try {
      await fs.rename(join(this.dir, file), join(this.dir, to));
      return { file, reason, setAsideTo: to };
    } catch {
      return { file, reason };
    }
  }

  private async readOrReport(file: string): Promise<BehaviourProfile | StoreProblem | undefined> {
    try {
      return await this.read(file);
    } catch (e) {
      if (e instanceof NewerSchemaError) return { file, reason: e.message };
      if (e instanceof MamoriError && e.code === 'IO') return { file, reason: e.message };
      return this.setAside(file, errorMessage(e));
    }
  }

  /** Every readable profile, sorted by name, and what could not be read. */
  async list(): Promise<ProfileListing> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { profiles: [], problems: [] };
      throw new MamoriError('IO', `cannot list profiles: ${errorMessage(e)}`, { cause: e });
    }
    const profiles: BehaviourProfile[] = [];
    const problems: StoreProblem[] = [];
    const files = names.filter((n) => n.endsWith('.json') && ID_RE.test(n.slice(0, -5))).sort();
    for (const f of files.slice(0, MAX_FILES)) {
      const r = await this.readOrReport(f);
      if (r === undefined) continue;
      if ('schema' in r) profiles.push(r);
      else problems.push(r);
    }
    profiles.sort((a, b) => a.name.localeCompare(b.name));
    return { profiles, problems };
  }

  /** A profile by id or name. A corrupt file is set aside and reads as absent. */
  async get(nameOrId: string): Promise<BehaviourProfile | undefined> {
    if (ID_RE.test(nameOrId)) {
      const r = await this.readOrReport(`${nameOrId}.json`);
      if (r !== undefined && 'schema' in r) return r;
    }
    return (await this.list()).profiles.find((p) => p.name === nameOrId);
  }

  /** Writes one profile atomically. */
  async save(profile: BehaviourProfile): Promise<void> {
    parseProfile(profile, this.limits); // never write what could not be read back
    await this.ensureDir();
    const final = join(this.dir, `${profile.id}.json`);
    const tmp = join(this.dir, `.${profile.id}.${randomBytes(6).toString('hex')}.tmp`);
    const fh = await fs.open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(JSON.stringify(profile, null, 2) + '\n');
      await fh.sync();
    } catch (e) {
      await fh.close();
      await fs.rm(tmp, { force: true });
      throw new MamoriError('IO', `cannot write profile: ${errorMessage(e)}`, { cause: e });
    }
    await fh.close();
    await fs.rename(tmp, final);
  }

  /** Sets a stored profile's mode (manual). Entering `learn` restarts the learning period. */
  async setMode(nameOrId: string, mode: ProfileMode, now: number = Date.now()): Promise<BehaviourProfile> {
    const p = await this.get(nameOrId);
    if (p === undefined) throw new MamoriError('NOT_FOUND', `no profile ${nameOrId}`);
    const next: BehaviourProfile = {
      ...p,
      mode,
      modeSource: 'manual',
      modeChangedAt: now,
      ...(mode === 'learn' ? { learnStartedAt: now, lastChangeAt: now } : {}),
    };
    await this.save(next);
    return next;
  }
}
