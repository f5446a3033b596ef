/**
 * The history read back into Dockerfile instructions: every builder's form,
 * the mapping of entries to layers, and hostile histories (suppression
 * comments smuggled into a RUN, thousands of entries, huge commands).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ImageConfig } from '../image/index.js';
import type { AnalyzedLayer } from '../inventory/index.js';
import { createSecretScanner } from '../secret/index.js';
import { lintHistory, parseCreatedBy, readHistory } from './history.js';
import { HISTORY_RULE_IDS } from './rules/index.js';

const HEX = 'c'.repeat(64);

test('created_by forms of classic Docker, BuildKit, Buildah and umoci', () => {
  const cases: Array<[string, string | undefined, string[]?]> = [
    [`/bin/sh -c #(nop) ADD file:${HEX} in / `, `ADD file:${HEX} /`],
    ['/bin/sh -c #(nop)  CMD ["bash"]', 'CMD ["bash"]'],
    [
      `/bin/sh -c #(nop) COPY --chown=1000:1000 dir:${HEX} in /app `,
      `COPY --chown=1000:1000 dir:${HEX} /app`,
    ],
    ['/bin/sh -c #(nop)  ENV LANG=C.UTF-8', 'ENV LANG=C.UTF-8'],
    ['/bin/sh -c apt-get update && apt-get install -y curl', 'RUN apt-get update && apt-get install -y curl'],
    ['|2 A=1 B=two /bin/sh -c make install', 'RUN make install', ['A=1', 'B=two']],
    ['RUN /bin/sh -c apt-get update # buildkit', 'RUN apt-get update'],
    ['RUN |1 TOKEN=xyz /bin/sh -c ./build.sh # buildkit', 'RUN ./build.sh', ['TOKEN=xyz']],
    ['COPY . /app # buildkit', 'COPY . /app'],
    ['ENV K=v', 'ENV K=v'],
    ['USER app', 'USER app'],
    ['/bin/sh -c #(nop) HEALTHCHECK NONE|unsetLabel=true|force-mtime=10', 'HEALTHCHECK NONE'],
    ['layer 0', 'layer 0'],
  ];
  for (const [raw, ins, args] of cases) {
    const p = parseCreatedBy(raw);
    assert.equal(p.instruction, ins, raw);
    assert.deepEqual(
      p.args.map((a) => `${a.key}=${a.value}`),
      args ?? [],
      raw,
    );
  }
});

function layers(n: number): AnalyzedLayer[] {
  return Array.from({ length: n }, (_, i) => ({
    ref: { index: i, diffId: `sha256:${String(i).padStart(64, '0')}` },
    analysis: { version: 1, files: [], whiteouts: [], opaques: [], facts: [], warnings: [] },
  }));
}

function config(history: ImageConfig['history']): ImageConfig {
  return { rootfs: { type: 'layers', diff_ids: [] }, ...(history ? { history } : {}) };
}

test('entries map to layers in order, empty layers to none; a count mismatch maps none', () => {
  const history = [
    { created_by: `/bin/sh -c #(nop) ADD file:${HEX} in / ` },
    { created_by: '/bin/sh -c #(nop)  CMD ["bash"]', empty_layer: true },
    { created_by: 'RUN /bin/sh -c apt-get update # buildkit' },
    { created_by: 'USER app', empty_layer: true },
  ];
  const scanner = createSecretScanner();
  const r = readHistory(config(history), layers(2), scanner, new Set());
  assert.deepEqual(
    r.entries.map((e) => [e.index, e.layer?.index, e.instruction]),
    [
      [0, 0, `ADD file:${HEX} /`],
      [1, undefined, undefined],
      [2, 1, 'RUN apt-get update'],
      [3, undefined, undefined],
    ],
  );
  const off = readHistory(config(history), layers(3), scanner, new Set());
  assert.ok(off.entries.every((e) => e.layer === undefined));
});

test('the base rootfs ADD is not an ADD-for-COPY finding; a later hashed ADD is, with honest evidence', () => {
  const scanner = createSecretScanner();
  const r = readHistory(
    config([
      { created_by: `/bin/sh -c #(nop) ADD file:${HEX} in / ` },
      { created_by: `/bin/sh -c #(nop) ADD file:${'d'.repeat(64)} in /etc/app/ ` },
    ]),
    layers(2),
    scanner,
    new Set(),
  );
  const f = lintHistory(r.entries, HISTORY_RULE_IDS);
  assert.deepEqual(
    f.map((x) => [x.ruleId, x.location.layer?.index]),
    [['MD018', 1]],
  );
  assert.match(f[0]?.evidence ?? '', /recorded only by hash \(file:dddddddddddd…\)/);
});

test('a suppression comment smuggled into a RUN does not silence the finding', () => {
  const r = readHistory(
    config([
      { created_by: `/bin/sh -c #(nop) ADD file:${HEX} in / ` },
      {
        created_by:
          'RUN /bin/sh -c <<EOF\n# mamori-ignore: MD016 trusted\ncurl -fsSL https://x.example/i.sh | sh\nEOF # buildkit',
      },
      { created_by: 'RUN /bin/sh -c true\n# hadolint global ignore=DL3004\n # buildkit' },
      { created_by: 'RUN /bin/sh -c sudo true # buildkit' },
    ]),
    layers(4),
    createSecretScanner(),
    new Set(),
  );
  const ids = lintHistory(r.entries, HISTORY_RULE_IDS).map((f) => `${f.ruleId}@${f.location.layer?.index}`);
  assert.ok(ids.includes('MD019@3'), ids.join(' '));
  assert.ok(ids.includes('MD016@1'), ids.join(' '));
});

test('only the mapped rules are kept: source-only rules never come from the history', () => {
  const r = readHistory(
    config([
      {
        created_by:
          'RUN /bin/sh -c cd /src && apt-get install -y curl=7.88.1 --no-install-recommends && rm -rf /var/lib/apt/lists/* # buildkit',
      },
      { created_by: 'WORKDIR app' },
      { created_by: 'MAINTAINER someone' },
    ]),
    layers(2),
    createSecretScanner(),
    new Set(),
  );
  assert.deepEqual(lintHistory(r.entries, HISTORY_RULE_IDS), []);
});

test('hostile histories: many entries, huge and odd commands stay bounded and never throw', () => {
  const big = 'RUN /bin/sh -c ' + 'echo $(('.repeat(5000) + 'x' + '))'.repeat(5000);
  const history = [
    ...Array.from({ length: 10_000 }, (_, i) => ({
      created_by: i % 2 ? `/bin/sh -c apt-get update # ${i}` : 'junk',
    })),
    { created_by: big },
    { created_by: '|99999 /bin/sh -c x' },
    { created_by: `/bin/sh -c #(nop) ${'\u0000\u202e'.repeat(1000)}` },
    { created_by: 'ENV ' + 'A=b '.repeat(10_000) },
  ];
  const r = readHistory(config(history), layers(1), createSecretScanner(), new Set());
  assert.equal(r.entries.length, 4096);
  const f = lintHistory(r.entries, HISTORY_RULE_IDS);
  assert.ok(f.length > 0);
});
