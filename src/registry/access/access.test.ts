import { defineAccessTests } from './testing-suite.js';
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { openSqliteState, openTestAccess } from './testing.js';

defineAccessTests('sqlite', openSqliteState);

it('anonymousPull: false leaves anonymous callers no right on public projects, in tokens too', async () => {
  const t = await openTestAccess();
  try {
    await t.access.projects.create('pub', { public: true });
    const open = t.access;
    assert.deepEqual([...(await open.permitted(open.anonymous(), 'pub/app', ['pull']))], ['pull']);
    const closed = await t.reopen({ anonymousPull: false });
    const anon = closed.anonymous();
    assert.deepEqual([...(await closed.permitted(anon, 'pub/app', ['pull']))], []);
    assert.equal(await closed.canList(anon, 'pub/app'), false);
    const token = await closed.issueToken(anon, [{ type: 'repository', name: 'pub/app', actions: ['pull'] }]);
    assert.deepEqual(token.access, [{ type: 'repository', name: 'pub/app', actions: [] }]);
  } finally {
    await t.close();
  }
});
