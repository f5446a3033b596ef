import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import type { FileRecord, LayerAnalysis } from './analysis.js';
import { FileView } from './view.js';

const f = (p: string, k: FileRecord['k'] = 'f', l?: string): FileRecord => ({
  p,
  k,
  m: 0o644,
  u: 0,
  g: 0,
  s: 1,
  ...(l ? { l } : {}),
});
const layer = (files: FileRecord[], whiteouts: string[] = [], opaques: string[] = []): LayerAnalysis => ({
  version: 1,
  files,
  whiteouts,
  opaques,
  facts: [],
  warnings: [],
});

test('layers apply in order with whiteouts and opaque directories', () => {
  const v = new FileView();
  v.apply(0, layer([f('/a', 'd'), f('/a/x'), f('/a/y'), f('/b', 'd'), f('/b/z')]));
  v.apply(1, layer([f('/a/y')], ['/a/x'], ['/b']));
  v.apply(2, layer([f('/b/new')]));
  assert.deepEqual(
    [...v.entries()].map((e) => `${e.rec.p}@${e.layer}`),
    ['/a@0', '/a/y@1', '/b@0', '/b/new@2'],
  );
  assert.equal(v.get('/a/x'), undefined);
  assert.equal(v.get('/b/z'), undefined);
});

test('a file replacing a directory removes what was under it', () => {
  const v = new FileView();
  v.apply(0, layer([f('/d', 'd'), f('/d/inner')]));
  v.apply(1, layer([f('/d')]));
  assert.equal(v.get('/d/inner'), undefined);
  assert.equal(v.get('/d')?.layer, 1);
});

test('symlinks resolve inside the image root, like a chroot, and loops end', () => {
  const v = new FileView();
  v.apply(
    0,
    layer([
      f('/usr', 'd'),
      f('/usr/bin', 'd'),
      f('/usr/bin/python3'),
      f('/bin', 'l', 'usr/bin'),
      f('/escape', 'l', '../../../../usr'),
      f('/abs', 'l', '/usr/bin'),
      f('/loop1', 'l', 'loop2'),
      f('/loop2', 'l', 'loop1'),
    ]),
  );
  assert.equal(v.resolve('/bin/python3'), '/usr/bin/python3');
  assert.equal(v.resolve('/escape/bin/python3'), '/usr/bin/python3');
  assert.equal(v.resolve('/abs/python3'), '/usr/bin/python3');
  assert.equal(v.resolve('/usr/../../../etc/passwd'), '/etc/passwd');
  assert.equal(v.resolve('/loop1/x'), undefined);
});

test('resolve agrees with a step-by-step chroot resolver on random trees and paths', () => {
  const names = ['a', 'b', 'c'];
  /** The reference: one component at a time, every symlink expanded, `..` stopping at the root. */
  const reference = (v: FileView, path: string): string | undefined => {
    const queue = path.split('/').filter((p) => p !== '' && p !== '.');
    const cur: string[] = [];
    let hops = 0;
    while (queue.length > 0) {
      const c = queue.shift() as string;
      if (c === '..') {
        cur.pop();
        continue;
      }
      const hit = v.get('/' + [...cur, c].join('/'));
      if (hit?.rec.k === 'l' && hit.rec.l !== undefined) {
        if (++hops > 40) return undefined;
        if (hit.rec.l.startsWith('/')) cur.length = 0;
        queue.unshift(...hit.rec.l.split('/').filter((p) => p !== '' && p !== '.'));
        continue;
      }
      cur.push(c);
    }
    return '/' + cur.join('/');
  };
  const seg = fc.constantFrom(...names, '..', '.', '');
  fc.assert(
    fc.property(
      fc.array(
        fc.tuple(
          fc.array(fc.constantFrom(...names), { minLength: 1, maxLength: 3 }),
          fc.option(fc.array(seg, { maxLength: 4 })),
        ),
        { maxLength: 12 },
      ),
      fc.array(fc.array(seg, { maxLength: 6 }), { minLength: 1, maxLength: 10 }),
      (members, paths) => {
        const v = new FileView();
        v.apply(
          0,
          layer(
            members.map(([parts, link]) =>
              link === null ? f('/' + parts.join('/'), 'd') : f('/' + parts.join('/'), 'l', link.join('/')),
            ),
          ),
        );
        for (const p of paths) {
          for (const path of ['/' + p.join('/'), p.join('/')])
            assert.equal(v.resolve(path), reference(v, path), path);
        }
      },
    ),
    { numRuns: 2000 },
  );
});
