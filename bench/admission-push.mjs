// Pushes one small image into a running mamori server and signs it the way
// cosign does (simple-signing payload under the `sha256-<hex>.sig` tag,
// ECDSA P-256), for bench/admission.sh: the webhook's image rules then look
// up a tag's digest, the scan result and the signature of an image of the
// registry itself — each once, then from the cache by digest. The key (an
// ECDSA P-256 PEM made by openssl) signs the payload.
// Usage: NODE_EXTRA_CA_CERTS=cert.pem node bench/admission-push.mjs URL USER:PASS REPO TAG KEY.pem
// Prints the manifest digest.
import { createHash, createPrivateKey, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';

const [url, creds, repo, tag, keyFile] = process.argv.slice(2);
if (!url || !creds || !repo || !tag || !keyFile) {
  console.error('usage: admission-push.mjs URL USER:PASS REPO TAG KEY.pem');
  process.exit(2);
}
const auth = { authorization: `Basic ${Buffer.from(creds).toString('base64')}` };
const sha256 = (b) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

async function blob(data) {
  const d = sha256(data);
  const res = await globalThis.fetch(`${url}/v2/${repo}/blobs/uploads/?digest=${d}`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/octet-stream' },
    body: data,
  });
  if (res.status !== 201) throw new Error(`blob push: HTTP ${res.status} ${await res.text()}`);
  return { mediaType: 'application/octet-stream', digest: d, size: data.length };
}

async function manifest(reference, body) {
  const res = await globalThis.fetch(`${url}/v2/${repo}/manifests/${reference}`, {
    method: 'PUT',
    headers: { ...auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' },
    body,
  });
  if (res.status !== 201) throw new Error(`manifest push: HTTP ${res.status} ${await res.text()}`);
  return sha256(body);
}

const ociManifest = (config, layers) =>
  Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.manifest.v1+json',
      config: { ...config, mediaType: 'application/vnd.oci.image.config.v1+json' },
      layers,
    }),
  );

// The image: a config and one small layer (a tar of one file).
const header = Buffer.alloc(512);
header.write('app/hello.txt', 0);
header.write('0000644\0', 100);
header.write('0000000\0', 108);
header.write('0000000\0', 116);
header.write('00000000006\0', 124);
header.write('00000000000\0', 136);
header.write('        ', 148);
header.write('0', 156);
header.write('ustar\0', 257);
header.write('00', 263);
let sum = 0;
for (const b of header) sum += b;
header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
const body = Buffer.concat([header, Buffer.from('hello\n'), Buffer.alloc(506), Buffer.alloc(1024)]);
const layer = { ...(await blob(body)), mediaType: 'application/vnd.oci.image.layer.v1.tar' };
const config = await blob(
  Buffer.from(
    JSON.stringify({
      architecture: 'amd64',
      os: 'linux',
      config: { User: '10001', Entrypoint: ['/app/server'] },
      rootfs: { type: 'layers', diff_ids: [layer.digest] },
    }),
  ),
);
const digest = await manifest(tag, ociManifest(config, [layer]));

// The signature.
const privateKey = createPrivateKey(readFileSync(keyFile));
const payload = Buffer.from(
  JSON.stringify({
    critical: {
      identity: { 'docker-reference': `${new URL(url).host}/${repo}` },
      image: { 'docker-manifest-digest': digest },
      type: 'cosign container image signature',
    },
    optional: null,
  }),
);
const sigLayer = {
  ...(await blob(payload)),
  mediaType: 'application/vnd.dev.cosign.simplesigning.v1+json',
  annotations: {
    'dev.cosignproject.cosign/signature': sign('sha256', payload, privateKey).toString('base64'),
  },
};
const emptyConfig = await blob(
  Buffer.from(JSON.stringify({ architecture: '', os: '', rootfs: { type: 'layers', diff_ids: [] } })),
);
await manifest(`${digest.replace(':', '-')}.sig`, ociManifest(emptyConfig, [sigLayer]));
console.log(digest);
