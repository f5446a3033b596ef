// Runs a registry server over a data directory for the reliability tests
// (a separate process, so the test can SIGKILL it); prints its URL.
import { startRegistryServer } from '../index.js';

const data = process.argv[2];
if (!data) throw new Error('usage: serve.ts DATA_DIR');
const server = await startRegistryServer({
  listen: '127.0.0.1:0',
  data,
  adminPassword: process.env.MAMORI_ADMIN_PASSWORD,
  scanning: { enabled: false },
});
process.stdout.write(`${server.url}\n`);
