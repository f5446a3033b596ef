/**
 * A real Debian 12 image (scripts/build-hardening-image.sh: mmdebstrap and
 * umoci, with a setuid binary, a world-writable directory, a deleted SSH key
 * and AWS keys in its config) pushed into the registry and scanned from
 * there finds exactly what `mamori scan` finds on the same image read from
 * its OCI layout.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, test } from 'node:test';
import { scan } from '../../scan/index.js';
import { hardeningImage } from '../../testing/index.js';
import { importFeed, openVulnDb } from '../../vulndb/index.js';
import { openStateStore } from '../state/index.js';
import { createFsBlobStore } from '../storage/index.js';
import { openScanService } from './index.js';
import { pushLayout } from './testing.js';

const TRACKER = fileURLToPath(new URL('../../vulndb/testdata/debian/tracker.json', import.meta.url));
const BASE = fileURLToPath(new URL('./testdata/feeds/base', import.meta.url));

let dir: string;
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mamori-registry-scan-real-'));
});
after(() => rm(dir, { recursive: true, force: true }));

test('the hardening image scanned from the registry matches mamori scan of its layout', async () => {
  const image = await hardeningImage();
  const dbPath = join(dir, 'vuln.db');
  const db = await openVulnDb(dbPath);
  try {
    await importFeed(db, TRACKER);
    await importFeed(db, BASE);
  } finally {
    db.close();
  }
  const storage = await createFsBlobStore(join(dir, 'blobs'), { fsync: false });
  const state = await openStateStore({ kind: 'sqlite', path: join(dir, 'state.db') });
  const svc = await openScanService({
    state,
    storage,
    vulnDbPath: dbPath,
    tmpDir: dir,
    dbCheckIntervalMs: 0,
  });
  try {
    const digest = await pushLayout(storage, state, 'lib/hardening', image.layout, image.tag);
    await svc.enqueue('lib/hardening', digest);
    await svc.start();
    await svc.idle();
    const summary = await svc.result('lib/hardening', digest);
    assert.equal(summary.status, 'scanned');
    const report = JSON.parse((await svc.report('lib/hardening', digest)) ?? '{}') as {
      findings: { id: string; package: { name: string } }[];
      ruleFindings: { ruleId: string; location: { path: string; layer?: { index: number } } }[];
    };

    const direct = await scan(`oci:${image.layout}:${image.tag}`, { db: dbPath, cacheDir: false });
    const vulns = (fs: readonly { id: string; package: { name: string } }[]) =>
      fs.map((f) => `${f.id} ${f.package.name}`).sort();
    const rules = (
      fs: readonly { ruleId: string; location: { path: string; layer?: { index: number } } }[],
    ) => fs.map((f) => `${f.ruleId} ${f.location.path} ${f.location.layer?.index ?? '-'}`).sort();
    assert.deepEqual(vulns(report.findings), vulns(direct.findings));
    assert.deepEqual(rules(report.ruleFindings), rules(direct.ruleFindings));
    assert.equal(summary.totals?.vulnerabilities, direct.findings.length);
    assert.equal(
      (summary.totals?.secrets ?? 0) + (summary.totals?.misconfigurations ?? 0),
      direct.ruleFindings.length,
    );
    assert.equal(summary.packages, direct.inventory.packages.length);
    // Not vacuous: the image has findings of every kind.
    assert.ok(direct.findings.length > 0, 'the tracker records match packages of the image');
    assert.ok((summary.totals?.secrets ?? 0) >= 2, 'the deleted SSH key and the AWS keys');
    assert.ok((summary.totals?.misconfigurations ?? 0) >= 2, 'setuid binary, world-writable directory');
    // The AWS key in the config is never stored in clear.
    assert.ok(!JSON.stringify(report).includes(image.facts.awsAccessKeyId));
  } finally {
    await svc.stop();
    await state.close();
  }
});
