import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DETECT_LIMITS, DetectionRulesError, parseDetectionRules, validateDetectionRules } from './index.js';

const fixture = (name: string): Promise<string> =>
  readFile(join(import.meta.dirname, 'testdata', name), 'utf8');

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof DetectionRulesError) return [...e.problems];
    throw e;
  }
  assert.fail('expected a DetectionRulesError');
}

describe('detection rules (YAML)', () => {
  it('reads a configuration using every feature', async () => {
    const r = parseDetectionRules(await fixture('rules.yaml'), 'rules.yaml');
    assert.deepEqual(
      r.rules.map((x) => [x.id, x.severity, x.events]),
      [
        ['U001', 'medium', ['exec']],
        ['U002', 'high', ['connect']],
        ['U003', 'low', ['open']],
        ['team.debug-port', 'info', ['accept']],
      ],
    );
    assert.deepEqual(r.rules[1]?.condition.port, [
      { from: 80, to: 80 },
      { from: 8000, to: 8080 },
    ]);
    assert.deepEqual(r.rules[2]?.condition.any?.[1], { argv: { contains: ['cat /run'] } });
    assert.deepEqual(r.rules[3]?.condition, { port: [{ from: 5005, to: 5005 }], uid: [0, 1000] });
    assert.deepEqual(
      r.exceptions.map((e) => e.rules),
      [['MR001'], ['MR004', 'U003'], ['MR005'], ['U001']],
    );
    assert.deepEqual(r.exceptions[0]?.condition, { image: ['registry.example.com/debug/*'] });
    assert.deepEqual(r.disable, ['MR009']);
    assert.deepEqual(r.severity, { MR002: 'high', U003: 'medium' });
  });

  it('reads an empty document as no configuration', () => {
    assert.deepEqual(parseDetectionRules(''), { rules: [], exceptions: [], disable: [], severity: {} });
  });

  it('reports every mistake at once, each at its exact path', async () => {
    const text = await fixture('bad.yaml');
    const got = problems(() => parseDetectionRules(text, 'bad.yaml'));
    assert.deepEqual(got, [
      'extra: unknown key; known: rules, exceptions, disable, severity',
      "rules[0].id: ids starting with MR, MP or MD are mamori's own; pick another (like U001)",
      'rules[0].severity: expected critical, high, medium, low or info, got "urgent"',
      'rules[1].condition.all[0].port: applies to connect or accept events, never to exec',
      'rules[1].condition.all[1].exe: expected at least one value',
      'rules[1].condition.all[2].argv.contain: unknown key (did you mean "contains"?); known: contains, glob',
      'rules[1].condition.all[2].argv: name contains, glob or both',
      'rules[2].id: duplicate rule id "U1"',
      'rules[2].condition.any[0].address: expected an IP address or a CIDR block like 10.0.0.0/8 or fd00::/8, got "10.0.0.0/33"',
      'rules[2].condition.any[1].port: expected a port (0-65535) or a range like 8000-8080, got "90-80"',
      'rules[2].condition.any[2].pth: unknown key (did you mean "path"?); known: all, any, not, exe, comm, argv, parent, uid, image, namespace, path, write, address, port, syscall',
      'rules[3].id: required',
      'rules[3].event[1]: expected exec, open, connect, accept or syscall, got "sycsall" (did you mean "syscall"?)',
      'rules[3].condition.uid: expected a user id (a whole number 0-4294967295), got -1',
      'rules[3].condition.syscall[1]: expected ptrace, mount, umount, unshare, setns, init_module, finit_module, bpf or keyctl, got "chroot"',
      'exceptions[0].rule: no rule "MR01" (did you mean "MR001"?)',
      'exceptions[1]: an exception needs at least one of all, any, not, exe, comm, argv, parent, uid, image, namespace, path, write, address, port, syscall (to turn a rule off, list it under disable)',
      'exceptions[2].reason: an exception needs a reason',
      'exceptions[2].path: applies to open, connect or accept events, never to syscall',
      'exceptions[3].port: applies to connect or accept events, never to exec',
      'disable[0]: no rule "MR099" (did you mean "MR009"?)',
      'severity.MR002: expected critical, high, medium, low or info, got "severe"',
    ]);
  });

  it('prefixes paths when the rules are a section of a larger document', () => {
    assert.deepEqual(
      problems(() =>
        validateDetectionRules(
          { rules: [{ id: 'U1', title: 't', severity: 'low', event: 'exec' }] },
          'sensor.detect',
        ),
      ),
      ['sensor.detect.rules[0].condition: a rule needs a condition'],
    );
    assert.deepEqual(
      problems(() => parseDetectionRules('- 1')),
      ['(document): expected a mapping, got a list'],
    );
  });

  it('refuses ids, patterns and references that could never work', () => {
    const rule = (id: unknown, condition: unknown): unknown => ({
      id,
      title: 't',
      severity: 'low',
      event: 'open',
      condition,
    });
    assert.deepEqual(
      problems(() =>
        validateDetectionRules({
          rules: [
            rule('mp7', { path: 'etc/passwd' }),
            rule('1abc', { path: '**/x' }),
            rule('U9', { write: 'yes' }),
          ],
          exceptions: [{ rule: 'U9', image: 'x', reason: 'r', not: { not: {} } }],
        }),
      ),
      [
        "rules[0].id: ids starting with MR, MP or MD are mamori's own; pick another (like U001)",
        'rules[0].condition.path: a path pattern starts with / or *, got "etc/passwd"',
        'rules[1].id: expected a letter then letters, digits, _ . or -, got "1abc"',
        'rules[2].condition.write: expected true or false, got "yes"',
        'exceptions[0].not.not: a condition needs at least one of all, any, not, exe, comm, argv, parent, uid, image, namespace, path, write, address, port, syscall',
      ],
    );
  });
});

describe('hostile detection rules', () => {
  it('refuses a "billion laughs" document (aliases bounded)', () => {
    let doc = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n';
    for (let i = 0; i < 9; i++) {
      const [p, n] = [String.fromCharCode(97 + i), String.fromCharCode(98 + i)];
      doc += `${n}: &${n} [${Array(9).fill(`*${p}`).join(',')}]\n`;
    }
    assert.deepEqual(
      problems(() => parseDetectionRules(doc, 'lol.yaml')),
      [`lol.yaml: too many YAML aliases (more than ${DETECT_LIMITS.aliases} expansions): refused`],
    );
  });

  it('refuses a huge document before parsing it', () => {
    const doc = `rules: [${'{}, '.repeat(100_000)}]`;
    assert.deepEqual(
      problems(() => parseDetectionRules(doc, 'big.yaml')),
      [`big.yaml: larger than ${DETECT_LIMITS.bytes} bytes`],
    );
  });

  it('refuses more rules than the limit, with the path', () => {
    const rules = Array.from({ length: DETECT_LIMITS.rules + 1 }, () => ({}));
    assert.deepEqual(
      problems(() => validateDetectionRules({ rules })),
      [`rules: more than ${DETECT_LIMITS.rules} entries`],
    );
  });

  it('refuses conditions nested deeper than the limit, at the exact depth', () => {
    const depth = 20;
    const doc = `rules:\n  - id: U1\n    title: deep\n    severity: low\n    event: exec\n    condition:\n${Array.from(
      { length: depth },
      (_, i) => `${' '.repeat(6 + 2 * i)}not:`,
    ).join('\n')}\n${' '.repeat(6 + 2 * depth)}exe: sh\n`;
    const path = `rules[0].condition${'.not'.repeat(DETECT_LIMITS.depth + 1)}`;
    assert.deepEqual(
      problems(() => parseDetectionRules(doc)),
      [`${path}: conditions nest deeper than ${DETECT_LIMITS.depth} levels`],
    );
  });

  it('refuses YAML nested too deeply for the parser, with a clear error', () => {
    const doc = `rules: ${'['.repeat(50_000)}${']'.repeat(50_000)}`;
    assert.deepEqual(
      problems(() => parseDetectionRules(doc, 'deep.yaml')),
      ['deep.yaml: nested too deeply to read: refused'],
    );
  });

  it('refuses duplicate keys, custom tags and several documents', () => {
    assert.deepEqual(
      problems(() => parseDetectionRules('disable: []\ndisable: []\n', 'd.yaml')),
      ['d.yaml: not valid YAML: Map keys must be unique'],
    );
    assert.deepEqual(
      problems(() => parseDetectionRules('disable: !!js/function "x"\n', 'd.yaml')),
      ['d.yaml: not valid YAML: Unresolved tag: tag:yaml.org,2002:js/function'],
    );
    assert.match(
      problems(() => parseDetectionRules('disable: []\n---\ndisable: []\n'))[0] ?? '',
      /multiple documents/,
    );
  });
});
