import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse } from 'yaml';
import { evaluatePodSecurity, parseLevel } from './index.js';

// Upstream Pod Security Admission fixtures (see testdata/README.md): a pass
// fixture has no violation at its level and version, a fail fixture has one.
const root = join(import.meta.dirname, 'testdata', 'psa');

const cases: { level: string; version: string; expect: string; file: string }[] = [];
for (const level of readdirSync(root)) {
  for (const version of readdirSync(join(root, level))) {
    for (const expect of readdirSync(join(root, level, version))) {
      for (const file of readdirSync(join(root, level, version, expect))) {
        cases.push({ level, version, expect, file: join(level, version, expect, file) });
      }
    }
  }
}

test('the upstream fixture set is present', () => {
  assert.ok(cases.length >= 30, `only ${cases.length} fixtures`);
  assert.ok(cases.some((c) => c.expect === 'pass') && cases.some((c) => c.expect === 'fail'));
});

/**
 * Controls a fail fixture is built to trip: its name without the number,
 * compared with our control ids lower-cased with `.` as `_`. A fixture may
 * also trip controls it needs as a side effect (hostProcess needs hostNetwork).
 */
const ALIASES: Record<string, string[]> = {
  procmount: ['procmount', 'procmount_restricted'],
  procmount_baseline: ['procmount', 'procmount_restricted'],
  windowshostprocess: ['windowshostprocess', 'hostnamespaces'],
};

function expectedControls(file: string): string[] {
  const base = (file.split('/').pop() ?? '').replace(/\d*\.yaml$/, '');
  return ALIASES[base] ?? [base];
}

const norm = (control: string): string => control.toLowerCase().replace('.', '_');

for (const c of cases) {
  test(`PSA fixture ${c.file}`, () => {
    const pod = parse(readFileSync(join(root, c.file), 'utf8')) as { spec: unknown; metadata: unknown };
    const violations = evaluatePodSecurity(pod, parseLevel(`${c.level}:${c.version}`));
    if (c.expect === 'pass') assert.deepEqual(violations, []);
    else {
      const want = expectedControls(c.file);
      assert.ok(violations.length > 0, 'expected a violation');
      for (const v of violations) assert.ok(want.includes(norm(v.control)), `unexpected ${v.message}`);
      assert.ok(violations.some((v) => norm(v.control) === want[0] || want.length > 1));
    }
  });
}
