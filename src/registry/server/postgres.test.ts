// mamori server with its state in PostgreSQL (a throwaway cluster from
// Debian's postgresql): every module's tables migrate into one database,
// skopeo pushes and pulls through access control, scan on push runs, the
// audit log fills, and a second server process on the same database (a
// replica) sees the same repositories and accounts.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { type PgCluster, postgresBinDir, startPostgres } from '../state/testing-postgres.js';
import { startRegistryServer } from './index.js';

const run = promisify(execFile);
const PASSWORD = 'postgres-test-admin-password';
const CREDS = `admin:${PASSWORD}`;
const skip =
  postgresBinDir() === undefined ? 'PostgreSQL is not installed (Debian package postgresql)' : false;

describe('mamori server on PostgreSQL', { skip }, () => {
  let cluster: PgCluster | undefined;
  let work: string;
  before(async () => {
    cluster = await startPostgres();
    work = await mkdtemp(join(tmpdir(), 'mamori-server-pg-'));
  });
  after(async () => {
    await cluster?.stop();
    await rm(work, { recursive: true, force: true });
  });

  it('serves pushes and pulls with its state in PostgreSQL, shared by two server processes', async () => {
    if (!cluster) throw new Error('no cluster');
    const stateUrl = await cluster.createDatabase();
    const sh = (cmd: string, args: string[]) =>
      run(cmd, args, { env: { ...process.env, HOME: work }, maxBuffer: 16 * 1024 * 1024 }).then(
        (r) => r.stdout,
      );
    const layout = join(work, 'layout');
    await sh('umoci', ['init', '--layout', layout]);
    await sh('umoci', ['new', '--image', `${layout}:app`]);
    await sh('umoci', ['config', '--image', `${layout}:app`, '--architecture', 'amd64', '--os', 'linux']);

    // Two replicas: one state database; here they also share the blob directory.
    const common = { adminPassword: PASSWORD, stateUrl, gc: { intervalMs: 0 }, data: join(work, 'data') };
    const a = await startRegistryServer({
      ...common,
      listen: '127.0.0.1:0',
      scanning: { vulnDb: join(work, 'none.db') },
    });
    const b = await startRegistryServer({ ...common, listen: '127.0.0.1:0', scanning: { enabled: false } });
    try {
      await sh('skopeo', [
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        CREDS,
        `oci:${layout}:app`,
        `docker://${new URL(a.url).host}/team/app:1`,
      ]);
      const tags = JSON.parse(
        await sh('skopeo', [
          'list-tags',
          '--tls-verify=false',
          '--creds',
          CREDS,
          `docker://${new URL(b.url).host}/team/app`,
        ]),
      ) as { Tags: string[] };
      assert.deepEqual(tags.Tags, ['1'], 'the other replica sees the push');
      await sh('skopeo', [
        'copy',
        '--src-tls-verify=false',
        '--src-creds',
        CREDS,
        `docker://${new URL(b.url).host}/team/app:1`,
        `oci:${join(work, 'out')}:app`,
      ]);
      assert.equal(
        await sh('skopeo', ['inspect', '--raw', `oci:${join(work, 'out')}:app`]),
        await sh('skopeo', ['inspect', '--raw', `oci:${layout}:app`]),
      );
      const digest = (
        await sh('skopeo', [
          'inspect',
          '--tls-verify=false',
          '--creds',
          CREDS,
          '--format',
          '{{.Digest}}',
          `docker://${new URL(b.url).host}/team/app:1`,
        ])
      ).trim();
      // The scan runs on replica a (b runs no scanner) and its result is stored in the shared database.
      const auth = { authorization: `Basic ${Buffer.from(CREDS).toString('base64')}` };
      const end = Date.now() + 60_000;
      let status = '';
      while (Date.now() < end) {
        const r = await fetch(
          `${a.url}/api/v1/repositories/${encodeURIComponent('team/app')}/artifacts/${digest}`,
          { headers: auth },
        );
        const body = (await r.json()) as { scan?: { status?: string } };
        status = body.scan?.status ?? '';
        if (status === 'scanned') break;
        await new Promise((res) => setTimeout(res, 200));
      }
      assert.equal(status, 'scanned');
      // The replica that runs no scanner serves the same result (and its pull gate and admission webhook read it).
      const fromB = (await (
        await fetch(`${b.url}/api/v1/repositories/${encodeURIComponent('team/app')}/artifacts/${digest}`, {
          headers: auth,
        })
      ).json()) as { scan?: { status?: string } };
      assert.equal(fromB.scan?.status, 'scanned');
      await a.services.audit.flush();
      const audit = (await (await fetch(`${b.url}/api/v1/audit?action=push`, { headers: auth })).json()) as {
        events: { actor: string }[];
      };
      assert.ok(
        audit.events.some((e) => e.actor === 'admin'),
        'the push is in the shared audit log',
      );
    } finally {
      await a.close();
      await b.close();
    }
  });
});
