// An audit log in its own process, for the crash test: records
// argv[3] events and flushes them, records argv[4] more, says "ready" on
// stdout and waits to be killed.
import { openStateStore } from '../../state/index.js';
import { openAuditLog } from '../index.js';

const [path, flushed, unflushed] = process.argv.slice(2);
if (!path) throw new Error('usage: recorder.ts DB FLUSHED UNFLUSHED');
const store = await openStateStore({ kind: 'sqlite', path });
const log = await openAuditLog(store, { flushIntervalMs: 3_600_000 });
for (let i = 0; i < Number(flushed); i++) log.record({ action: 'crash.flushed', result: 'success' });
await log.flush();
for (let i = 0; i < Number(unflushed); i++) log.record({ action: 'crash.unflushed', result: 'success' });
process.stdout.write('ready\n');
setInterval(() => undefined, 1000);
