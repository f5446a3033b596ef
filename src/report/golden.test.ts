/**
 * Golden files: each file in testdata/golden/ (inventory formats) and
 * testdata/golden-findings/ (scan-result formats) is produced by exactly one test
 * here. Regenerate them with `UPDATE_GOLDEN=1 node scripts/test.mjs report/golden`,
 * never by hand, and review the diff.
 */
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { test } from 'node:test';
import {
  renderCycloneDx,
  renderFindingsCycloneDx,
  renderFindingsJson,
  renderFindingsSarif,
  renderFindingsTable,
  renderJson,
  renderSpdx,
  renderTable,
} from './index.js';
import { fixedOptions, fixtureInventory } from './testdata/fixture.js';
import { findingsReport } from './testdata/findings-fixture.js';

const update = process.env['UPDATE_GOLDEN'] === '1';

async function golden(file: string, actual: string): Promise<void> {
  const url = new URL(`./testdata/${file.includes('/') ? file : `golden/${file}`}`, import.meta.url);
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

test('findings sarif golden', async () => {
  await golden(
    'golden-findings/sarif.json',
    renderFindingsSarif(findingsReport, {
      toolVersion: '0.0.0-golden',
      informationUri: 'https://example.com/mamori',
    }),
  );
});

test('findings cyclonedx golden', async () => {
  await golden('golden-findings/cyclonedx.json', renderFindingsCycloneDx(findingsReport, fixedOptions));
});

test('findings json golden', async () => {
  await golden('golden-findings/json.json', renderFindingsJson(findingsReport));
});

test('findings table golden', async () => {
  await golden('golden-findings/table.txt', renderFindingsTable(findingsReport));
});

test('rendering twice gives the same bytes', () => {
  assert.equal(
    renderCycloneDx(fixtureInventory, fixedOptions),
    renderCycloneDx(fixtureInventory, fixedOptions),
  );
  assert.equal(renderSpdx(fixtureInventory, fixedOptions), renderSpdx(fixtureInventory, fixedOptions));
});
