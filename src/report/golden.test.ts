/**
 * Golden files: each file in testdata/golden/ is produced by exactly one test
 * here. Regenerate them with `UPDATE_GOLDEN=1 node scripts/test.mjs report/golden`,
 * never by hand, and review the diff.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import { renderCycloneDx, renderJson, renderSpdx, renderTable } from './index.js';
import { fixedOptions, fixtureInventory } from './testdata/fixture.js';

const update = process.env['UPDATE_GOLDEN'] === '1';

async function golden(file: string, actual: string): Promise<void> {
  const url = new URL(`./testdata/golden/${file}`, import.meta.url);
  if (update) {
    await writeFile(url, actual);
    return;
  }
  const expected = await readFile(url, 'utf8').catch(() => {
    throw new Error(`missing golden file ${file}: run with UPDATE_GOLDEN=1`);
  });
  assert.equal(actual, expected, `${file} differs from the golden file (UPDATE_GOLDEN=1 regenerates it)`);
}

test('cyclonedx golden', async () => {
  await golden('cyclonedx.json', renderCycloneDx(fixtureInventory, fixedOptions));
});

test('spdx golden', async () => {
  await golden('spdx.json', renderSpdx(fixtureInventory, fixedOptions));
});

test('json golden', async () => {
  await golden('json.json', renderJson(fixtureInventory));
});

test('table golden', async () => {
  await golden('table.txt', renderTable(fixtureInventory));
});

test('table --wide golden', async () => {
  await golden('table-wide.txt', renderTable(fixtureInventory, { wide: true }));
});

test('rendering twice gives the same bytes', () => {
  assert.equal(
    renderCycloneDx(fixtureInventory, fixedOptions),
    renderCycloneDx(fixtureInventory, fixedOptions),
  );
  assert.equal(renderSpdx(fixtureInventory, fixedOptions), renderSpdx(fixtureInventory, fixedOptions));
});
