// A webhook worker in its own process, for the crash test: opens the
// database given as argv[2], starts delivering, and says so on stdout.
import { openStateStore } from '../../state/index.js';
import { openWebhooks } from '../index.js';

const path = process.argv[2];
if (!path) throw new Error('usage: worker.ts DB');
const store = await openStateStore({ kind: 'sqlite', path });
const hooks = await openWebhooks(store, { fetchTimeoutMs: 500, pollIntervalMs: 50 });
hooks.start();
process.stdout.write('started\n');
