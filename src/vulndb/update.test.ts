import { selfSignedCert } from '../image/registry/testing.js';
import assert from 'node:assert/strict';
import { readFile, readdir, stat } from 'node:fs/promises';
import type { IncomingHttpHeaders } from 'node:http';
import { type Server, createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { openVulnDb, updateFeeds } from './index.js';
import { sharedData, tempDir, writeZip } from './testing.js';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let tls: { key: Buffer; cert: Buffer };
let zip: Buffer;
let expected: number;

/** A mirror of the OSV bucket on 127.0.0.1 (HTTPS, self-signed): ETag, Last-Modified, Range, If-Range. */
interface Mirror {
  readonly url: string;
  readonly requests: Array<{ path: string; headers: IncomingHttpHeaders }>;
  /** Bytes after which the next full or partial answer is cut off (once). */
  cutAfter?: number;
  etag: string;
  close(): Promise<void>;
}

async function mirror(): Promise<Mirror> {
  const lastModified = 'Tue, 01 Oct 2024 10:00:00 GMT';
  const state = {
    requests: [] as Mirror['requests'],
    cutAfter: undefined as number | undefined,
    etag: '"v1"',
  };
  const server: Server = createServer(tls, (req, res) => {
    state.requests.push({ path: req.url ?? '', headers: req.headers });
    if (req.url !== '/osv/Go/all.zip') {
      res.writeHead(404).end('not found');
      return;
    }
    if (req.headers['if-none-match'] === state.etag) {
      res.writeHead(304).end();
      return;
    }
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const ifRange = req.headers['if-range'];
    if (range && (ifRange === undefined || ifRange === state.etag)) start = Number(range[1]);
    const body = zip.subarray(start);
    const headers = {
      etag: state.etag,
      'last-modified': lastModified,
      'content-length': String(body.length),
    };
    if (start > 0)
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${zip.length - 1}/${zip.length}` });
    else res.writeHead(200, headers);
    const cut = state.cutAfter;
    if (cut !== undefined && cut < body.length) {
      state.cutAfter = undefined;
      res.write(body.subarray(0, cut), () => res.socket?.destroy());
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return Object.assign(state, {
    url: `https://127.0.0.1:${port}/osv`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }) as Mirror;
}

before(async () => {
  tmp = await tempDir('update');
  await selfSignedCert(join(tmp.dir, 'key.pem'), join(tmp.dir, 'cert.pem'), '127.0.0.1', ['IP:127.0.0.1']);
  tls = { key: await readFile(join(tmp.dir, 'key.pem')), cert: await readFile(join(tmp.dir, 'cert.pem')) };
  const data = sharedData();
  if (data) {
    zip = await readFile(join(data, 'osv/Go.zip'));
    expected = 4291;
  } else {
    // Without the shared feeds, the same protocol over a zip of the test records.
    const dir = fileURLToPath(new URL('testdata/osv', import.meta.url));
    const files = await Promise.all(
      (await readdir(dir)).sort().map(async (f) => [f, await readFile(join(dir, f))] as [string, Buffer]),
    );
    await writeZip(join(tmp.dir, 'Go.zip'), files);
    zip = await readFile(join(tmp.dir, 'Go.zip'));
    expected = files.length;
  }
});
after(() => tmp.cleanup());

test('update downloads a feed once, then only asks whether it changed', async () => {
  const m = await mirror();
  const db = await openVulnDb(join(tmp.dir, 'a.db'));
  try {
    const [first] = await updateFeeds(db, { mirror: m.url, ecosystems: ['Go'], ca: tls.cert });
    assert.equal(first?.status, 'updated', JSON.stringify(first));
    assert.ok(first?.status === 'updated');
    assert.equal(first.report.added, expected);
    assert.equal(first.bytes, zip.length);
    assert.equal(first.url, `${m.url}/Go/all.zip`);
    assert.equal(db.source('osv:Go')?.etag, '"v1"');
    assert.equal(db.source('osv:Go')?.location, first.url);
    assert.ok(db.advisoriesFor('Go', 'github.com/gin-gonic/gin').length > 0);
    // The downloaded zip is not kept once imported.
    assert.deepEqual(await readdir(`${db.path}-downloads`), []);

    const checkedBefore = db.source('osv:Go')?.checkedAt ?? '';
    const importedBefore = db.source('osv:Go')?.importedAt;
    await new Promise((r) => setTimeout(r, 5));
    const [second] = await updateFeeds(db, { mirror: m.url, ecosystems: ['Go'], ca: tls.cert });
    assert.equal(second?.status, 'not-modified');
    assert.equal(m.requests.at(-1)?.headers['if-none-match'], '"v1"');
    assert.equal(m.requests.at(-1)?.headers['if-modified-since'], 'Tue, 01 Oct 2024 10:00:00 GMT');
    assert.ok((db.source('osv:Go')?.checkedAt ?? '') > checkedBefore, 'a 304 still counts as checked');
    assert.equal(db.source('osv:Go')?.importedAt, importedBefore, 'nothing was imported');

    // A new version on the server is fetched again.
    m.etag = '"v2"';
    const [third] = await updateFeeds(db, { mirror: m.url, ecosystems: ['Go'], ca: tls.cert });
    assert.equal(third?.status, 'updated');
    assert.ok(third?.status === 'updated' && third.report.unchanged === expected);
  } finally {
    db.close();
    await m.close();
  }
});

test('an interrupted download resumes with Range where it stopped', async () => {
  const m = await mirror();
  const db = await openVulnDb(join(tmp.dir, 'b.db'));
  try {
    const cut = Math.floor(zip.length / 2);
    m.cutAfter = cut;
    const [failed] = await updateFeeds(db, { mirror: m.url, ecosystems: ['Go'], ca: tls.cert });
    assert.equal(failed?.status, 'failed');
    assert.ok(failed?.status === 'failed');
    assert.match(failed.error, /partial download is kept and the next run resumes it/);
    assert.equal(db.source('osv:Go'), undefined, 'nothing imported from half a file');
    const part = join(`${db.path}-downloads`, 'Go.zip.part');
    // Whatever arrived before the connection dropped is kept.
    const have = (await stat(part)).size;
    assert.ok(have > 0 && have <= cut, String(have));

    const [resumed] = await updateFeeds(db, { mirror: m.url, ecosystems: ['Go'], ca: tls.cert });
    assert.equal(resumed?.status, 'updated', JSON.stringify(resumed));
    assert.ok(resumed?.status === 'updated');
    assert.equal(resumed.resumedFrom, have);
    assert.equal(resumed.report.added, expected);
    const last = m.requests.at(-1)?.headers;
    assert.equal(last?.range, `bytes=${have}-`);
    assert.equal(last?.['if-range'], '"v1"');

    // If the file changed in between, If-Range makes the server send all of it again.
    const db2 = await openVulnDb(join(tmp.dir, 'b2.db'));
    m.cutAfter = Math.floor(zip.length / 3);
    await updateFeeds(db2, { mirror: m.url, ecosystems: ['Go'], ca: tls.cert });
    m.etag = '"v2"';
    const [restarted] = await updateFeeds(db2, { mirror: m.url, ecosystems: ['Go'], ca: tls.cert });
    assert.equal(m.requests.at(-1)?.headers['if-range'], '"v1"');
    assert.ok(restarted?.status === 'updated', JSON.stringify(restarted));
    assert.equal(restarted.resumedFrom, 0);
    assert.equal(db2.source('osv:Go')?.etag, '"v2"');
    db2.close();
  } finally {
    db.close();
    await m.close();
  }
});

test('offline, untrusted and missing feeds fail clearly and change nothing', async () => {
  const m = await mirror();
  const db = await openVulnDb(join(tmp.dir, 'c.db'));
  try {
    // A port nobody listens on: refused, as when offline. The update stops at the first feed.
    const closed = createServer(tls);
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const offline = await updateFeeds(db, {
      mirror: `https://127.0.0.1:${port}/osv`,
      ecosystems: ['Go', 'PyPI'],
    });
    assert.equal(offline.length, 1);
    assert.ok(offline[0]?.status === 'failed');
    assert.match(
      offline[0].error,
      new RegExp(`cannot reach https://127\\.0\\.0\\.1:${port}/osv/Go/all\\.zip \\(ECONNREFUSED\\)`),
    );
    assert.match(offline[0].error, /--mirror/);
    assert.match(offline[0].error, /mamori db import FILE/);

    const [untrusted] = await updateFeeds(db, { mirror: m.url, ecosystems: ['Go'] });
    assert.ok(untrusted?.status === 'failed');
    assert.match(untrusted.error, /cannot verify the TLS certificate of .*--ca-file/);

    const [missing] = await updateFeeds(db, { mirror: m.url, ecosystems: ['NoSuchEcosystem'], ca: tls.cert });
    assert.ok(missing?.status === 'failed');
    assert.match(missing.error, /no such feed \(HTTP 404\)/);

    await assert.rejects(updateFeeds(db, { mirror: 'ftp://example.org/x' }), /must be an https:\/\//);
    await assert.rejects(
      updateFeeds(db, { mirror: m.url, ecosystems: ['../etc'] }),
      /not an OSV ecosystem name/,
    );
    assert.equal(db.status().advisories, 0);
  } finally {
    db.close();
    await m.close();
  }
});
