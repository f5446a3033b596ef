import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ALERT_SEVERITIES, BUILTIN_RULES, builtinRule, parseDetectionRules } from './index.js';
import { CASES } from './testdata/cases.js';

describe('built-in rule registry', () => {
  it('has unique, consecutive MR ids', () => {
    const ids = BUILTIN_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    ids.forEach((id, i) => assert.equal(id, `MR${String(i + 1).padStart(3, '0')}`));
    assert.equal(builtinRule('MR001')?.title, 'Shell spawned in a container');
    assert.equal(builtinRule('MR999'), undefined);
  });

  it('describes every rule fully', () => {
    for (const r of BUILTIN_RULES) {
      assert.ok(r.title.length > 5 && r.description.length > 20, r.id);
      assert.ok(ALERT_SEVERITIES.includes(r.severity), r.id);
      assert.ok(r.events.length > 0, r.id);
      if (r.mitre !== undefined) assert.match(r.mitre, /^T[0-9]{4}(\.[0-9]{3})?$/, r.id);
      const exIds = r.exceptions.map((e) => e.id);
      assert.equal(new Set(exIds).size, exIds.length, r.id);
      for (const e of r.exceptions) assert.ok(e.description.length > 20, `${r.id}/${e.id}`);
    }
  });

  it('has a firing and a non-firing case for every rule, and no case for an unknown rule', () => {
    for (const r of BUILTIN_RULES) {
      assert.ok(
        CASES.some((c) => c.rule === r.id && c.fires),
        `${r.id} has no firing case`,
      );
      assert.ok(
        CASES.some((c) => c.rule === r.id && !c.fires),
        `${r.id} has no non-firing case`,
      );
      for (const e of r.exceptions) {
        assert.ok(
          CASES.some((c) => c.rule === r.id && c.exception === e.id),
          `${r.id}/${e.id} has no case`,
        );
      }
    }
    for (const c of CASES) assert.ok(builtinRule(c.rule), `case for unknown rule ${c.rule}`);
  });

  it('documents every rule in RULES.md with its title, severity and default exceptions', async () => {
    const md = await readFile(join(import.meta.dirname, 'RULES.md'), 'utf8');
    for (const r of BUILTIN_RULES) {
      const start = md.indexOf(`## ${r.id} `);
      assert.ok(start >= 0, `RULES.md lacks a "## ${r.id} …" section`);
      const end = md.indexOf('\n## ', start + 1);
      const section = md.slice(start, end === -1 ? undefined : end);
      assert.ok(section.includes(r.title), `${r.id} title`);
      assert.ok(section.includes(`**Severity:** ${r.severity}`), `${r.id} severity`);
      if (r.mitre) assert.ok(section.includes(r.mitre), `${r.id} MITRE`);
      for (const e of r.exceptions) assert.ok(section.includes(`\`${e.id}\``), `${r.id} exception ${e.id}`);
      assert.ok(section.includes('**Rationale:**'), `${r.id} rationale`);
      assert.ok(md.includes(`| ${r.id} |`), `${r.id} in the summary table`);
    }
    const mentioned = new Set(md.match(/MR[0-9]{3}/g));
    for (const id of mentioned) assert.ok(builtinRule(id), `RULES.md names unknown rule ${id}`);
  });

  it('documents a configuration example that is valid', async () => {
    const md = await readFile(join(import.meta.dirname, 'RULES.md'), 'utf8');
    const example = /```yaml\n([\s\S]*?)```/.exec(md)?.[1];
    assert.ok(example);
    const cfg = parseDetectionRules(example, 'RULES.md');
    assert.deepEqual(
      cfg.rules.map((r) => r.id),
      ['U001', 'U002'],
    );
    assert.equal(cfg.exceptions.length, 2);
  });
});
