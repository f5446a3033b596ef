import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { collectGarbage } from '../gc/index.js';
import { fixture, HOUR, image, index, present, type Fixture } from '../gc/testdata/fixture.js';
import { isRegistryError } from '../spec/index.js';
import { applyActions } from './apply.js';
import { openRetention, type RetentionAction } from './index.js';

const DAY = 24 * HOUR;

const brief = (actions: readonly RetentionAction[]): string[] =>
  actions.map((a) => `${a.kind} ${a.repository} ${a.tag ?? a.digest.slice(7, 15)} ${a.reason}`).sort();

describe('tag immutability', () => {
  it('matches rules by project, repository glob within the project and tag glob', async () => {
    const f = await fixture();
    try {
      const r = await openRetention(f.state);
      const rule = await r.addImmutabilityRule({ project: 'library', repository: 'app/**', tag: 'v*' });
      await r.addImmutabilityRule({ project: 'library', tag: 'release-{a,b}' });
      assert.equal(rule.repository, 'app/**');
      assert.equal((await r.listImmutabilityRules('library')).length, 2);
      assert.deepEqual(await r.listImmutabilityRules('other'), []);
      assert.equal(await r.isTagImmutable('library/app/web', 'v1.2'), true);
      assert.equal(await r.isTagImmutable('library/app/web', 'latest'), false);
      assert.equal(await r.isTagImmutable('library/tools', 'v1'), false, 'outside app/**');
      assert.equal(
        await r.isTagImmutable('library/tools', 'release-a'),
        true,
        'the default repository glob is **',
      );
      assert.equal(await r.isTagImmutable('library/tools', 'release-c'), false);
      assert.equal(await r.isTagImmutable('other/app/web', 'v1'), false, 'another project');
      assert.equal(await r.removeImmutabilityRule(rule.id), true);
      assert.equal(await r.removeImmutabilityRule(rule.id), false);
      assert.equal(await r.isTagImmutable('library/app/web', 'v1.2'), false);
    } finally {
      await f.close();
    }
  });

  it('checkTag allows creating and re-pushing an immutable tag, refuses moving or deleting it with DENIED', async () => {
    const f = await fixture();
    try {
      const r = await openRetention(f.state);
      await r.addImmutabilityRule({ project: 'p', tag: 'v*' });
      const caller = { name: 'alice', anonymous: false, via: 'basic' as const };
      await r.checkTag(caller, 'p/app', 'v1', undefined, 'sha256:aa');
      await r.checkTag(caller, 'p/app', 'v1', 'sha256:aa', 'sha256:aa');
      await r.checkTag(caller, 'p/app', 'latest', 'sha256:aa', 'sha256:bb');
      await assert.rejects(
        r.checkTag(caller, 'p/app', 'v1', 'sha256:aa', 'sha256:bb'),
        (e: unknown) => isRegistryError(e, 'DENIED') && e.status === 403 && /immutable/.test(e.message),
      );
      await assert.rejects(
        r.checkTag(caller, 'p/app', 'v1', 'sha256:aa', undefined),
        (e: unknown) => isRegistryError(e, 'DENIED') && /cannot be deleted/.test(e.message),
      );
    } finally {
      await f.close();
    }
  });

  it('refuses bad rules', async () => {
    const f = await fixture();
    try {
      const r = await openRetention(f.state);
      const bad = (e: unknown): boolean => isMamoriError(e, 'INVALID_ARGUMENT');
      await assert.rejects(r.addImmutabilityRule({ project: 'Bad Project', tag: '*' }), bad);
      await assert.rejects(r.addImmutabilityRule({ project: 'p', tag: '' }), bad);
      await assert.rejects(r.addImmutabilityRule({ project: 'p', tag: 'v{1..100000}' }), bad);
      await assert.rejects(r.addImmutabilityRule(null as never), bad);
      await assert.rejects(r.addRetentionRule({ project: 'p', keep: {} }), bad);
      await assert.rejects(r.addRetentionRule({ project: 'p', keep: { mostRecent: -1 } }), bad);
      await assert.rejects(
        r.addRetentionRule({ project: 'p', keep: { mostRecent: 1 }, untagged: 'x' as never }),
        bad,
      );
      assert.deepEqual(await r.listRetentionRules(), []);
    } finally {
      await f.close();
    }
  });
});

/** library/app: v1..v5 pushed a day apart, `latest` on v5, a signature of v2, an index with two children. */
async function populate(f: Fixture) {
  const v: { digest: string; blobs: string[] }[] = [];
  for (let i = 1; i <= 5; i++) {
    v.push(await image(f, 'library/app', [`layer of v${i}`, 'base layer'], { tag: `v${i}` }));
    f.clock.t += DAY;
  }
  await f.state.putTag('library/app', 'latest', v[4]?.digest ?? '');
  const sig = await image(f, 'library/app', ['signature of v2'], { subject: v[1]?.digest ?? '' });
  const c1 = await image(f, 'library/app', ['amd64 layer']);
  const c2 = await image(f, 'library/app', ['arm64 layer']);
  const multi = await index(f, 'library/app', [c1.digest, c2.digest], 'multi');
  const orphan = await image(f, 'library/app', ['pushed by digest, never tagged']);
  f.clock.t += 2 * HOUR;
  const fresh = await image(f, 'library/app', ['pushed by digest a moment ago']);
  const other = await image(f, 'other/app', ['other project'], { tag: 'v1' });
  return { v, sig, c1, c2, multi, orphan, fresh, other };
}

describe('tag retention', () => {
  it('keeps the most recent tags, never an immutable one, and deletes untagged manifests and referrers', async () => {
    const f = await fixture();
    try {
      const r = await openRetention(f.state);
      const { v, sig, c1, c2, multi, orphan, fresh, other } = await populate(f);
      await r.addImmutabilityRule({ project: 'library', tag: 'v1' });
      const rule = await r.addRetentionRule({
        project: 'library',
        tag: 'v*',
        keep: { mostRecent: 2 },
        untagged: 'delete',
      });
      const short = (d: string | undefined): string => (d ?? '').slice(7, 15);

      const plan = await r.planRetention();
      assert.deepEqual(
        brief(plan.actions),
        [
          `manifest library/app ${short(orphan.digest)} untagged`,
          `manifest library/app ${short(sig.digest)} referrer`,
          `manifest library/app ${short(v[1]?.digest)} untagged`,
          `manifest library/app ${short(v[2]?.digest)} untagged`,
          'tag library/app v2 rule',
          'tag library/app v3 rule',
        ].sort(),
      );
      assert.deepEqual(
        plan.protected.map((p) => p.tag),
        ['v1'],
      );
      assert.ok(plan.actions.every((a) => a.rules.includes(rule.id)));

      const dry = await r.applyRetention({ dryRun: true });
      assert.deepEqual(brief(dry.actions), brief(plan.actions));
      assert.deepEqual(dry.applied, []);
      assert.equal((await f.state.listTags('library/app'))?.items.length, 7, 'a dry run changes nothing');

      const done = await r.applyRetention();
      assert.deepEqual(brief(done.applied), brief(plan.actions));
      assert.deepEqual(done.skipped, []);
      assert.deepEqual((await f.state.listTags('library/app'))?.items, ['latest', 'multi', 'v1', 'v4', 'v5']);
      for (const gone of [v[1], v[2], sig, orphan]) {
        assert.equal(await f.state.getManifest('library/app', gone?.digest ?? ''), undefined);
      }
      for (const stays of [v[0], v[3], v[4], c1, c2, multi, fresh]) {
        assert.ok(await f.state.getManifest('library/app', stays?.digest ?? ''), 'kept');
      }
      assert.ok(await f.state.resolveTag('other/app', 'v1'), 'another project is untouched');
      assert.deepEqual((await r.planRetention()).actions, [], 'nothing more to do');

      // Garbage collection then frees the blobs only the deleted manifests used.
      const freed = [v[1], v[2], sig, orphan].flatMap((m) => m?.blobs ?? []);
      const kept = [v[0], v[3], v[4], c1, c2, multi, fresh, other].flatMap((m) => m?.blobs ?? []);
      const onlyFreed = freed.filter((d) => !kept.includes(d));
      f.clock.t += 2 * HOUR;
      const report = await collectGarbage({ storage: f.storage, state: f.state, now: f.clock.now });
      assert.deepEqual([...report.deleted].sort(), [...new Set(onlyFreed)].sort());
      assert.deepEqual(await present(f.storage, kept), kept);
    } finally {
      await f.close();
    }
  });

  it('keeps tags pushed within d days and, with untagged: keep, leaves their manifests', async () => {
    const f = await fixture();
    try {
      const r = await openRetention(f.state);
      const { v } = await populate(f);
      await r.addRetentionRule({ project: 'library', repository: 'app', keep: { pushedWithinDays: 2 } });
      const done = await r.applyRetention();
      // Now is 5 days + 2 h after v1; v4 (2 d 2 h ago) is just out, v5 and the later tags are in.
      assert.deepEqual(brief(done.applied), [
        'tag library/app v1 rule',
        'tag library/app v2 rule',
        'tag library/app v3 rule',
        'tag library/app v4 rule',
      ]);
      assert.deepEqual((await f.state.listTags('library/app'))?.items, ['latest', 'multi', 'v5']);
      for (const m of v)
        assert.ok(await f.state.getManifest('library/app', m.digest), 'untagged manifests stay');
    } finally {
      await f.close();
    }
  });

  it('deletes an old untagged index with its children, and a child only when every index listing it goes', async () => {
    const f = await fixture();
    try {
      const r = await openRetention(f.state);
      const a = await image(f, 'p/multi', ['a']);
      const b = await image(f, 'p/multi', ['b']);
      const shared = await image(f, 'p/multi', ['shared child']);
      const untaggedIndex = await index(f, 'p/multi', [a.digest, b.digest, shared.digest]);
      const taggedIndex = await index(f, 'p/multi', [shared.digest], 'keep');
      f.clock.t += 2 * HOUR;
      await r.addRetentionRule({
        project: 'p',
        tag: 'nothing-matches',
        keep: { mostRecent: 1 },
        untagged: 'delete',
      });
      const done = await r.applyRetention();
      assert.deepEqual(
        done.applied.map((x) => x.digest).sort(),
        [a.digest, b.digest, untaggedIndex.digest].sort(),
      );
      assert.deepEqual(done.skipped, []);
      assert.ok(await f.state.getManifest('p/multi', shared.digest), 'still listed by the tagged index');
      assert.ok(await f.state.getManifest('p/multi', taggedIndex.digest));
    } finally {
      await f.close();
    }
  });

  it('skips a planned step when the registry changed between planning and applying', async () => {
    const f = await fixture();
    try {
      const r = await openRetention(f.state);
      const old = await image(f, 'p/app', ['old'], { tag: 'old' });
      const older = await image(f, 'p/app', ['older'], { tag: 'older' });
      f.clock.t += DAY;
      await image(f, 'p/app', ['new'], { tag: 'new' });
      f.clock.t += 2 * HOUR;
      await r.addRetentionRule({
        project: 'p',
        tag: '{old,older,new}',
        keep: { mostRecent: 1 },
        untagged: 'delete',
      });
      const plan = await r.planRetention();
      assert.deepEqual(
        brief(plan.actions),
        [
          `manifest p/app ${old.digest.slice(7, 15)} untagged`,
          `manifest p/app ${older.digest.slice(7, 15)} untagged`,
          'tag p/app old rule',
          'tag p/app older rule',
        ].sort(),
      );
      // Before the plan is carried out: `old` becomes immutable, `older`'s image is tagged again.
      await r.addImmutabilityRule({ project: 'p', tag: 'old' });
      await f.state.putTag('p/app', 'pinned', older.digest);
      const isImmutable = (repo: string, tag: string): Promise<boolean> => r.isTagImmutable(repo, tag);
      const done = await applyActions({ state: f.state, isImmutable }, plan.actions);
      assert.deepEqual(brief(done.applied), ['tag p/app older rule']);
      assert.deepEqual(
        done.skipped
          .map((x) => `${x.action.kind} ${x.action.tag ?? x.action.digest.slice(7, 15)} ${x.why}`)
          .sort(),
        [
          `manifest ${old.digest.slice(7, 15)} immutable`,
          `manifest ${older.digest.slice(7, 15)} tagged`,
          'tag old immutable',
        ].sort(),
      );
      assert.ok(await f.state.getManifest('p/app', old.digest));
      assert.ok(await f.state.getManifest('p/app', older.digest));
    } finally {
      await f.close();
    }
  });
});
