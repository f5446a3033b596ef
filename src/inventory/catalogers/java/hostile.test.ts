/**
 * Hostile Java archives: bombs, lies and depth. The cataloger either reports
 * what it could read (and notes what it skipped) or fails with a MamoriError.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { deflateRawSync } from 'node:zlib';
import { BufferSource } from '../../bytesource.js';
import { buildZip } from '../../zip/testing.js';
import type { RawEntry } from '../../zip/testing.js';
import { createJavaArchiveCataloger, javaArchiveCataloger } from './index.js';
import type { JavaFact } from './index.js';

function manifest(version: string): RawEntry {
  return {
    name: 'META-INF/MANIFEST.MF',
    data: `Manifest-Version: 1.0\r\nImplementation-Version: ${version}\r\n\r\n`,
  };
}

function pomEntry(group: string, artifact: string, version: string): RawEntry {
  return {
    name: `META-INF/maven/${group}/${artifact}/pom.properties`,
    data: `groupId=${group}\nartifactId=${artifact}\nversion=${version}\n`,
  };
}

function parse(path: string, data: Buffer, cataloger = javaArchiveCataloger): Promise<JavaFact | undefined> {
  return Promise.resolve(
    cataloger.parse({ path, mode: 0o644, size: data.length, source: new BufferSource(data) }),
  );
}

const paths = (f: JavaFact | undefined): string[] => (f?.packages ?? []).map((p) => p.virtualPath);

describe('javaArchiveCataloger on hostile archives', () => {
  it('reads nested archives down to the depth limit and notes the rest', async () => {
    let inner = buildZip([manifest('6.0')]);
    for (let level = 5; level >= 1; level--) {
      inner = buildZip([
        manifest(`${level}.0`),
        { name: `lib/level${level + 1}.jar`, data: inner, method: 0 },
      ]);
    }
    const fact = await parse(
      '/top.jar',
      buildZip([manifest('0.1'), { name: 'lib/level1.jar', data: inner }]),
    );
    assert.deepEqual(paths(fact), [
      '/top.jar',
      '/top.jar:lib/level1.jar',
      '/top.jar:lib/level1.jar:lib/level2.jar',
      '/top.jar:lib/level1.jar:lib/level2.jar:lib/level3.jar',
      '/top.jar:lib/level1.jar:lib/level2.jar:lib/level3.jar:lib/level4.jar',
    ]);
    assert.deepEqual(
      fact?.packages.map((p) => p.version),
      ['0.1', '1.0', '2.0', '3.0', '4.0'],
    );
    assert.match(
      fact?.skipped?.join('\n') ?? '',
      /level4\.jar: 1 nested archive\(s\) below depth 4 not read/,
    );
  });

  it('survives a nested zip bomb declaring a small size, keeping the rest', async () => {
    const bomb = deflateRawSync(Buffer.alloc(64 * 1024 * 1024));
    const plausible = deflateRawSync(Buffer.alloc(4 * 1024 * 1024));
    const war = buildZip([
      manifest('1.0'),
      { name: 'WEB-INF/lib/bomb-1.0.jar', raw: bomb, declaredSize: 1000 },
      { name: 'WEB-INF/lib/liar-1.0.jar', raw: plausible, declaredSize: 900_000 },
      { name: 'WEB-INF/lib/ok-2.0.jar', data: buildZip([manifest('2.0')]) },
    ]);
    const fact = await parse('/srv/app-1.0.war', war);
    assert.deepEqual(paths(fact), ['/srv/app-1.0.war', '/srv/app-1.0.war:WEB-INF/lib/ok-2.0.jar']);
    const notes = fact?.skipped?.join('\n') ?? '';
    assert.match(notes, /bomb-1\.0\.jar: zip: .*larger compressed than its declared size/);
    assert.match(notes, /liar-1\.0\.jar: zip: .*inflates past its declared size/);
  });

  it('skips a nested archive declaring a huge size without inflating it', async () => {
    const war = buildZip([
      manifest('1.0'),
      {
        name: 'WEB-INF/lib/huge-1.0.jar',
        data: buildZip([manifest('9')]),
        zip64: true,
        declaredSize: 2 ** 40,
      },
    ]);
    const fact = await parse('/srv/app-1.0.war', war);
    assert.deepEqual(paths(fact), ['/srv/app-1.0.war']);
    assert.match(
      fact?.skipped?.[0] ?? '',
      /huge-1\.0\.jar: not read, 1099511627776 bytes exceed the nested archive limit/,
    );
  });

  it('notes nested entries that are not archives or are corrupt', async () => {
    const truncated = buildZip([manifest('3.0')]).subarray(0, 40);
    const war = buildZip([
      manifest('1.0'),
      { name: 'WEB-INF/lib/text-1.0.jar', data: 'just text' },
      { name: 'WEB-INF/lib/cut-1.0.jar', data: truncated },
    ]);
    const fact = await parse('/srv/app-1.0.war', war);
    assert.deepEqual(paths(fact), ['/srv/app-1.0.war']);
    const notes = fact?.skipped?.join('\n') ?? '';
    assert.match(notes, /text-1\.0\.jar: not a ZIP archive/);
    assert.match(notes, /cut-1\.0\.jar: zip: end of central directory not found/);
  });

  it('survives a manifest bomb and still reports the pom.properties', async () => {
    const jar = buildZip([
      {
        name: 'META-INF/MANIFEST.MF',
        raw: deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 'A')),
        declaredSize: 100,
      },
      pomEntry('org.example', 'lib', '1.0'),
    ]);
    const fact = await parse('/lib-1.0.jar', jar);
    assert.deepEqual(
      fact?.packages.map((p) => p.purl),
      ['pkg:maven/org.example/lib@1.0'],
    );
    assert.match(fact?.skipped?.join('\n') ?? '', /manifest not read/);
  });

  it('keeps to the nested archive count, inflation and package budgets', async () => {
    const nested = (n: number): RawEntry => ({
      name: `lib/n${n}-1.0.jar`,
      data: buildZip([manifest('1.0')]),
      method: 0,
    });
    const jar = buildZip([manifest('1.0'), nested(1), nested(2), nested(3), nested(4)]);
    const fewArchives = await parse('/a-1.0.jar', jar, createJavaArchiveCataloger({ maxNestedArchives: 2 }));
    assert.equal(fewArchives?.packages.length, 3);
    assert.match(fewArchives?.skipped?.join('\n') ?? '', /limit of 2 nested archives reached/);

    const fewBytes = await parse('/a-1.0.jar', jar, createJavaArchiveCataloger({ maxInflatedBytes: 300 }));
    assert.match(fewBytes?.skipped?.join('\n') ?? '', /inflation budget exhausted/);

    const poms = Array.from({ length: 10 }, (_, i) => pomEntry('org.example', `dep${i}`, '1.0'));
    const fewPackages = await parse(
      '/a-1.0.jar',
      buildZip([manifest('1.0'), ...poms]),
      createJavaArchiveCataloger({ maxPackages: 3 }),
    );
    assert.equal(fewPackages?.packages.length, 3);
    assert.match(fewPackages?.skipped?.join('\n') ?? '', /package limit of 3 reached/);
  });

  it('fails with a MamoriError on an outer archive that cannot be read', async () => {
    const good = buildZip([manifest('1.0')]);
    await assert.rejects(parse('/t-1.0.jar', good.subarray(0, good.length - 5)), {
      name: 'MamoriError',
      code: 'INVALID_ARGUMENT',
    });
    await assert.rejects(parse('/t-1.0.jar', buildZip([manifest('1.0')], { cdOffset: 0x7ffffff0 })), {
      name: 'MamoriError',
      code: 'INVALID_ARGUMENT',
    });
    await assert.rejects(
      parse('/t-1.0.jar', buildZip([manifest('1.0')], { zip64: true, declaredEntries: 1e12 })),
      {
        name: 'MamoriError',
        code: 'LIMIT_EXCEEDED',
      },
    );
  });

  it('returns nothing for an archive with no identifiable package', async () => {
    assert.equal(await parse('/x/data.jar', buildZip([{ name: 'a.txt', data: 'a' }])), undefined);
  });
});
