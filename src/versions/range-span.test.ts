import assert from 'node:assert/strict';
import { test } from 'node:test';
import { affectedByEvents, affectedSpan } from './index.js';

test('affectedSpan names the span that holds the version and the event that closes it', () => {
  const events = [{ introduced: '0' }, { fixed: '1.19.10' }, { introduced: '1.20.0' }, { fixed: '1.20.5' }];
  assert.deepEqual(affectedSpan('Go', '1.19.8', events), { introduced: '0', fixed: '1.19.10' });
  assert.deepEqual(affectedSpan('Go', '1.20.1', events), { introduced: '1.20.0', fixed: '1.20.5' });
  assert.equal(affectedSpan('Go', '1.19.10', events), undefined);
  assert.equal(affectedSpan('Go', '1.21.0', events), undefined);
  assert.deepEqual(affectedSpan('PyPI', '2.10', [{ introduced: '2.0' }, { last_affected: '2.10' }]), {
    introduced: '2.0',
    lastAffected: '2.10',
  });
  assert.deepEqual(affectedSpan('Debian', '1.0-1', [{ introduced: '0' }]), { introduced: '0' });
  for (const v of ['1.19.8', '1.19.10', '1.20.1', '1.21.0']) {
    assert.equal(affectedByEvents('Go', v, events), affectedSpan('Go', v, events) !== undefined, v);
  }
});
