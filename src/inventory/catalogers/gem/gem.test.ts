import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import type { GemMetadata } from '../../../core/index.js';
import { runCataloger } from '../../testing.js';
import { gemLockCataloger, gemSpecCataloger, parseGemfileLock, parseGemspec } from './index.js';

// rack, minitest and net-http (a default gem) are Debian's installed specs;
// the others were checked with Gem::Specification.load. Both lockfiles parse
// with Bundler::LockfileParser; bundler/ was written by `bundle lock --local`.
const fixture = (p: string): string => readFileSync(new URL(`./testdata/${p}`, import.meta.url), 'utf8');

const GEMS = '/usr/local/bundle';

test('gemspecs: name, version, licences, authors, homepage, platform', async () => {
  const pkgs = await runCataloger(gemSpecCataloger, [
    {
      path: `${GEMS}/specifications/rack-2.2.22.gemspec`,
      data: fixture('specifications/rack-2.2.22.gemspec'),
    },
    {
      path: '/usr/lib/ruby/gems/3.1.0/specifications/minitest-5.15.0.gemspec',
      data: fixture('specifications/minitest-5.15.0.gemspec'),
      layer: 1,
    },
    {
      path: '/usr/lib/ruby/gems/3.1.0/specifications/default/net-http-0.2.0.gemspec',
      data: fixture('specifications/default/net-http-0.2.0.gemspec'),
    },
    {
      path: `${GEMS}/specifications/nokogiri-1.15.4-x86_64-linux.gemspec`,
      data: fixture('specifications/nokogiri-1.15.4-x86_64-linux.gemspec'),
    },
    {
      path: `${GEMS}/specifications/legacy-1.1.0.gemspec`,
      data: fixture('specifications/legacy-1.1.0.gemspec'),
    },
  ]);
  const byName = new Map(pkgs.map((p) => [p.name, p]));
  assert.deepEqual([...byName.keys()].sort(), ['legacy', 'minitest', 'net-http', 'nokogiri', 'rack']);

  const rack = byName.get('rack');
  assert.ok(rack);
  assert.equal(rack.purl, 'pkg:gem/rack@2.2.22');
  assert.deepEqual(rack.licenses, ['MIT']);
  assert.equal(rack.foundBy, 'gem-spec');
  assert.deepEqual(rack.metadata, {
    kind: 'gemspec',
    authors: ['Leah Neukirchen'],
    homepage: 'https://github.com/rack/rack',
  });
  assert.deepEqual(rack.locations, [
    { path: `${GEMS}/specifications/rack-2.2.22.gemspec`, layer: rack.layer },
  ]);

  assert.equal(byName.get('minitest')?.layer?.index, 1);
  assert.deepEqual(byName.get('net-http')?.licenses, ['Ruby', 'BSD-2-Clause']);
  assert.deepEqual((byName.get('net-http')?.metadata as GemMetadata).authors, ['NARUSE, Yui']);

  const noko = byName.get('nokogiri');
  assert.equal(noko?.purl, 'pkg:gem/nokogiri@1.15.4?platform=x86_64-linux');
  assert.equal((noko?.metadata as GemMetadata).authors?.length, 13);

  const legacy = byName.get('legacy');
  assert.deepEqual(legacy?.licenses, ['Ruby']);
  assert.deepEqual(legacy?.metadata, {
    kind: 'gemspec',
    authors: ["Old 'Quoted' Author"],
    homepage: 'http://legacy.rubyforge.org/',
  });
});

test('gemspec: the stub header stands in for unreadable assignments', () => {
  const text = '# stub: native 2.0.1 java lib\nGem::Specification.new do |s|\n  s.name = NAME\nend\n';
  assert.deepEqual(parseGemspec(text), { name: 'native', version: '2.0.1', platform: 'java' });
});

test('Gemfile.lock (bundle lock): GEM specs only, PATH gems skipped', async () => {
  const pkgs = await runCataloger(gemLockCataloger, [
    { path: '/app/Gemfile.lock', data: fixture('bundler/Gemfile.lock') },
  ]);
  assert.deepEqual(
    pkgs.map((p) => p.purl),
    [
      'pkg:gem/minitest@5.15.0',
      'pkg:gem/rack@2.2.22',
      'pkg:gem/rack-test@2.0.2',
      'pkg:gem/rake@13.0.6',
      'pkg:gem/webrick@1.8.1',
    ],
  );
  assert.ok(pkgs.every((p) => p.foundBy === 'gem-lock' && p.locations[0]?.path === '/app/Gemfile.lock'));
  assert.deepEqual(pkgs[0]?.metadata, { kind: 'gemspec' });
  assert.deepEqual(gemLockCataloger.tags, ['language', 'directory']);
});

test('Gemfile.lock (Rails-shaped): GIT gems, platform variants merged, pre-releases', async () => {
  const pkgs = await runCataloger(gemLockCataloger, [
    { path: '/app/Gemfile.lock', data: fixture('rails/Gemfile.lock') },
  ]);
  const ids = pkgs.map((p) => p.purl);
  assert.ok(ids.includes('pkg:gem/sprockets-rails@3.4.2'));
  assert.ok(ids.includes('pkg:gem/rails-html-sanitizer@1.6.0.rc1'));
  assert.equal(ids.filter((i) => i.startsWith('pkg:gem/nokogiri@')).length, 1);
  assert.ok(ids.includes('pkg:gem/nokogiri@1.15.4'));
  assert.ok(!ids.some((i) => i.includes('billing') || i.includes('loofah') || i.startsWith('pkg:gem/ruby@')));
  assert.equal(pkgs.length, 14);
});

test('selection', () => {
  const spec = (path: string): boolean =>
    gemSpecCataloger.select({ path, type: 'file', mode: 0o644, size: 1 });
  assert.equal(spec('/var/lib/gems/3.1.0/specifications/rack-2.2.4.gemspec'), true);
  assert.equal(spec('/usr/lib/ruby/gems/3.1.0/specifications/default/uri-0.12.1.gemspec'), true);
  assert.equal(spec('/app/rack.gemspec'), false);
  assert.equal(spec('/var/lib/gems/3.1.0/gems/rack-2.2.4/rack.gemspec'), false);
  const lock = (path: string): boolean =>
    gemLockCataloger.select({ path, type: 'file', mode: 0o644, size: 1 });
  assert.equal(lock('/app/Gemfile.lock'), true);
  assert.equal(lock('/usr/local/bundle/gems/rack-2.2.4/Gemfile.lock'), false);
});

test('sad: missing version, bad names, junk and over-long lines', async () => {
  assert.equal(
    parseGemspec('Gem::Specification.new do |s|\n  s.name = "noversion".freeze\nend\n'),
    undefined,
  );
  assert.equal(parseGemspec('s.name = "../evil"\ns.version = "1.0"\n'), undefined);
  assert.equal(parseGemspec('s.name = "x"\ns.version = "not a version"\n'), undefined);
  assert.deepEqual(
    parseGemspec(
      `s.name = "ok"\ns.description = "${'"'.repeat(100_000)}"\ns.version = "1.0"\ns.licenses = ["\\"quoted\\""]\n`,
    ),
    { name: 'ok', version: '1.0', licenses: ['"quoted"'] },
  );
  assert.deepEqual(parseGemspec(`s.name = "ok"\ns.version = "1.0"\ns.authors = [${"'\\'".repeat(5000)}]\n`), {
    name: 'ok',
    version: '1.0',
  });
  const lock = [
    'GEM',
    '  specs:',
    `    ${'a'.repeat(100_000)} (1.0)`,
    '    good (1.0)',
    '    bad (x y)',
    '    (1.0)',
  ];
  assert.deepEqual(parseGemfileLock(lock.join('\r\n')), [{ name: 'good', version: '1.0' }]);
  assert.deepEqual(
    await runCataloger(gemLockCataloger, [{ path: '/Gemfile.lock', data: 'not a lockfile' }]),
    [],
  );
});

test('fuzz: gemspec and Gemfile.lock parsers never throw', () => {
  const specLine = fc.oneof(
    fc.string(),
    fc
      .tuple(
        fc.constantFrom('name', 'version', 'licenses', 'license', 'authors', 'homepage', 'platform'),
        fc.string(),
      )
      .map(([k, v]) => `  s.${k} = ${v}`),
    fc.string().map((v) => `# stub: ${v}`),
  );
  const lockLine = fc.oneof(
    fc.string(),
    fc.constantFrom('GEM', 'GIT', 'PATH', '  specs:', '  remote: x'),
    fc.tuple(fc.string(), fc.string()).map(([n, v]) => `    ${n} (${v})`),
  );
  fc.assert(
    fc.property(
      fc.array(specLine, { maxLength: 20 }),
      fc.array(lockLine, { maxLength: 30 }),
      (spec, lock) => {
        const e = parseGemspec(spec.join('\n'));
        if (e !== undefined) assert.ok(e.name !== '' && e.version !== '');
        for (const g of parseGemfileLock(lock.join('\n'))) assert.ok(g.name !== '' && g.version !== '');
      },
    ),
  );
});
