// A real S3-compatible HTTP server for the S3 storage tests: s3rver (npm),
// a standalone implementation of the S3 REST API in Node that keeps objects
// in a directory. Debian 12 packages no standalone S3 server (radosgw needs a
// Ceph cluster), so this one runs in its own process, started per test.
//
// Usage: node --openssl-legacy-provider s3rver-main.mjs <dir> <bucket> [unpatched]
// (s3rver encrypts ListObjectsV2 continuation tokens with DES, which OpenSSL 3
// only offers through its legacy provider.)
//
// Prints {"port":N} once listening, then one JSON line per request received
// ({"method","url"}), so tests can assert which S3 calls were made. A GET of
// /__mark__/<n> is answered here and printed as {"mark":n}: once a test sees
// its mark, every earlier request is in the log. Exits when stdin closes.
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import S3rver from 's3rver';

const [directory, bucket, mode] = process.argv.slice(2);
const s3 = new S3rver({
  silent: true,
  directory,
  vhostBuckets: false,
  configureBuckets: bucket ? [{ name: bucket }] : [],
});
await s3.configureBuckets();

// s3rver 3.7.1 reads `Range: bytes=0-0` as `bytes=0-` (its `end || Infinity`)
// and sends the whole object where S3 sends one byte; fixed here so the
// server behaves like S3, unless `unpatched` (a test of how the driver meets
// a server that answers a range with the wrong bytes).
const getObject = s3.store.getObject.bind(s3.store);
s3.store.getObject = async (bucket, key, options) => {
  if (mode === 'unpatched' || options?.start !== 0 || options?.end !== 0) {
    return getObject(bucket, key, options);
  }
  const object = await getObject(bucket, key, { start: 0 });
  if (object?.content) {
    object.content.destroy();
    object.content = createReadStream(s3.store.getResourcePath(bucket, key, 'object'), { start: 0, end: 0 });
    object.range = { start: 0, end: 0 };
  }
  return object;
};
const handle = s3.callback();
const line = (obj) => process.stdout.write(`${JSON.stringify(obj)}\n`);

const server = createServer((req, res) => {
  const mark = /^\/__mark__\/(\d+)$/.exec(req.url ?? '');
  if (mark) {
    line({ mark: Number(mark[1]) });
    res.end();
    return;
  }
  line({ method: req.method, url: req.url });
  handle(req, res);
});
server.listen(0, '127.0.0.1', () => line({ port: server.address().port }));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
