/**
 * False-positive guard: every file of this machine's Debian documentation,
 * Python packages and configuration is scanned with every rule (the default
 * skip list switched off, so the rules themselves are under test), and
 * nothing may be reported except the few real keys and documented examples
 * listed below.
 */
import assert from 'node:assert/strict';
import { createReadStream } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RuleFinding } from '../core/index.js';
import { createSecretScanner } from './index.js';

const ROOTS = ['/usr/share/doc', '/usr/lib/python3/dist-packages', '/etc'];

/** Findings that are right to report, and why. */
const EXPECTED: readonly {
  readonly rules: readonly string[];
  readonly path: RegExp;
  readonly why: string;
}[] = [
  {
    rules: ['private-key', 'encrypted-private-key'],
    path: /^\/usr\/share\/doc\/[^/]+\/examples\/.+\.(?:pem|key)$/,
    why: 'sample keys shipped as documentation of -dev packages (libxmlsec1-dev examples/rsakey.pem): real PEM keys, published',
  },
  {
    rules: ['jwt'],
    path: /^(?:\/usr\/share\/doc\/python3-jwt\/README[^/]*|\/usr\/lib\/python3\/dist-packages\/PyJWT-[^/]+\.(?:egg-info\/PKG-INFO|dist-info\/METADATA))$/,
    why: 'PyJWT\'s README example token ({"some": "payload"} signed with the key "secret"), also in its package metadata',
  },
  {
    rules: ['private-key'],
    path: /^\/etc\/ssh\/ssh_host_[a-z0-9]+_key$/,
    why: "openssh-server's host keys: real private keys, correctly reported",
  },
  {
    rules: ['private-key'],
    path: /^\/etc\/ssl\/private\/[^/]+\.(?:key|pem)$/,
    why: "ssl-cert's snakeoil key: a real private key, correctly reported",
  },
];

async function* files(dir: string): AsyncGenerator<string> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return; // unreadable directory
  }
  for (const e of entries) {
    const p = join(dir, e.name);
    if (e.isDirectory()) yield* files(p);
    else if (e.isFile()) yield p;
  }
}

test(
  'no findings on the host’s Debian docs, Python packages and /etc beyond the justified list',
  { timeout: 600_000 },
  async (t) => {
    const scanner = createSecretScanner({ defaultSkips: false });
    const unexpected: string[] = [];
    const expected: RuleFinding[] = [];
    let scanned = 0;
    for (const root of ROOTS) {
      for await (const path of files(root)) {
        let found: RuleFinding[];
        try {
          // Small files as buffers, large ones streamed, as the layer walker does.
          const buf = await readFile(path, { flag: 'r' }).catch(() => undefined);
          if (buf === undefined) continue;
          found =
            buf.length <= 1024 * 1024
              ? scanner.scanBuffer(path, buf)
              : await scanner.scanStream(path, createReadStream(path));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EACCES') continue;
          throw e;
        }
        scanned++;
        for (const f of found) {
          if (EXPECTED.some((x) => x.rules.includes(f.ruleId) && x.path.test(f.location.path)))
            expected.push(f);
          else unexpected.push(`${f.ruleId} ${f.location.path}:${f.location.startLine} ${f.evidence ?? ''}`);
        }
      }
    }
    assert.ok(scanned > 500, `only ${scanned} files scanned`);
    t.diagnostic(`${scanned} files, ${expected.length} expected findings`);
    assert.deepEqual(unexpected, []);
  },
);
