/**
 * Scan-on-push end to end, on real parts: the filesystem blob store, the
 * SQLite state store, an image built with the OCI writer and pushed the way
 * the HTTP layer stores a push, mamori's scanner and a vulnerability
 * database imported from OSV records.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { importFeed, openVulnDb } from '../../vulndb/index.js';
import { createRegistryApp } from '../http/index.js';
import { EMPTY_JSON_DIGEST } from '../spec/index.js';
import { openStateStore, type StateStore } from '../state/index.js';
import { createFsBlobStore, type BlobStore } from '../storage/index.js';
import {
  openScanService,
  REPORT_ARTIFACT_TYPE,
  SBOM_ARTIFACT_TYPE,
  type ScanEvent,
  type ScanService,
  type ScanServiceOptions,
} from './index.js';
import { MIGRATIONS, PREFIX } from './schema.js';
import { pushArtifact, pushIndex, pushLayout, writeDebianLikeImage } from './testing.js';

const FEEDS = fileURLToPath(new URL('./testdata/feeds/', import.meta.url));

let root: string;
let layout: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'mamori-registry-scanning-'));
  layout = join(root, 'layout');
  await writeDebianLikeImage(layout, 'v1');
});
after(() => rm(root, { recursive: true, force: true }));

interface Registry {
  dir: string;
  storage: BlobStore;
  state: StateStore;
  dbPath: string;
}

let counter = 0;
async function registry(): Promise<Registry> {
  const dir = join(root, `r${++counter}`);
  const storage = await createFsBlobStore(join(dir, 'blobs'), { fsync: false });
  const state = await openStateStore({ kind: 'sqlite', path: join(dir, 'state.db') });
  return { dir, storage, state, dbPath: join(dir, 'vuln.db') };
}

async function importInto(dbPath: string, feed: string): Promise<void> {
  const db = await openVulnDb(dbPath);
  try {
    await importFeed(db, join(FEEDS, feed));
  } finally {
    db.close();
  }
}

function service(
  r: Registry,
  events: ScanEvent[],
  extra: Partial<ScanServiceOptions> = {},
): Promise<ScanService> {
  return openScanService({
    state: r.state,
    storage: r.storage,
    vulnDbPath: r.dbPath,
    cacheDir: join(r.dir, 'cache'),
    tmpDir: r.dir,
    dbCheckIntervalMs: 0,
    onEvent: (e) => events.push(e),
    ...extra,
  });
}

describe('registry scanning', () => {
  it('scans a pushed image, publishes SBOM and report as referrers, and rescans when the database changes', async () => {
    const r = await registry();
    await importInto(r.dbPath, 'base');
    const events: ScanEvent[] = [];
    const svc = await service(r, events);
    await svc.setPolicy({ project: 'team', blockSeverity: 'critical', blockUnscanned: false });
    const digest = await pushLayout(r.storage, r.state, 'team/app', layout, 'v1');

    assert.deepEqual(await svc.enqueue('team/app', digest), { queued: [digest], skipped: [] });
    assert.equal((await svc.enqueue('team/app', digest)).queued.length, 1, 'a second push is the same job');
    assert.equal((await svc.jobs('queued')).length, 1);
    assert.equal((await svc.result('team/app', digest)).status, 'queued');
    await svc.start();
    await svc.idle();

    const s = await svc.result('team/app', digest);
    console.log(
      JSON.stringify(
        JSON.parse((await svc.report('team/app', digest)) ?? '{}').ruleFindings.map(
          (f: { kind: string; ruleId: string; severity: string; location: { path: string } }) => [
            f.kind,
            f.ruleId,
            f.severity,
            f.location.path,
          ],
        ),
      ),
    );
    assert.equal(s.status, 'scanned');
    assert.equal(s.vulnerabilitiesScanned, true);
    assert.match(s.dbVersion ?? '', /^[0-9a-f]{12}$/);
    assert.equal(s.vulnerabilities?.HIGH, 1, 'the zlib advisory');
    assert.equal(s.vulnerabilities?.CRITICAL, 0);
    assert.equal(s.totals?.vulnerabilities, 1);
    assert.equal(s.secrets?.HIGH, 1, 'the private key');
    assert.equal(s.totals?.secrets, 1);
    assert.equal(s.misconfigurations?.HIGH, 1, 'runs as root');
    assert.equal(s.totals?.misconfigurations, 2);
    assert.equal(s.packages, 2);
    assert.equal(s.distro, 'debian 12');
    const done = (await svc.jobs('done')).map((j) => [j.repository, j.digest, j.reason, j.attempts]);
    assert.deepEqual(done, [['team/app', digest, 'push', 1]]);

    // The referrers API (state and HTTP) lists the SBOM and the report.
    const refs = await r.state.referrers('team/app', digest);
    assert.deepEqual(
      refs.items.map((m) => m.artifactType).sort(),
      [SBOM_ARTIFACT_TYPE, REPORT_ARTIFACT_TYPE].sort(),
    );
    const app = createRegistryApp({ storage: r.storage, state: r.state });
    const res = await app.inject({ method: 'GET', url: `/v2/team/app/referrers/${digest}` });
    assert.equal(res.statusCode, 200);
    const listed = (res.json() as { manifests: { artifactType: string; digest: string }[] }).manifests;
    assert.equal(listed.length, 2);
    const reportRef = listed.find((m) => m.artifactType === REPORT_ARTIFACT_TYPE);
    assert.ok(reportRef);
    const manifest = (
      await app.inject({
        method: 'GET',
        url: `/v2/team/app/manifests/${reportRef.digest}`,
        headers: { accept: 'application/vnd.oci.image.manifest.v1+json' },
      })
    ).json() as {
      config: { digest: string; size: number };
      subject: { digest: string };
      layers: { digest: string }[];
    };
    assert.equal(manifest.config.digest, EMPTY_JSON_DIGEST);
    assert.equal(manifest.subject.digest, digest);
    const reportBlob = await app.inject({
      method: 'GET',
      url: `/v2/team/app/blobs/${manifest.layers[0]?.digest}`,
    });
    const report = JSON.parse(reportBlob.body) as { target: string; findings: { id: string }[] };
    assert.equal(report.target, `team/app@${digest}`);
    assert.deepEqual(
      report.findings.map((f) => f.id),
      ['CVE-2099-1001'],
    );
    const rules = (
      JSON.parse(reportBlob.body) as {
        ruleFindings: { kind: string; ruleId: string; location: { path: string } }[];
      }
    ).ruleFindings
      .map((f) => `${f.kind} ${f.ruleId} ${f.location.path}`)
      .sort();
    // Runs as root (MI001), no health check (MI002), the key in /srv.
    assert.deepEqual(rules, [
      'misconfig MI001 image-config',
      'misconfig MI002 image-config',
      'secret private-key /srv/deploy.key',
    ]);
    assert.equal(await svc.report('team/app', digest), reportBlob.body);
    const sbomRef = listed.find((m) => m.artifactType === SBOM_ARTIFACT_TYPE);
    const sbomManifest = (
      await app.inject({ method: 'GET', url: `/v2/team/app/manifests/${sbomRef?.digest}` })
    ).json() as {
      layers: { digest: string }[];
    };
    const sbom = (
      await app.inject({ method: 'GET', url: `/v2/team/app/blobs/${sbomManifest.layers[0]?.digest}` })
    ).json() as {
      bomFormat: string;
      components: { name: string; purl?: string }[];
    };
    assert.equal(sbom.bomFormat, 'CycloneDX');
    assert.ok(sbom.components.some((c) => c.purl?.startsWith('pkg:deb/debian/zlib1g@')));
    assert.ok(!JSON.stringify(sbom).includes(r.dir), 'no temp path leaks into the SBOM');
    await app.close();

    assert.deepEqual(await svc.pullDecision('team/app', digest), { allow: true });
    assert.deepEqual(
      events.map((e) => e.type),
      ['scan.completed'],
      'high findings do not violate a critical policy',
    );

    // Pushed again (another tag): scanned against this database already.
    assert.deepEqual(await svc.enqueue('team/app', digest), {
      queued: [],
      skipped: [{ digest, reason: 'already scanned against the current vulnerability database' }],
    });
    // Nothing changed: no rescan.
    assert.equal((await svc.checkDatabase()).enqueued, 0);
    // A new critical advisory: the image is rescanned and newly violates.
    await importInto(r.dbPath, 'update');
    const check = await svc.checkDatabase();
    assert.equal(check.enqueued, 1);
    await svc.idle();
    const again = await svc.result('team/app', digest);
    assert.equal(again.vulnerabilities?.CRITICAL, 1);
    assert.notEqual(again.dbVersion, s.dbVersion);
    const violation = events.find((e) => e.type === 'policy.violation');
    assert.ok(violation && violation.type === 'policy.violation');
    assert.equal(violation.project, 'team');
    assert.equal(
      violation.reason,
      `image ${digest} has 1 critical vulnerabilities; project policy blocks pulls of images with findings at or above critical`,
    );
    assert.deepEqual(await svc.pullDecision('team/app', digest), { allow: false, reason: violation.reason });
    // The previous report and SBOM were replaced, not added to.
    const after2 = await r.state.referrers('team/app', digest);
    assert.equal(after2.items.length, 2);
    assert.equal(await r.state.getManifest('team/app', reportRef.digest), undefined);
    const rescans = (await svc.jobs('done')).map((j) => j.reason);
    assert.deepEqual(rescans, ['rescan']);
    // The policy is lowered to high: the message names both levels.
    await svc.setPolicy({ project: 'team', blockSeverity: 'high', blockUnscanned: false });
    const d = await svc.pullDecision('team/app', digest);
    assert.equal(d.allow, false);
    assert.match(d.allow ? '' : d.reason, /has 1 critical and 1 high vulnerabilities; .* at or above high$/);
    // A second rescan violates no more newly: no second event.
    await importInto(r.dbPath, 'base');
    await svc.checkDatabase();
    await svc.idle();
    assert.equal(events.filter((e) => e.type === 'policy.violation').length, 1);

    await svc.stop();
    await r.state.close();
  });

  it('keeps jobs across a restart and requeues a job a crash left running', async () => {
    const r = await registry();
    const a = await pushLayout(r.storage, r.state, 'keep/one', layout, 'v1');
    const b = await pushLayout(r.storage, r.state, 'keep/two', layout, 'v1');
    const first = await service(r, []);
    await first.enqueue('keep/one', a);
    await first.enqueue('keep/two', b);
    await r.state.close();

    // A crash while scanning keep/one: its job is still marked running.
    const state = await openStateStore({ kind: 'sqlite', path: join(r.dir, 'state.db') });
    const m = await state.module(PREFIX, MIGRATIONS);
    await m.write((db) =>
      db
        .updateTable('scanning_jobs')
        .set({ state: 'running', started: 1, attempts: 1 })
        .where('repository', '=', 'keep/one')
        .execute(),
    );
    const events: ScanEvent[] = [];
    const svc = await service({ ...r, state }, events);
    assert.equal((await svc.result('keep/one', a)).status, 'running');
    await svc.start();
    await svc.idle();
    for (const [repo, digest] of [
      ['keep/one', a],
      ['keep/two', b],
    ] as const) {
      const s = await svc.result(repo, digest);
      assert.equal(s.status, 'scanned', repo);
      assert.equal(s.vulnerabilitiesScanned, false, 'no database');
      assert.match(
        s.notes?.join('\n') ?? '',
        /no vulnerability database at .*vuln\.db: vulnerabilities were not scanned/,
      );
    }
    assert.deepEqual(
      (await svc.jobs('done')).map((j) => [j.repository, j.attempts]),
      [
        ['keep/one', 2],
        ['keep/two', 1],
      ],
    );
    assert.equal(events.filter((e) => e.type === 'scan.completed').length, 2);
    await svc.stop();

    // A stop that abandons its scan leaves the job queued, never running.
    const c = await pushLayout(r.storage, r.state === state ? state : state, 'keep/three', layout, 'v1');
    const svc2 = await service({ ...r, state }, []);
    await svc2.enqueue('keep/three', c);
    await svc2.start();
    await svc2.stop({ abort: true });
    assert.deepEqual(await svc2.jobs('running'), []);
    const svc3 = await service({ ...r, state }, []);
    await svc3.start();
    await svc3.idle();
    assert.equal((await svc3.result('keep/three', c)).status, 'scanned');
    await svc3.stop();
    await state.close();
  });

  it('skips artifacts that are not images and survives images it cannot read', async () => {
    const r = await registry();
    const events: ScanEvent[] = [];
    const svc = await service(r, events);
    const good = await pushLayout(r.storage, r.state, 'mixed/app', layout, 'v1');
    const art = await pushArtifact(r.storage, r.state, 'mixed/app');
    assert.deepEqual(await svc.enqueue('mixed/app', art), {
      queued: [],
      skipped: [
        {
          digest: art,
          reason: 'not a container image (artifact type application/vnd.example.thing.config.v1+json)',
        },
      ],
    });
    assert.equal((await svc.result('mixed/app', art)).status, 'unscanned');
    assert.match((await svc.result('mixed/app', art)).skipped ?? '', /not a container image/);

    // An image whose config claims a different layer digest than the layer holds.
    const badLayout = join(r.dir, 'bad');
    const { writeOciImage } = await import('../../testing/oci-writer.js');
    await writeOciImage(badLayout, 'bad', [
      { members: [{ name: 'etc/', type: 'directory' }], declaredDiffId: `sha256:${'0'.repeat(64)}` },
    ]);
    const bad = await pushLayout(r.storage, r.state, 'mixed/app', badLayout, 'bad');
    const index = await pushIndex(r.storage, r.state, 'mixed/app', [
      { digest: bad, size: (await r.state.getManifest('mixed/app', bad))?.size ?? 0 },
      { digest: good, size: (await r.state.getManifest('mixed/app', good))?.size ?? 0 },
      { digest: art, size: (await r.state.getManifest('mixed/app', art))?.size ?? 0 },
    ]);
    const q = await svc.enqueue('mixed/app', index);
    assert.deepEqual(q.queued, [bad, good]);
    assert.deepEqual(
      q.skipped.map((s) => s.digest),
      [index, art],
    );
    await svc.start();
    await svc.idle();
    const badResult = await svc.result('mixed/app', bad);
    assert.equal(badResult.status, 'failed');
    assert.match(badResult.error ?? '', /diff|digest/i);
    assert.equal((await svc.result('mixed/app', good)).status, 'scanned');
    assert.deepEqual(
      (await svc.jobs('failed')).map((j) => [j.digest, j.attempts]),
      [[bad, 1]],
      'bad content is not retried',
    );
    assert.deepEqual(
      events
        .filter((e) => e.type === 'scan.completed')
        .map((e) => e.type === 'scan.completed' && [e.digest, e.status]),
      [
        [bad, 'failed'],
        [good, 'scanned'],
      ],
    );
    await assert.rejects(svc.enqueue('mixed/app', `sha256:${'1'.repeat(64)}`), /not in mixed\/app/);
    await assert.rejects(svc.enqueue('Bad Name', good), /invalid repository/);
    await svc.stop();
    await r.state.close();
  });

  it('retries a failure that may pass (I/O), then gives up and says so', async () => {
    const r = await registry();
    const events: ScanEvent[] = [];
    const svc = await service(r, events, {
      tmpDir: join(r.dir, 'no-such-dir'),
      maxAttempts: 2,
      retryDelayMs: 0,
    });
    const digest = await pushLayout(r.storage, r.state, 'io/app', layout, 'v1');
    await svc.enqueue('io/app', digest);
    await svc.start();
    await svc.idle();
    const failed = await svc.jobs('failed');
    assert.deepEqual(
      failed.map((j) => [j.repository, j.attempts]),
      [['io/app', 2]],
    );
    assert.match(failed[0]?.error ?? '', /ENOENT/);
    const s = await svc.result('io/app', digest);
    assert.equal(s.status, 'failed');
    assert.match(s.error ?? '', /ENOENT/);
    assert.deepEqual(
      events.map((e) => e.type === 'scan.completed' && e.status),
      ['failed'],
    );
    await svc.stop();
    await r.state.close();
  });

  it('gates pulls by project policy: unscanned images, severities, indexes, other artifacts', async () => {
    const r = await registry();
    await importInto(r.dbPath, 'base');
    const svc = await service(r, []);
    const img = await pushLayout(r.storage, r.state, 'prod/web', layout, 'v1');
    const size = (await r.state.getManifest('prod/web', img))?.size ?? 0;
    const idx = await pushIndex(r.storage, r.state, 'prod/web', [{ digest: img, size }]);
    const sig = await pushArtifact(r.storage, r.state, 'prod/web', {
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      digest: img,
      size,
    });
    const other = await pushLayout(r.storage, r.state, 'dev/web', layout, 'v1');

    // No policy: everything goes.
    assert.deepEqual(await svc.pullDecision('prod/web', img), { allow: true });
    await svc.setPolicy({ project: 'prod', blockUnscanned: true });
    const unscannedReason = `image ${img} has not been scanned yet; project policy blocks pulls of images that have not been scanned`;
    assert.deepEqual(await svc.pullDecision('prod/web', img), { allow: false, reason: unscannedReason });
    assert.deepEqual(
      await svc.pullDecision('prod/web', idx),
      { allow: false, reason: unscannedReason },
      'an index of it',
    );
    assert.deepEqual(await svc.pullDecision('prod/web', sig), { allow: true }, 'not an image');
    assert.deepEqual(await svc.pullDecision('dev/web', other), { allow: true }, 'another project');

    await svc.enqueue('prod/web', idx);
    await svc.start();
    await svc.idle();
    assert.deepEqual(await svc.pullDecision('prod/web', img), { allow: true });
    assert.deepEqual(await svc.pullDecision('prod/web', idx), { allow: true });
    await svc.setPolicy({ project: 'prod', blockSeverity: 'high', blockUnscanned: true });
    assert.deepEqual(await svc.pullDecision('prod/web', idx), {
      allow: false,
      reason: `image ${img} has 1 high vulnerabilities; project policy blocks pulls of images with findings at or above high`,
    });
    assert.deepEqual(await svc.getPolicy('prod'), {
      project: 'prod',
      blockSeverity: 'high',
      blockUnscanned: true,
    });
    await assert.rejects(svc.setPolicy({ project: 'prod/x', blockUnscanned: true }), /invalid project/);
    await assert.rejects(
      svc.setPolicy({ project: 'prod', blockSeverity: 'HIGH' as 'high', blockUnscanned: true }),
      /blockSeverity/,
    );
    assert.equal(await svc.deletePolicy('prod'), true);
    assert.deepEqual(await svc.pullDecision('prod/web', idx), { allow: true });
    // A deleted image is forgotten: no result, no queued job.
    await svc.stop();
    await svc.enqueue('dev/web', other);
    await svc.forget('dev/web', other);
    assert.deepEqual(await svc.jobs('queued'), []);
    await svc.forget('prod/web', img);
    assert.equal((await svc.result('prod/web', img)).status, 'unscanned');
    assert.equal(await svc.report('prod/web', img), undefined);
    await svc.stop();
    await r.state.close();
  });
});
