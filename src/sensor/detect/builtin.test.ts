import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { matchContext } from './context.js';
import { builtinRule, createDetector } from './index.js';
import { CASES } from './testdata/cases.js';
import type { DetectableEvent } from './types.js';

describe('built-in detections', () => {
  const detector = createDetector();
  for (const c of CASES) {
    it(`${c.rule} ${c.fires ? 'fires' : 'stays quiet'}: ${c.name}`, () => {
      const context = {
        container: c.event.container,
        processTree: c.tree ?? [],
        ...(c.runtimeSetup === true ? { runtimeSetup: true } : {}),
      };
      const alerts = detector.detect(c.event, context);
      const mine = alerts.filter((a) => a.rule === c.rule);
      if (c.fires) {
        assert.equal(
          mine.length,
          1,
          `expected ${c.rule}, got ${alerts.map((a) => a.rule).join(', ') || 'nothing'}`,
        );
        const a = mine[0];
        assert.ok(a);
        assert.equal(a.kind, 'alert');
        assert.equal(a.time, c.event.time);
        assert.equal(a.container?.id, c.event.container?.id);
        assert.ok(a.processTree.length >= (c.event.kind === 'exec' ? 1 : 0));
        assert.ok(Object.keys(a.evidence).length > 0, 'evidence names what matched');
      } else {
        assert.deepEqual(mine, []);
        if (c.quiet)
          assert.deepEqual(
            alerts.map((a) => a.rule),
            [],
            'no built-in rule fires',
          );
      }
      if (c.exception !== undefined) {
        // The rule matches; the named default exception (and only it) lifts it.
        const rule = builtinRule(c.rule);
        assert.ok(rule);
        const ctx = matchContext(c.event as DetectableEvent, context);
        assert.ok(rule.match(c.event as DetectableEvent, ctx), 'the rule itself matches');
        const lifting = rule.exceptions
          .filter((e) => e.test(c.event as DetectableEvent, ctx))
          .map((e) => e.id);
        assert.deepEqual(lifting, [c.exception]);
      }
    });
  }
});
