// The whole registry as users meet it: real skopeo and curl against a
// running mamori server, administered with the mamori CLI. Covers access
// control (token dance, robots, roles, no existence leaks), scan on push
// with its SBOM and report as referrers, the pull gate, tag immutability,
// webhooks with HMAC signatures, the audit log, metrics and the OpenAPI
// document.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { main } from '../../cli/main.js';
import { capture } from '../../cli/testing.js';
import { type RegistryServer, startRegistryServer } from './index.js';

const run = promisify(execFile);
const ADMIN = 'e2e-admin-password';
const DEV = 'e2e-developer-password';

let work: string;
let server: RegistryServer;
let host: string;
let image: string;
let robotSecret = '';

async function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  const { stdout } = await run(cmd, args, {
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, HOME: work, REGISTRY_AUTH_FILE: join(work, 'auth.json'), ...env },
  });
  return stdout;
}

/** `mamori ARGS…` in-process as user `user` (password on stdin); returns stdout, throws with stderr on failure. */
async function mamori(user: string, password: string, ...args: string[]): Promise<string> {
  const c = capture();
  const code = await main([...args, '--server', server.url, '-u', user, '--password-stdin'], {
    ...c.io,
    stdin: Readable.from([`${password}\n`]),
  });
  if (code !== 0) throw new Error(`mamori ${args.join(' ')} → ${code}: ${c.text().stderr}`);
  return c.text().stdout;
}

const basic = (user: string, password: string) => ({
  authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`,
});

async function api(
  path: string,
  headers: Record<string, string> = basic('admin', ADMIN),
  init: RequestInit = {},
) {
  const res = await fetch(`${server.url}/api/v1${path}`, {
    ...init,
    headers: { ...headers, ...(init.headers ?? {}) },
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as Record<string, unknown>) : undefined };
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

interface Delivery {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}
const deliveries: Delivery[] = [];
const receiver = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (c: string) => (body += c));
  req.on('end', () => {
    deliveries.push({ headers: req.headers, body });
    res.writeHead(204).end();
  });
});

before(async () => {
  work = await mkdtemp(join(tmpdir(), 'mamori-e2e-'));
  const layout = join(work, 'layout');
  image = `${layout}:app`;
  await sh('umoci', ['init', '--layout', layout]);
  await sh('umoci', ['new', '--image', image]);
  await sh('umoci', ['config', '--image', image, '--architecture', 'amd64', '--os', 'linux']);
  const bundle = join(work, 'bundle');
  await sh('umoci', ['unpack', '--rootless', '--image', image, bundle]);
  await sh('sh', [
    '-c',
    `mkdir -p '${bundle}/rootfs/etc' && echo 'root:x:0:0:root:/root:/bin/sh' > '${bundle}/rootfs/etc/passwd'`,
  ]);
  await sh('umoci', ['repack', '--image', image, bundle]);
  await sh('umoci', ['config', '--image', image, '--tag', 'app2', '--config.label', 'build=2']);
  server = await startRegistryServer({
    listen: '127.0.0.1:0',
    data: join(work, 'data'),
    adminPassword: ADMIN,
    // No vulnerability database here: secrets and misconfigurations are scanned.
    scanning: { vulnDb: join(work, 'no-such-db.sqlite') },
    gc: { intervalMs: 0 },
  });
  host = new URL(server.url).host;
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
});
after(async () => {
  await server?.close();
  receiver.close();
  await rm(work, { recursive: true, force: true });
});

describe('mamori server end to end', () => {
  it('administers projects, users and robots with the CLI', async () => {
    assert.match(
      await mamori('admin', ADMIN, 'project', 'create', 'team'),
      /project team created \(private\)/,
    );
    await mamori('admin', ADMIN, 'project', 'create', 'other');
    process.env.MAMORI_NEW_PASSWORD = DEV;
    try {
      await mamori('admin', ADMIN, 'user', 'create', 'dev');
    } finally {
      delete process.env.MAMORI_NEW_PASSWORD;
    }
    await mamori('admin', ADMIN, 'project', 'member', 'add', 'team', 'dev', '--role', 'developer');
    const members = JSON.parse(
      await mamori('admin', ADMIN, 'project', 'member', 'list', 'team', '-f', 'json'),
    ) as {
      items: { user: string; role: string }[];
    };
    assert.deepEqual(
      members.items.map((m) => `${m.user}:${m.role}`),
      ['dev:developer'],
    );
    const robot = await mamori(
      'admin',
      ADMIN,
      'robot',
      'create',
      'ci',
      '--project',
      'team:pull',
      '--expires',
      '30d',
    );
    robotSecret = /secret \(shown once, store it now\): (\S+)/.exec(robot)?.[1] ?? '';
    assert.ok(robotSecret.length >= 32, robot);
    const table = await mamori('admin', ADMIN, 'robot', 'list');
    assert.match(table, /robot\$ci\s+team:pull/);
    // A developer may not manage users.
    await assert.rejects(mamori('dev', DEV, 'user', 'list'), /only system administrators/);
    await assert.rejects(mamori('dev', 'wrong-password', 'project', 'list'), /mamori: error/);
  });

  it('lets a developer push and a robot pull with skopeo (token auth), digests identical', async () => {
    const port = (receiver.address() as AddressInfo).port;
    const hook = await api('/projects/team/webhooks', basic('admin', ADMIN), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        url: `http://127.0.0.1:${port}/hook`,
        events: ['push', 'scan.completed'],
      }),
    });
    assert.equal(hook.status, 201, JSON.stringify(hook.body));
    const secret = String(hook.body?.secret);

    await sh('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      `dev:${DEV}`,
      `oci:${image}`,
      `docker://${host}/team/app:v1`,
    ]);
    const pushed = (await sh('skopeo', ['inspect', '--raw', `oci:${image}`])).trim();
    const out = join(work, 'pulled');
    await sh('skopeo', [
      'copy',
      '--src-tls-verify=false',
      '--src-creds',
      `robot$ci:${robotSecret}`,
      `docker://${host}/team/app:v1`,
      `oci:${out}:v1`,
    ]);
    assert.equal(
      (await sh('skopeo', ['inspect', '--raw', `oci:${out}:v1`])).trim(),
      pushed,
      'same manifest bytes',
    );
    const tags = JSON.parse(
      await sh('skopeo', [
        'list-tags',
        '--tls-verify=false',
        '--creds',
        `robot$ci:${robotSecret}`,
        `docker://${host}/team/app`,
      ]),
    ) as { Tags: string[] };
    assert.deepEqual(tags.Tags, ['v1']);
    // The robot may only pull.
    await assert.rejects(
      sh('skopeo', [
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        `robot$ci:${robotSecret}`,
        `oci:${image}`,
        `docker://${host}/team/app:robot`,
      ]),
    );

    const push = await until('the push webhook', async () =>
      deliveries.find((d) => d.headers['x-mamori-event'] === 'push'),
    );
    const expected = `sha256=${createHmac('sha256', secret).update(push.body).digest('hex')}`;
    assert.equal(push.headers['x-mamori-signature'], expected);
    assert.equal((JSON.parse(push.body) as { repository?: string }).repository, 'team/app');
  });

  it('hides what strangers may not see: same answer for existing and missing repositories', async () => {
    const answer = async (path: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${server.url}${path}`, { headers });
      return { status: res.status, challenge: res.headers.get('www-authenticate'), body: await res.text() };
    };
    const scrub = (a: { status: number; challenge: string | null; body: string }, name: string) => ({
      ...a,
      challenge: a.challenge?.replace(name, 'NAME') ?? null,
      body: a.body.replace(name, 'NAME'),
    });
    // Anonymous: 401 with a challenge naming the scope, whether or not the repository exists.
    const existing = await answer('/v2/team/app/tags/list');
    const missing = await answer('/v2/team/nothing-here/tags/list');
    const noProject = await answer('/v2/ghost/app/tags/list');
    assert.equal(existing.status, 401);
    assert.match(
      existing.challenge ?? '',
      /^Bearer realm="http:\/\/127\.0\.0\.1:[0-9]+\/service\/token",service="mamori-registry",scope="repository:team\/app:pull"$/,
    );
    assert.deepEqual(scrub(missing, 'team/nothing-here'), scrub(existing, 'team/app'));
    assert.deepEqual(scrub(noProject, 'ghost/app'), scrub(existing, 'team/app'));
    // A signed-in user of another project: 403, again the same for existing and missing.
    await api('/projects/other/members/dev', basic('admin', ADMIN), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'guest' }),
    });
    await sh('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      `admin:${ADMIN}`,
      `oci:${image}`,
      `docker://${host}/secret/app:v1`,
    ]);
    const foreign = await answer('/v2/secret/app/manifests/v1', basic('dev', DEV));
    const foreignMissing = await answer('/v2/secret/nope/manifests/v1', basic('dev', DEV));
    assert.equal(foreign.status, 403);
    assert.deepEqual(foreignMissing, foreign);
    // The catalog shows each caller what they may pull.
    const catalog = async (h: Record<string, string>) =>
      (
        (await (await fetch(`${server.url}/v2/_catalog`, { headers: h })).json()) as {
          repositories: string[];
        }
      ).repositories;
    assert.deepEqual(await catalog(basic('dev', DEV)), ['team/app']);
    assert.deepEqual(await catalog(basic('admin', ADMIN)), ['secret/app', 'team/app']);
    // A public project still needs a signed-in caller while server.auth.anonymousPull is off (the default).
    const pub = await api('/projects', basic('admin', ADMIN), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'pub', public: true }),
    });
    assert.equal(pub.status, 201);
    await sh('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      `admin:${ADMIN}`,
      `oci:${image}`,
      `docker://${host}/pub/app:v1`,
    ]);
    assert.equal((await answer('/v2/pub/app/manifests/v1')).status, 401);
    assert.equal(
      (await answer('/v2/pub/app/manifests/v1', basic('dev', DEV))).status,
      200,
      'any signed-in user pulls a public project',
    );
    // Forged and malformed tokens are refused.
    for (const token of ['eyJhbGciOiJub25lIn0.eyJzdWIiOiJhZG1pbiJ9.', 'not-a-jwt', '']) {
      const r = await answer('/v2/team/app/tags/list', { authorization: `Bearer ${token}` });
      assert.equal(r.status, 401, token);
    }
  });

  it('scans on push, stores the SBOM and report as referrers, and gates pulls by project policy', async () => {
    const digest = (
      await sh('skopeo', [
        'inspect',
        '--tls-verify=false',
        '--creds',
        `dev:${DEV}`,
        '--format',
        '{{.Digest}}',
        `docker://${host}/team/app:v1`,
      ])
    ).trim();
    const repo = encodeURIComponent('team/app');
    const artifact = await until('the scan of team/app', async () => {
      const a = await api(`/repositories/${repo}/artifacts/${digest}`, basic('dev', DEV));
      const scan = a.body?.scan as { status?: string } | undefined;
      return scan?.status === 'scanned' ? a.body : undefined;
    });
    const refs = (artifact?.referrers as { artifactType?: string }[]).map((r) => r.artifactType).sort();
    assert.deepEqual(refs, ['application/vnd.cyclonedx+json', 'application/vnd.mamori.scan.report.v1+json']);
    const scan = artifact?.scan as { notes?: string[]; vulnerabilitiesScanned?: boolean };
    assert.equal(scan.vulnerabilitiesScanned, false);
    // The same referrers through the OCI referrers API.
    const index = (await (
      await fetch(`${server.url}/v2/team/app/referrers/${digest}`, { headers: basic('dev', DEV) })
    ).json()) as {
      manifests: { artifactType: string }[];
    };
    assert.equal(index.manifests.length, 2);
    const report = await api(`/repositories/${repo}/artifacts/${digest}/report`, basic('dev', DEV));
    assert.equal(report.status, 200);
    assert.ok(JSON.stringify(report.body).includes('MI00'), 'the report holds the image checks');

    const sbom = await fetch(`${server.url}/api/v1/repositories/${repo}/artifacts/${digest}/sbom`, {
      headers: basic('dev', DEV),
    });
    assert.equal(sbom.status, 200);
    const bom = (await sbom.json()) as { bomFormat?: string; specVersion?: string };
    assert.equal(bom.bomFormat, 'CycloneDX');
    // Only maintainers and admins set the policy.
    const deny = await api('/projects/team/policy', basic('dev', DEV), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blockSeverity: 'critical', blockUnscanned: true }),
    });
    assert.equal(deny.status, 403);
    const set = await api('/projects/team/policy', basic('admin', ADMIN), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blockSeverity: 'critical', blockUnscanned: true }),
    });
    assert.equal(set.status, 200);
    // Scanned without a vulnerability database, the image counts as unscanned for the severity gate.
    const pull = await fetch(`${server.url}/v2/team/app/manifests/v1`, {
      headers: { ...basic('dev', DEV), accept: 'application/vnd.oci.image.manifest.v1+json' },
    });
    assert.equal(pull.status, 403);
    const why = ((await pull.json()) as { errors: { code: string; message: string }[] }).errors[0];
    assert.equal(why?.code, 'DENIED');
    assert.match(why?.message ?? '', /policy|scanned/);
    // HEAD is not a pull: clients may still check the digest.
    assert.equal(
      (await fetch(`${server.url}/v2/team/app/manifests/v1`, { method: 'HEAD', headers: basic('dev', DEV) }))
        .status,
      200,
    );
    await api('/projects/team/policy', basic('admin', ADMIN), {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ blockUnscanned: false }),
    });
    assert.equal(
      (await fetch(`${server.url}/v2/team/app/manifests/v1`, { headers: basic('dev', DEV) })).status,
      200,
    );
  });

  it('refuses to move an immutable tag', async () => {
    const rule = await api('/projects/team/immutability', basic('admin', ADMIN), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ tag: 'v*' }),
    });
    assert.equal(rule.status, 201);
    await assert.rejects(
      sh('skopeo', [
        'copy',
        '--dest-tls-verify=false',
        '--dest-creds',
        `dev:${DEV}`,
        `oci:${join(work, 'layout')}:app2`,
        `docker://${host}/team/app:v1`,
      ]),
      /immutable|denied/i,
    );
    await sh('skopeo', [
      'copy',
      '--dest-tls-verify=false',
      '--dest-creds',
      `dev:${DEV}`,
      `oci:${join(work, 'layout')}:app2`,
      `docker://${host}/team/app:latest`,
    ]);
  });

  it('records every push, pull, login and denial in the audit log, exportable as JSON lines and syslog', async () => {
    await server.services.audit.flush();
    const page = await api('/audit?limit=1000');
    const events = (page.body?.events ?? []) as {
      actor: string;
      action: string;
      result: string;
      resource: { repository?: string };
    }[];
    const has = (actor: string, action: string, result: string) =>
      events.some((e) => e.actor === actor && e.action === action && e.result === result);
    assert.ok(has('dev', 'push', 'success'), 'push by dev');
    assert.ok(has('robot$ci', 'pull', 'success'), 'pull by the robot');
    assert.ok(has('dev', 'login', 'success'), 'token login by dev');
    assert.ok(has('anonymous', 'access.deny', 'denied'), 'anonymous denial');
    assert.ok(has('dev', 'policy.deny', 'denied'), 'the pull gate');
    assert.ok(has('scanner', 'scan', 'success'), 'the scan');
    // Developers may not read the audit log.
    assert.equal((await api('/audit', basic('dev', DEV))).status, 403);
    const jsonl = await fetch(`${server.url}/api/v1/audit/export?format=jsonl`, {
      headers: basic('admin', ADMIN),
    });
    assert.equal(jsonl.headers.get('content-type'), 'application/x-ndjson');
    const lines = (await jsonl.text()).trim().split('\n');
    assert.ok(lines.length >= events.length);
    assert.ok(lines.every((l) => typeof (JSON.parse(l) as { id: number }).id === 'number'));
    const syslog = await (
      await fetch(`${server.url}/api/v1/audit/export?format=syslog&action=push`, {
        headers: basic('admin', ADMIN),
      })
    ).text();
    assert.match(syslog, /^<[0-9]+>1 \S+ \S+ mamori \S+ \S+ \[mamori@32473 [^\]]*actor="dev"/m);
  });

  it('serves metrics and an OpenAPI document covering every endpoint', async () => {
    const metrics = await (await fetch(`${server.url}/metrics`)).text();
    assert.match(metrics, /mamori_http_requests_total\{method="PUT",route="manifest",status="201"\} [1-9]/);
    const doc = (await (await fetch(`${server.url}/api/v1/openapi.json`)).json()) as {
      openapi: string;
      paths: Record<string, Record<string, { operationId: string }>>;
    };
    assert.equal(doc.openapi, '3.1.0');
    const ops = Object.values(doc.paths).flatMap((p) => Object.values(p).map((o) => o.operationId));
    for (const id of [
      'listProjects',
      'createRobot',
      'listArtifacts',
      'getArtifact',
      'setScanPolicy',
      'queryAudit',
      'exportAudit',
      'runGarbageCollection',
    ]) {
      assert.ok(ops.includes(id), id);
    }
    assert.equal(new Set(ops).size, ops.length, 'operation ids are unique');
  });
});
