/**
 * Support for the sensor's end-to-end tests and bench/sensor.sh: the load
 * generator (testdata/loadgen.c, built with gcc into a temp dir), throwaway
 * cgroup v2 directories, processes started inside them, and the accounting
 * check "every produced event was delivered or counted as dropped".
 */
export { buildLoadTools, makeCgroup, runInCgroup, startListener } from './load.js';
export type { LoadResult, LoadTools, Listener, TestCgroup } from './load.js';
export { checkAccounting } from './accounting.js';
export type { Accounting, AccountingInput } from './accounting.js';
