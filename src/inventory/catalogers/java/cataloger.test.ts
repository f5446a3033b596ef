/**
 * The cataloger on real archives: Maven-built jars shipped by Debian
 * (libcommons-lang3-java, libslf4j-java, libguava-java, libcommons-io-java),
 * checked against `unzip -p`, and a war, an ear and a Spring-Boot-style fat jar
 * assembled from them at test time with the JDK's `jar` tool.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import type { JavaMetadata, Package } from '../../../core/index.js';
import { FileSource } from '../../bytesource.js';
import { runCataloger } from '../../testing.js';
import { javaArchiveCataloger } from './index.js';

const run = promisify(execFile);
const DEBIAN_JARS = ['commons-lang3', 'slf4j-api', 'guava', 'commons-io'];

async function unzipText(file: string, pattern: string): Promise<string> {
  return (await run('unzip', ['-p', file, pattern], { maxBuffer: 1 << 24 })).stdout;
}

/** pom.properties read naively (key=value lines), independently of the cataloger's parser. */
function naiveProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split(/\r?\n/)) {
    const m = /^([A-Za-z]+)=(.*)$/.exec(line);
    if (m?.[1] !== undefined && m[2] !== undefined) out[m[1]] = m[2].trim();
  }
  return out;
}

function meta(p: Package | undefined): JavaMetadata {
  assert.ok(p, 'package present');
  assert.equal(p.metadata.kind, 'java-archive');
  return p.metadata as JavaMetadata;
}

function byVirtualPath(pkgs: Package[]): Map<string, Package> {
  return new Map(pkgs.map((p) => [meta(p).virtualPath, p]));
}

describe('javaArchiveCataloger on real archives', () => {
  let dir = '';
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mamori-java-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  for (const name of DEBIAN_JARS) {
    it(`reads Debian's ${name}.jar as unzip shows it`, async () => {
      const file = `/usr/share/java/${name}.jar`;
      const props = naiveProperties(await unzipText(file, 'META-INF/maven/*/*/pom.properties'));
      const implVersion = /^Implementation-Version: (.*?)\r?$/m.exec(
        await unzipText(file, 'META-INF/MANIFEST.MF'),
      )?.[1];
      const pkgs = await runCataloger(javaArchiveCataloger, [
        { path: file, data: await readFile(file), layer: 3 },
      ]);
      assert.equal(pkgs.length, 1);
      const [p] = pkgs;
      const m = meta(p);
      assert.equal(p?.name, props['artifactId']);
      assert.equal(p?.version, props['version']);
      assert.equal(p?.purl, `pkg:maven/${props['groupId']}/${props['artifactId']}@${props['version']}`);
      assert.equal(m.groupId, props['groupId']);
      assert.equal(m.artifactId, props['artifactId']);
      assert.equal(m.virtualPath, file);
      assert.equal(m.manifest?.['Implementation-Version'], implVersion);
      assert.equal(p?.type, 'java-archive');
      assert.equal(p?.foundBy, 'java-archive');
      assert.deepEqual(p?.locations, [{ path: file, layer: p?.layer }]);
      assert.equal(p?.layer?.index, 3);
    });
  }

  it('reads Bundle-License as the licence', async () => {
    const file = '/usr/share/java/guava.jar';
    const license = /^Bundle-License: (.*?)\r?$/m.exec(await unzipText(file, 'META-INF/MANIFEST.MF'))?.[1];
    assert.ok(license);
    const [p] = await runCataloger(javaArchiveCataloger, [{ path: file, data: await readFile(file) }]);
    assert.deepEqual(p?.licenses, [license]);
  });

  /** Lays out files under `root` and runs `jar --create` over it. */
  async function buildJar(
    out: string,
    root: string,
    files: Record<string, string | Buffer>,
    extra: string[] = [],
  ) {
    for (const [rel, content] of Object.entries(files)) {
      await mkdir(dirname(join(root, rel)), { recursive: true });
      if (typeof content === 'string' && content.startsWith('/usr/share/java/'))
        await copyFile(content, join(root, rel));
      else await writeFile(join(root, rel), content);
    }
    const manifest = files['MANIFEST.txt'] === undefined ? [] : ['--manifest', join(root, 'MANIFEST.txt')];
    const entries = Object.keys(files).filter((f) => f !== 'MANIFEST.txt');
    await run('jar', [
      '--create',
      '--file',
      out,
      ...manifest,
      ...extra,
      ...entries.flatMap((f) => ['-C', root, f]),
    ]);
  }

  const SHOP_FILES = {
    'MANIFEST.txt': 'Implementation-Title: shop\nImplementation-Version: 1.0\n',
    'WEB-INF/lib/commons-lang3-3.12.0.jar': '/usr/share/java/commons-lang3.jar',
    'WEB-INF/lib/slf4j-api-1.7.32.jar': '/usr/share/java/slf4j-api.jar',
    'WEB-INF/classes/com/example/Shop.class': Buffer.from([0xca, 0xfe, 0xba, 0xbe]),
    'WEB-INF/web.xml': '<web-app/>\n',
    'META-INF/maven/com.example/shop/pom.properties': 'groupId=com.example\nartifactId=shop\nversion=1.0\n',
    'META-INF/maven/com.example/shop/pom.xml': '<project/>\n',
  };

  it('reads a war and the jars in WEB-INF/lib', async () => {
    const war = join(dir, 'shop-1.0.war');
    await buildJar(war, join(dir, 'war-root'), SHOP_FILES);
    const pkgs = await runCataloger(javaArchiveCataloger, [
      { path: '/srv/shop-1.0.war', data: await readFile(war) },
    ]);
    assert.deepEqual(
      pkgs.map((p) => `${p.purl} ${meta(p).virtualPath}`),
      [
        'pkg:maven/com.example/shop@1.0 /srv/shop-1.0.war',
        'pkg:maven/org.apache.commons/commons-lang3@3.12.0 /srv/shop-1.0.war:WEB-INF/lib/commons-lang3-3.12.0.jar',
        'pkg:maven/org.slf4j/slf4j-api@1.7.32 /srv/shop-1.0.war:WEB-INF/lib/slf4j-api-1.7.32.jar',
      ],
    );
    for (const p of pkgs)
      assert.deepEqual(
        p.locations.map((l) => l.path),
        ['/srv/shop-1.0.war'],
      );
  });

  it('reads an ear holding a war and lib/ jars, two levels deep', async () => {
    const war = join(dir, 'ear-shop-1.0.war');
    await buildJar(war, join(dir, 'ear-war-root'), SHOP_FILES);
    const ear = join(dir, 'app.ear');
    await buildJar(ear, join(dir, 'ear-root'), {
      'shop-1.0.war': await readFile(war),
      'lib/guava-31.1-jre.jar': '/usr/share/java/guava.jar',
      'META-INF/application.xml': '<application/>\n',
    });
    const pkgs = byVirtualPath(
      await runCataloger(javaArchiveCataloger, [{ path: '/srv/app.ear', data: await readFile(ear) }]),
    );
    // The ear's own manifest (written by jar) has no version: not a package.
    assert.deepEqual([...pkgs.keys()].sort(), [
      '/srv/app.ear:lib/guava-31.1-jre.jar',
      '/srv/app.ear:shop-1.0.war',
      '/srv/app.ear:shop-1.0.war:WEB-INF/lib/commons-lang3-3.12.0.jar',
      '/srv/app.ear:shop-1.0.war:WEB-INF/lib/slf4j-api-1.7.32.jar',
    ]);
    assert.equal(
      pkgs.get('/srv/app.ear:lib/guava-31.1-jre.jar')?.purl,
      'pkg:maven/com.google.guava/guava@31.1-jre',
    );
  });

  it('reads a Spring-Boot-style fat jar from a file, nested jars stored', async () => {
    const fat = join(dir, 'demo-0.0.1-SNAPSHOT.jar');
    const libs = ['commons-io', 'guava', 'slf4j-api'];
    await buildJar(
      fat,
      join(dir, 'fat-root'),
      {
        'MANIFEST.txt': [
          'Main-Class: org.springframework.boot.loader.launch.JarLauncher',
          'Start-Class: com.example.demo.DemoApplication',
          'Spring-Boot-Version: 3.2.0',
          'Spring-Boot-Classes: BOOT-INF/classes/',
          'Spring-Boot-Lib: BOOT-INF/lib/',
          'Implementation-Title: demo',
          'Implementation-Version: 0.0.1-SNAPSHOT',
          '',
        ].join('\n'),
        'BOOT-INF/classes/com/example/demo/DemoApplication.class': Buffer.from([0xca, 0xfe, 0xba, 0xbe]),
        'META-INF/maven/com.example/demo/pom.properties':
          'groupId=com.example\nartifactId=demo\nversion=0.0.1-SNAPSHOT\n',
        ...Object.fromEntries(libs.map((l) => [`BOOT-INF/lib/${l}.jar`, `/usr/share/java/${l}.jar`])),
      },
      ['--no-compress'],
    );
    const listed = (await run('unzip', ['-Z1', fat])).stdout
      .split('\n')
      .filter((l) => l.startsWith('BOOT-INF/lib/'));
    assert.equal(listed.length, libs.length);
    const src = await FileSource.open(fat);
    try {
      const fact = await javaArchiveCataloger.parse({
        path: '/app/demo-0.0.1-SNAPSHOT.jar',
        mode: 0o644,
        size: src.size,
        source: src,
      });
      assert.ok(fact);
      assert.equal(fact.skipped, undefined);
      const [main, ...nested] = fact.packages;
      assert.equal(main?.purl, 'pkg:maven/com.example/demo@0.0.1-SNAPSHOT');
      assert.equal(main?.manifest?.['Start-Class'], 'com.example.demo.DemoApplication');
      assert.deepEqual(
        nested.map((p) => p.virtualPath),
        listed.sort().map((l) => `/app/demo-0.0.1-SNAPSHOT.jar:${l}`),
      );
      assert.deepEqual(
        nested.map((p) => p.purl),
        [
          'pkg:maven/commons-io/commons-io@2.11.0',
          'pkg:maven/com.google.guava/guava@31.1-jre',
          'pkg:maven/org.slf4j/slf4j-api@1.7.32',
        ],
      );
    } finally {
      await src.close();
    }
  });

  it('selects Java archive names with the ZIP magic only', async () => {
    const jar = await readFile('/usr/share/java/slf4j-api.jar');
    const pkgs = await runCataloger(javaArchiveCataloger, [
      { path: '/a/slf4j-api.JAR', data: jar },
      { path: '/a/slf4j-api.zip', data: jar },
      { path: '/a/adapter.rar', data: Buffer.from('Rar!\u001a\u0007\u0000 not a zip') },
      { path: '/a/empty.jar', data: '' },
    ]);
    assert.deepEqual(
      pkgs.map((p) => p.locations[0]?.path),
      ['/a/slf4j-api.JAR'],
    );
    assert.deepEqual(javaArchiveCataloger.tags, ['language', 'image', 'directory']);
    for (const ext of ['jar', 'war', 'ear', 'jpi', 'hpi', 'par', 'sar', 'nar', 'kar', 'rar']) {
      assert.ok(
        javaArchiveCataloger.select({ path: `/x/y.${ext}`, type: 'file', mode: 0o644, size: 1 }),
        ext,
      );
    }
    assert.ok(!javaArchiveCataloger.select({ path: '/x/jar', type: 'file', mode: 0o644, size: 1 }));
  });
});
