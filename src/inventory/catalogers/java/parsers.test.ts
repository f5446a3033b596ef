/**
 * The small parsers: MANIFEST.MF and .properties checked against the JDK's
 * own java.util.jar.Manifest and java.util.Properties (testdata/Dump.java),
 * and archive file names against the expectations of Syft's tests.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import fc from 'fast-check';
import { parseArchiveFileName } from './filename.js';
import { manifestRecord, parseManifest } from './manifest.js';
import { parseProperties } from './properties.js';

const run = promisify(execFile);
const TESTDATA = join(import.meta.dirname, 'testdata');

/** What the JDK reads from a file, as [key, value] pairs. */
async function javaReads(mode: 'properties' | 'manifest', file: string): Promise<Map<string, string>> {
  const { stdout } = await run('java', [join(TESTDATA, 'Dump.java'), mode, file]);
  const out = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    if (line === '') continue;
    const [k = '', v = ''] = line.split(' ');
    out.set(Buffer.from(k, 'base64').toString('utf8'), Buffer.from(v, 'base64').toString('utf8'));
  }
  return out;
}

describe('parseProperties', () => {
  for (const name of ['plain.properties', 'tricky.properties']) {
    it(`reads ${name} as java.util.Properties does`, async () => {
      const file = join(TESTDATA, 'pom', name);
      const mine = parseProperties((await readFile(file)).toString('utf8'));
      assert.deepEqual(new Map([...mine].sort()), new Map([...(await javaReads('properties', file))].sort()));
    });
  }

  it('reads the escapes, continuations and separators in tricky.properties', async () => {
    const p = parseProperties(await readFile(join(TESTDATA, 'pom', 'tricky.properties'), 'utf8'));
    assert.equal(p.get('groupId'), 'org.example.deep');
    assert.equal(p.get('artifactId'), 'widgets-core');
    assert.equal(p.get('version'), '1.1');
    assert.equal(p.get('key=with:escapes'), 'v\tw');
  });
});

describe('parseManifest', () => {
  it('reads the main section as java.util.jar.Manifest does', async () => {
    const file = join(TESTDATA, 'manifest', 'bundle.MF');
    const mine = parseManifest(await readFile(file, 'utf8'));
    const java = await javaReads('manifest', file);
    assert.deepEqual(
      new Map(mine.entries.map(([k, v]) => [k.toLowerCase(), v])),
      new Map([...java].map(([k, v]) => [k.toLowerCase(), v])),
    );
  });

  it('joins continuations, ignores other sections, looks names up case-insensitively', async () => {
    const m = parseManifest(await readFile(join(TESTDATA, 'manifest', 'bundle.MF'), 'utf8'));
    assert.equal(
      m.get('bundle-description'),
      'A description that is longer than seventy-two bytes and so continues on the next line, with a  double space kept.',
    );
    assert.equal(m.get('Bundle-Version'), '2.4.1');
    assert.equal(m.get('Implementation-Version'), '2.4.2', 'the last duplicate wins');
    assert.equal(m.get('Specification-Title'), undefined, 'per-entry sections are not the main section');
  });

  it('accepts CR LF, LF and lone CR line ends', () => {
    for (const eol of ['\r\n', '\n', '\r']) {
      const m = parseManifest(['A: 1', 'B: long', '  value', '', 'C: 3'].join(eol));
      assert.deepEqual(m.entries, [
        ['A', '1'],
        ['B', 'long value'],
      ]);
    }
  });

  it('drops malformed lines and continuations of dropped headers', async () => {
    const m = parseManifest(await readFile(join(TESTDATA, 'manifest', 'lf-oddities.MF'), 'utf8'));
    assert.deepEqual(m.entries, [
      ['Manifest-Version', '1.0'],
      ['Main-Class', 'com.example.Main'],
      ['X_Under-Score', 'ok'],
    ]);
  });

  it('bounds the attributes copied into metadata', () => {
    const lines = ['Manifest-Version: 1.0', `Export-Package: ${'p'.repeat(5000)}`];
    for (let i = 0; i < 100; i++) lines.push(`X-Attr-${i}: ${i}`);
    const rec = manifestRecord(parseManifest(lines.join('\n')));
    assert.ok(rec);
    assert.equal(Object.keys(rec).length, 64);
    assert.equal(rec['Export-Package'], undefined);
    assert.equal(rec['Manifest-Version'], '1.0');
  });
});

describe('parseArchiveFileName', () => {
  // Expectations from Syft's archive_filename_test.go; mamori agrees with Syft's regular expression.
  const cases: Array<[string, string, string]> = [
    ['pkg-maven-4.3.2.blerg', 'pkg-maven', '4.3.2'],
    ['pkg-maven.4.3.2.blerg', 'pkg-maven', '4.3.2'],
    ['pkg-maven_4.3.2.blerg', 'pkg-maven', '4.3.2'],
    ['pkg-extra-field-maven-4.3.2.war', 'pkg-extra-field-maven', '4.3.2'],
    ['liferay-package.lpkg', 'liferay-package', ''],
    ['pkg-extra-field-maven-4.3.2-rc1.ear', 'pkg-extra-field-maven', '4.3.2-rc1'],
    [
      '/some/path-with-version-5.4.3/pkg-extra-field-maven-4.3.2-rc1.hpi',
      'pkg-extra-field-maven',
      '4.3.2-rc1',
    ],
    ['/some/path/wagon-webdav-1.0.2-beta-2.2.3a-hudson.jar', 'wagon-webdav', '1.0.2-beta-2.2.3a-hudson'],
    ['/some/path/wagon-http-lightweight-1.0.5-beta-2.jar', 'wagon-http-lightweight', '1.0.5-beta-2'],
    ['/hudson.war:WEB-INF/lib/commons-jelly-1.1-hudson-20100305.jar', 'commons-jelly', '1.1-hudson-20100305'],
    ['/hudson.war:WEB-INF/lib/jtidy-4aug2000r7-dev-hudson-1.jar', 'jtidy', '4aug2000r7-dev-hudson-1'],
    ['/hudson.war:WEB-INF/lib/trilead-ssh2-build212-hudson-5.jar', 'trilead-ssh2', 'build212-hudson-5'],
    ['/hudson.war:WEB-INF/lib/guava-r06.jar', 'guava', 'r06'],
    ['BOOT-INF/lib/spring-data-r2dbc-1.1.0.RELEASE.jar', 'spring-data-r2dbc', '1.1.0.RELEASE'],
    ['jboss-saaj-api_1.4_spec-1.0.2.Final.jar', 'jboss-saaj-api_1.4_spec', '1.0.2.Final'],
    ['/usr/share/java/gradle/lib/gradle-build-cache-8.1.1.jar', 'gradle-build-cache', '8.1.1'],
    ['/usr/share/java/commons-lang3.jar', 'commons-lang3', ''],
    ['2048-game-1.0.jar', '', ''],
    ['bcmail-jdk15+-1.46.jar', '', ''],
  ];
  for (const [file, name, version] of cases) {
    it(file, () => assert.deepEqual(parseArchiveFileName(file), { name, version }));
  }

  it('handles very long hostile names', () => {
    const dashes = `a${'-a'.repeat(50_000)}-x.jar`;
    assert.deepEqual(parseArchiveFileName(dashes), { name: dashes.slice(0, -4), version: '' });
    const dots = `${'a.'.repeat(50_000)}!-1.jar`;
    assert.deepEqual(parseArchiveFileName(dots), { name: '', version: '' });
  });
});

describe('parsers on arbitrary input', () => {
  it('never throw', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (s) => {
        parseArchiveFileName(s);
        manifestRecord(parseManifest(s));
        parseProperties(s);
      }),
      { numRuns: 2000 },
    );
  });
});
