// Closed-loop HTTP load generator of bench/registry.sh, for what wrk cannot
// do: wrk's parser waits for the body a HEAD reply announces in its
// Content-Length, so every HEAD connection stalls. CONNECTIONS keep-alive
// connections each send one request after the other for SECONDS; prints one
// JSON line in the shape of bench/registry/wrk.lua's (latencies in
// microseconds; status errors are replies of 400 and above).
// Usage: node bench/registry/load.mjs METHOD URL CONNECTIONS SECONDS [HEADER: VALUE]...
import http from 'node:http';

const [method, url, connsArg, secondsArg, ...headerArgs] = process.argv.slice(2);
const conns = Number(connsArg);
const seconds = Number(secondsArg);
if (!method || !url || !(conns > 0) || !(seconds > 0)) {
  console.error('usage: load.mjs METHOD URL CONNECTIONS SECONDS [HEADER: VALUE]...');
  process.exit(2);
}
const headers = {};
for (const h of headerArgs) {
  const i = h.indexOf(':');
  if (i > 0) headers[h.slice(0, i).trim()] = h.slice(i + 1).trim();
}
const target = new URL(url);
const agent = new http.Agent({ keepAlive: true, maxSockets: conns });
const latencies = [];
const errors = { connect: 0, read: 0, write: 0, status: 0, timeout: 0 };
let bytes = 0;

function once() {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    const req = http.request(
      {
        agent,
        method,
        hostname: target.hostname,
        port: target.port,
        path: target.pathname + target.search,
        headers,
      },
      (res) => {
        res.on('data', (chunk) => (bytes += chunk.length));
        res.on('end', () => {
          latencies.push(Number(process.hrtime.bigint() - t0) / 1000);
          if (res.statusCode >= 400) errors.status++;
          resolve();
        });
        res.on('error', () => {
          errors.read++;
          resolve();
        });
      },
    );
    req.setTimeout(2000, () => {
      errors.timeout++;
      req.destroy();
    });
    req.on('error', (e) => {
      if (e.code === 'ECONNREFUSED') errors.connect++;
      else if (!req.destroyed || e.code !== 'ECONNRESET') errors.read++;
      resolve();
    });
    req.end();
  });
}

const start = process.hrtime.bigint();
const end = start + BigInt(Math.round(seconds * 1e9));
async function loop() {
  while (process.hrtime.bigint() < end) await once();
}
await Promise.all(Array.from({ length: conns }, loop));
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p) =>
  latencies.length
    ? Math.round(latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))])
    : 0;
const mean = latencies.length ? latencies.reduce((a, b) => a + b, 0) / latencies.length : 0;
console.log(
  JSON.stringify({
    requests: latencies.length,
    seconds: Number(elapsed.toFixed(3)),
    rps: Number((latencies.length / elapsed).toFixed(1)),
    bytes,
    latency_us: { mean: Number(mean.toFixed(1)), p50: pct(50), p90: pct(90), p99: pct(99), max: pct(100) },
    errors,
    tool: 'load.mjs',
  }),
);
