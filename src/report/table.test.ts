import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Inventory } from '../inventory/types.js';
import { renderTable } from './index.js';
import { displayWidth, isUnsafeCodePoint } from './text.js';
import { fixtureInventory } from './testdata/fixture.js';

/** Display columns at which each cell of a line starts (cells separated by 2+ spaces). */
function columnStarts(line: string): number[] {
  const starts: number[] = [];
  const re = /(?:^|\s{2,})(\S)/gu;
  for (let m = re.exec(line); m !== null; m = re.exec(line)) {
    starts.push(displayWidth(line.slice(0, m.index + m[0].length - m[1]!.length)));
  }
  return starts;
}

describe('renderTable', () => {
  const lines = renderTable(fixtureInventory).trimEnd().split('\n');

  test('a header and one row per package, sorted by name', () => {
    assert.match(lines[0] ?? '', /^NAME\s+VERSION\s+TYPE$/);
    assert.equal(lines.length, fixtureInventory.packages.length + 1);
    const names = lines.slice(1).map((l) => l.split(/\s{2,}/)[0]?.toLowerCase() ?? '');
    assert.deepEqual(names, [...names].sort());
  });

  test('columns line up in display width, wide characters included', () => {
    const header = columnStarts(lines[0] ?? '');
    for (const l of lines.slice(1)) assert.deepEqual(columnStarts(l), header, l);
    assert.ok(lines.some((l) => l.startsWith('日本語-ツール')));
  });

  test('--wide adds LAYER and LOCATION', () => {
    const wide = renderTable(fixtureInventory, { wide: true }).trimEnd().split('\n');
    assert.match(wide[0] ?? '', /^NAME\s+VERSION\s+TYPE\s+LAYER\s+LOCATION$/);
    const bash = wide.find((l) => l.startsWith('bash '));
    assert.match(bash ?? '', /deb\s+0 \([0-9a-f]{12}\)\s+\/var\/lib\/dpkg\/status \(\+1\)$/);
    for (const l of wide.slice(1)) assert.equal(columnStarts(l).length, 5, l);
  });

  test('control and bidi characters are escaped; colour only when asked', () => {
    const plain = renderTable(fixtureInventory);
    assert.ok(![...plain].some((ch) => ch !== '\n' && isUnsafeCodePoint(ch.codePointAt(0) ?? 0)));
    assert.ok(plain.includes('evil\\u{1b}[31m-red\\u{202e}-txt'));
    const coloured = renderTable(fixtureInventory, { color: true });
    assert.ok(coloured.startsWith('\u001b[1mNAME'));
    assert.equal(coloured.split('\n').slice(1).join('\n'), plain.split('\n').slice(1).join('\n'));
  });

  test('an empty inventory says so', () => {
    const inv: Inventory = { ...fixtureInventory, packages: [] };
    assert.equal(renderTable(inv), 'No packages found.\n');
  });
});
