import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import fc from 'fast-check';
import { isMamoriError } from '../../../core/index.js';
import { runCataloger } from '../../testing.js';
import { dotnetDepsCataloger, parseDepsJson } from './index.js';

// Shaped as `dotnet publish` writes them: a framework-dependent ASP.NET app
// with a project reference and build-only packages, and a self-contained
// worker whose runtime target carries a RID and a runtimepack.
const fixture = (p: string): string => readFileSync(new URL(`./testdata/${p}`, import.meta.url), 'utf8');

test('deps.json: NuGet packages with runtime assets; projects and build-only packages skipped', async () => {
  const pkgs = await runCataloger(dotnetDepsCataloger, [
    { path: '/app/WebApi.deps.json', data: fixture('webapi/WebApi.deps.json'), layer: 3 },
  ]);
  assert.deepEqual(
    pkgs.map((p) => p.purl),
    [
      'pkg:nuget/Microsoft.OpenApi@1.2.3',
      'pkg:nuget/Newtonsoft.Json@13.0.3',
      'pkg:nuget/Serilog@3.1.1',
      'pkg:nuget/Serilog.AspNetCore@8.0.1',
      'pkg:nuget/Swashbuckle.AspNetCore.Swagger@6.5.0',
      'pkg:nuget/System.Data.SqlClient@4.8.5',
    ],
  );
  const json = pkgs.find((p) => p.name === 'Newtonsoft.Json');
  assert.ok(json);
  assert.equal(json.type, 'dotnet');
  assert.equal(json.foundBy, 'dotnet-deps');
  assert.deepEqual(json.licenses, []);
  assert.deepEqual(json.locations, [{ path: '/app/WebApi.deps.json', layer: json.layer }]);
  assert.equal(json.layer?.index, 3);
  assert.deepEqual(json.metadata, {
    kind: 'dotnet-deps',
    sha512: 'sha512-HrC5BXdl00IP9zeV+0Z848QWPAoCr9P3bDEZguI+gkLcBKAOxix/tLEAAHC+UvDNPv4a2d18lOReHMOagPa+zQ==',
    path: 'newtonsoft.json/13.0.3',
    hashPath: 'newtonsoft.json.13.0.3.nupkg.sha512',
  });
});

test('deps.json: RID-specific runtime target; runtimepack skipped; libraries missing from targets kept', () => {
  const entries = parseDepsJson(fixture('self-contained/Worker.deps.json'), '/p');
  assert.deepEqual(
    entries.map((e) => `${e.name}@${e.version}`),
    ['Microsoft.Extensions.Hosting@6.0.1', 'Orphan.Library@2.0.0'],
  );
});

test('selection and tags', () => {
  const sel = (path: string): boolean =>
    dotnetDepsCataloger.select({ path, type: 'file', mode: 0o644, size: 1 });
  assert.equal(sel('/app/WebApi.deps.json'), true);
  assert.equal(sel('/app/WebApi.runtimeconfig.json'), false);
  assert.equal(sel('/app/deps.json.bak'), false);
  assert.deepEqual(dotnetDepsCataloger.tags, ['language', 'image', 'directory']);
});

test('sad: bad JSON, wrong shapes and bad keys', async () => {
  await assert.rejects(
    runCataloger(dotnetDepsCataloger, [{ path: '/app/Bad.deps.json', data: '{"libraries": {' }]),
    (e: unknown) => isMamoriError(e, 'INVALID_ARGUMENT') && e.message.includes('/app/Bad.deps.json'),
  );
  assert.deepEqual(parseDepsJson('[]', '/p'), []);
  assert.deepEqual(parseDepsJson('{"libraries": []}', '/p'), []);
  const doc = {
    libraries: {
      'Good/1.0.0': { type: 'Package', sha512: 42 },
      'NoVersion/': { type: 'package' },
      'Too/Many/Parts': { type: 'package' },
      '../etc/1.0': { type: 'package' },
      'Spaced/1.0 beta': { type: 'package' },
      'Null/1.0.0': null,
      'Untyped/1.0.0': {},
    },
  };
  assert.deepEqual(parseDepsJson(JSON.stringify(doc), '/p'), [{ name: 'Good', version: '1.0.0' }]);
  assert.deepEqual(await runCataloger(dotnetDepsCataloger, [{ path: '/a.deps.json', data: '{}' }]), []);
});

test('fuzz: deps.json parser throws nothing but MamoriError', () => {
  const guarded = (f: () => unknown): void => {
    try {
      f();
    } catch (e) {
      assert.ok(isMamoriError(e), String(e));
    }
  };
  fc.assert(
    fc.property(fc.string(), fc.jsonValue(), fc.jsonValue(), (s, a, b) => {
      guarded(() => parseDepsJson(s, '/p'));
      const doc = {
        runtimeTarget: { name: s },
        targets: { [s]: a },
        libraries: { [`${s}/1.0`]: b, 'X/1.0': a },
      };
      for (const e of parseDepsJson(JSON.stringify(doc), '/p')) assert.ok(e.name !== '' && e.version !== '');
    }),
  );
});
