import assert from 'node:assert/strict';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { isMamoriError } from '../../core/index.js';
import { resolveCredentials, type CredentialOptions } from './index.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

async function put(path: string, doc: unknown): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, typeof doc === 'string' ? doc : JSON.stringify(doc));
}

// A credential helper speaking the docker-credential-helpers protocol: it
// logs the server URL it was asked for and knows two servers.
const HELPER = `#!/bin/sh
read -r server
printf '%s\\n' "$server" >> "$MAMORI_HELPER_LOG"
case "$server" in
  helped.example:5000) printf '{"ServerURL":"%s","Username":"helper-user","Secret":"helper-pass"}' "$server" ;;
  https://index.docker.io/v1/) printf '{"ServerURL":"%s","Username":"<token>","Secret":"hub-refresh"}' "$server" ;;
  *) echo "credentials not found in native keychain"; exit 1 ;;
esac
`;

describe('resolveCredentials', () => {
  let root: string;
  let n = 0;
  /** A fresh HOME plus the options that point at it. */
  const fresh = async (
    env: Record<string, string> = {},
  ): Promise<{ home: string; opts: CredentialOptions }> => {
    const home = join(root, `case-${n++}`);
    await mkdir(home, { recursive: true });
    return {
      home,
      opts: {
        homeDir: home,
        env: {
          PATH: `${join(root, 'bin')}:${process.env['PATH'] ?? ''}`,
          MAMORI_HELPER_LOG: join(home, 'helper.log'),
          ...env,
        },
      },
    };
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'mamori-creds-'));
    await put(join(root, 'bin', 'docker-credential-mamoritest'), HELPER);
    await chmod(join(root, 'bin', 'docker-credential-mamoritest'), 0o755);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  test('--creds wins and splits at the first colon', async () => {
    const { home, opts } = await fresh();
    await put(join(home, '.docker', 'config.json'), { auths: { 'r.io': { auth: b64('file:user') } } });
    assert.deepEqual(await resolveCredentials('r.io', { ...opts, creds: 'me:pa:ss' }), {
      username: 'me',
      password: 'pa:ss',
      source: '--creds',
    });
    assert.equal((await resolveCredentials('r.io', { ...opts, creds: 'me' }))?.password, '');
    await assert.rejects(resolveCredentials('r.io', { ...opts, creds: ':pw' }), (e) =>
      isMamoriError(e, 'INVALID_ARGUMENT'),
    );
  });

  test('files are searched in order: REGISTRY_AUTH_FILE, XDG_RUNTIME_DIR, ~/.config, Docker config', async () => {
    const { home, opts } = await fresh();
    const files = {
      authFile: join(home, 'explicit.json'),
      runtime: join(home, 'run', 'containers', 'auth.json'),
      config: join(home, '.config', 'containers', 'auth.json'),
      docker: join(home, '.docker', 'config.json'),
    };
    for (const [name, path] of Object.entries(files)) {
      await put(path, { auths: { 'r.io': { auth: b64(`${name}:pw`) } } });
    }
    const env = { ...opts.env, REGISTRY_AUTH_FILE: files.authFile, XDG_RUNTIME_DIR: join(home, 'run') };
    const user = async (e: Record<string, string | undefined>) =>
      (await resolveCredentials('r.io', { ...opts, env: e }))?.username;
    assert.equal(await user(env), 'authFile');
    assert.equal(await user({ ...env, REGISTRY_AUTH_FILE: undefined }), 'runtime');
    assert.equal(await user({ ...env, REGISTRY_AUTH_FILE: undefined, XDG_RUNTIME_DIR: undefined }), 'config');
    await rm(files.config);
    assert.equal(await user({ ...env, REGISTRY_AUTH_FILE: undefined, XDG_RUNTIME_DIR: undefined }), 'docker');
    const c = await resolveCredentials('r.io', { ...opts, env: {} });
    assert.equal(c?.source, `entry "r.io" of ${files.docker}`);
    assert.equal(await resolveCredentials('other.io', opts), undefined);
  });

  test('XDG_CONFIG_HOME and DOCKER_CONFIG move the default files', async () => {
    const { home, opts } = await fresh();
    await put(join(home, 'xdg', 'containers', 'auth.json'), { auths: { 'a.io': { auth: b64('xdg:pw') } } });
    await put(join(home, 'dockercfg', 'config.json'), {
      auths: { 'b.io': { username: 'dk', password: 'pw' } },
    });
    const env = { ...opts.env, XDG_CONFIG_HOME: join(home, 'xdg'), DOCKER_CONFIG: join(home, 'dockercfg') };
    assert.equal((await resolveCredentials('a.io', { ...opts, env }))?.username, 'xdg');
    assert.deepEqual(await resolveCredentials('b.io', { ...opts, env }), {
      username: 'dk',
      password: 'pw',
      source: `entry "b.io" of ${join(home, 'dockercfg', 'config.json')}`,
    });
  });

  test('the most specific key wins: host/namespace/repo over host/namespace over host', async () => {
    const { home, opts } = await fresh();
    await put(join(home, '.config', 'containers', 'auth.json'), {
      auths: {
        'r.io': { auth: b64('host:pw') },
        'r.io/team': { auth: b64('team:pw') },
        'r.io/team/app': { auth: b64('app:pw') },
      },
    });
    const user = async (repository: string) =>
      (await resolveCredentials('r.io', { ...opts, repository }))?.username;
    assert.equal(await user('team/app'), 'app');
    assert.equal(await user('team/other'), 'team');
    assert.equal(await user('team/app/sub'), 'app');
    assert.equal(await user('elsewhere/app'), 'host');
    assert.equal((await resolveCredentials('r.io', opts))?.username, 'host');
  });

  test('URL-style keys from docker login match their host, Docker Hub included', async () => {
    const { home, opts } = await fresh();
    await put(join(home, '.docker', 'config.json'), {
      auths: {
        'https://index.docker.io/v1/': { auth: b64('hub:pw') },
        'https://my.reg:5000/v1/': { auth: b64('mine:pw') },
        'http://plain.reg': { auth: b64('plain:pw'), identitytoken: 'idt' },
      },
    });
    assert.equal(
      (await resolveCredentials('docker.io', { ...opts, repository: 'library/alpine' }))?.username,
      'hub',
    );
    assert.equal((await resolveCredentials('my.reg:5000', opts))?.username, 'mine');
    assert.deepEqual(await resolveCredentials('plain.reg', opts), {
      username: 'plain',
      password: 'pw',
      identityToken: 'idt',
      source: `entry "http://plain.reg" of ${join(home, '.docker', 'config.json')}`,
    });
    assert.equal(await resolveCredentials('my.reg', opts), undefined);
  });

  test('the legacy ~/.dockercfg is read last', async () => {
    const { home, opts } = await fresh();
    await put(join(home, '.dockercfg'), { 'https://old.reg/v1/': { auth: b64('old:pw'), email: 'x@y' } });
    assert.equal((await resolveCredentials('old.reg', opts))?.username, 'old');
  });

  test('malformed files and matching entries are clear errors; other bad entries are ignored', async () => {
    const { home, opts } = await fresh();
    const path = join(home, '.config', 'containers', 'auth.json');
    await put(path, '{not json');
    await assert.rejects(resolveCredentials('r.io', opts), (e) => {
      assert.ok(isMamoriError(e, 'INVALID_ARGUMENT'));
      assert.ok(e.message.includes(path));
      return true;
    });
    await put(path, {
      auths: { 'bad.io': { auth: '!!!' }, 'nocolon.io': { auth: b64('nocolon') }, 'r.io': 42 },
    });
    await assert.rejects(resolveCredentials('bad.io', opts), (e) => isMamoriError(e, 'INVALID_ARGUMENT'));
    await assert.rejects(resolveCredentials('nocolon.io', opts), (e) => isMamoriError(e, 'INVALID_ARGUMENT'));
    assert.equal(await resolveCredentials('r.io', opts), undefined);
    await put(path, '[]');
    await assert.rejects(resolveCredentials('r.io', opts), (e) => isMamoriError(e, 'INVALID_ARGUMENT'));
  });

  test('credHelpers run docker-credential-NAME get with the server on stdin', async () => {
    const { home, opts } = await fresh();
    await put(join(home, '.docker', 'config.json'), {
      auths: { 'helped.example:5000': { auth: b64('ignored:pw') } },
      credHelpers: {
        'helped.example:5000': 'mamoritest',
        'docker.io': 'mamoritest',
        'nothing.example': 'mamoritest',
      },
    });
    assert.deepEqual(await resolveCredentials('helped.example:5000', opts), {
      username: 'helper-user',
      password: 'helper-pass',
      source: 'docker-credential-mamoritest',
    });
    // Docker Hub's helper key is the v1 URL; "<token>" means an identity token.
    assert.deepEqual(await resolveCredentials('docker.io', opts), {
      identityToken: 'hub-refresh',
      source: 'docker-credential-mamoritest',
    });
    assert.equal(await resolveCredentials('nothing.example', opts), undefined);
    const log = await readFile(join(home, 'helper.log'), 'utf8');
    assert.deepEqual(log.trim().split('\n'), [
      'helped.example:5000',
      'https://index.docker.io/v1/',
      'nothing.example',
    ]);
  });

  test('credsStore answers for hosts without their own entry; a helper miss falls through to later files', async () => {
    const { home, opts } = await fresh();
    await put(join(home, '.config', 'containers', 'auth.json'), {
      auths: { 'nothing.example': { auth: b64('from-containers:pw') } },
    });
    await put(join(home, 'first.json'), { credsStore: 'mamoritest', auths: { 'helped.example:5000': {} } });
    const env = { ...opts.env, REGISTRY_AUTH_FILE: join(home, 'first.json') };
    assert.equal(
      (await resolveCredentials('helped.example:5000', { ...opts, env }))?.username,
      'helper-user',
    );
    assert.equal(
      (await resolveCredentials('nothing.example', { ...opts, env }))?.username,
      'from-containers',
    );
  });

  test('a missing or badly named helper is INVALID_ARGUMENT', async () => {
    const { home, opts } = await fresh();
    await put(join(home, '.docker', 'config.json'), {
      credHelpers: { 'a.io': 'does-not-exist-mamori', 'b.io': '../../bin/sh' },
    });
    await assert.rejects(resolveCredentials('a.io', opts), (e) => {
      assert.ok(isMamoriError(e, 'INVALID_ARGUMENT'));
      assert.match(e.message, /docker-credential-does-not-exist-mamori is not installed/);
      return true;
    });
    await assert.rejects(resolveCredentials('b.io', opts), (e) => isMamoriError(e, 'INVALID_ARGUMENT'));
  });
});
