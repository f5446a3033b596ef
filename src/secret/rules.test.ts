import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { parseRegExpLiteral, type AST } from '@eslint-community/regexpp';
import { createSecretScanner, SECRET_RULES } from './index.js';
import { assertNoLeak, ruleFixtures, type RuleFixtures } from './testing.js';

type Node = AST.Node;

/** Longest string a pattern node can match (lookarounds count: they read input too). */
function maxLength(node: Node): number {
  switch (node.type) {
    case 'Pattern':
    case 'Group':
    case 'CapturingGroup':
      return Math.max(0, ...node.alternatives.map(maxLength));
    case 'Alternative':
      return node.elements.reduce((n, e) => n + maxLength(e), 0);
    case 'Quantifier':
      return node.max * maxLength(node.element);
    case 'Assertion':
      return node.kind === 'lookahead' || node.kind === 'lookbehind'
        ? Math.max(0, ...node.alternatives.map(maxLength))
        : 1; // \b, ^ and $ look at one neighbouring character
    case 'Backreference':
      return Array.isArray(node.resolved)
        ? Math.max(...node.resolved.map(maxLength))
        : maxLength(node.resolved);
    default:
      return 1;
  }
}

/** Quantifiers with a maximum above `limit` that sit inside another such quantifier. */
function nestedQuantifiers(node: Node, outer: number, limit: number): string[] {
  const found: string[] = [];
  const visit = (n: Node, depth: number) => {
    if (n.type === 'Quantifier') {
      if (n.max > limit && depth > 0) found.push(n.raw);
      const d = n.max > limit ? depth + 1 : depth;
      visit(n.element, d);
      return;
    }
    if ('alternatives' in n) for (const a of n.alternatives) visit(a, depth);
    if (n.type === 'Alternative') for (const e of n.elements) visit(e, depth);
  };
  visit(node, outer);
  return found;
}

function unbounded(node: Node): string[] {
  const found: string[] = [];
  const visit = (n: Node) => {
    if (n.type === 'Quantifier') {
      if (!Number.isFinite(n.max)) found.push(n.raw);
      visit(n.element);
    }
    if ('alternatives' in n) for (const a of n.alternatives) visit(a);
    if (n.type === 'Alternative') for (const e of n.elements) visit(e);
  };
  visit(node);
  return found;
}

describe('secret rule registry', () => {
  let dir: string;
  let fixtures: Record<string, RuleFixtures>;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-secret-rules-'));
    fixtures = await ruleFixtures(dir);
  });
  after(() => rm(dir, { recursive: true, force: true }));

  test('ids are unique and every rule has true-positive and true-negative fixtures', () => {
    const ids = SECRET_RULES.map((r) => r.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.deepEqual(Object.keys(fixtures).sort(), [...ids].sort());
    for (const id of ids) {
      assert.ok(fixtures[id]!.positives.length > 0, `${id} has no true positive`);
      assert.ok(fixtures[id]!.negatives.length > 0, `${id} has no true negative`);
    }
  });

  test('every rule names the required parts and lower-case ASCII keywords', () => {
    for (const r of SECRET_RULES) {
      assert.match(r.id, /^[a-z0-9]+(?:-[a-z0-9]+)*$/, r.id);
      assert.ok(r.title && r.rationale && r.fix, r.id);
      assert.ok(r.keywords.length > 0, `${r.id}: no keyword`);
      for (const k of r.keywords) assert.match(k, /^[\x21-\x7e]+$/, `${r.id}: keyword ${k}`);
      for (const k of r.keywords) assert.equal(k, k.toLowerCase(), `${r.id}: keyword ${k}`);
      assert.ok(!r.regex.global && !r.regex.sticky, `${r.id}: the table holds no stateful regex`);
    }
  });

  test('regexes are safe for a backtracking engine and no match exceeds maxLength', () => {
    for (const r of SECRET_RULES) {
      const ast = parseRegExpLiteral(r.regex);
      assert.deepEqual(unbounded(ast.pattern), [], `${r.id}: unbounded quantifier`);
      // A quantifier inside another multiplies the paths to try; only small outer counts are allowed.
      assert.deepEqual(nestedQuantifiers(ast.pattern, 0, 3), [], `${r.id}: nested quantifiers`);
      const max = maxLength(ast.pattern);
      assert.ok(max <= r.maxLength, `${r.id}: a match may be ${max} bytes, maxLength says ${r.maxLength}`);
    }
  });

  for (const rule of SECRET_RULES) {
    test(`${rule.id}: true positives are found at the right line, redacted`, () => {
      const s = createSecretScanner();
      for (const fx of fixtures[rule.id]!.positives) {
        const found = s.scanBuffer(fx.path, Buffer.from(fx.text));
        const mine = found.filter((f) => f.ruleId === rule.id);
        assert.equal(
          mine.length,
          fx.count ?? 1,
          `${rule.id} in ${fx.path}: ${JSON.stringify(found.map((f) => f.ruleId))}`,
        );
        const f = mine[0]!;
        assert.equal(f.location.startLine, fx.line, `${rule.id} in ${fx.path}`);
        assert.equal(f.kind, 'secret');
        assert.equal(f.severity, rule.severity);
        assert.match(f.evidence ?? '', /^(?:-----BEGIN [A-Z0-9 ]+----- |\S{0,4})\*{5} \(\d+ chars\)$/);
        assertNoLeak(found, fx.secrets);
        // The same text through scanText (an ENV value, a label) gives the same finding.
        const again = s.scanText(fx.path, fx.text).filter((x) => x.ruleId === rule.id);
        assert.deepEqual(again, mine);
      }
    });

    test(`${rule.id}: true negatives are not reported`, () => {
      const s = createSecretScanner();
      for (const fx of fixtures[rule.id]!.negatives) {
        const found = s.scanBuffer(fx.path, Buffer.from(fx.text)).filter((f) => f.ruleId === rule.id);
        assert.deepEqual(found, [], `${rule.id} reported in ${fx.path}`);
      }
    });
  }

  test('adversarial inputs finish: every rule over its own worst case', { timeout: 120_000 }, () => {
    const s = createSecretScanner();
    const inputs: string[] = [];
    for (const r of SECRET_RULES) {
      for (const k of r.keywords) {
        inputs.push(`${k} = `.repeat(20_000));
        inputs.push(k + 'a'.repeat(200_000));
        inputs.push(`${k}${'='.repeat(50)}${'A1'.repeat(100)}!`.repeat(2_000));
        inputs.push(`${k}"${' '.repeat(30)}:${' '.repeat(30)}"${'A'.repeat(5000)}`.repeat(40));
      }
    }
    inputs.push('-----BEGIN PRIVATE KEY-----' + 'A'.repeat(1_000_000));
    inputs.push(('-----BEGIN RSA PRIVATE KEY-----\n' + 'QUJD\n'.repeat(3000)).repeat(10));
    inputs.push(`"type": "service_account", "private_key": "-----BEGIN ${'B'.repeat(30_000)}`.repeat(20));
    inputs.push(('eyJ' + 'a'.repeat(5000) + '.').repeat(200));
    inputs.push(('password' + ' '.repeat(19) + ':' + '='.repeat(6)).repeat(50_000));
    for (const text of inputs) {
      const found = s.scanBuffer('/app/adversarial.txt', Buffer.from(text));
      assert.ok(found.length <= 100);
    }
    // Path-filtered rules see their worst case too.
    s.scanBuffer('/root/.netrc', Buffer.from('password '.repeat(100_000)));
    s.scanBuffer('/root/.git-credentials', Buffer.from('https://a:'.repeat(100_000)));
    s.scanBuffer('/root/.pypirc', Buffer.from('password = \n'.repeat(100_000)));
  });
});
