/**
 * The access model on a throwaway PostgreSQL cluster (Debian package
 * `postgresql`): bigint times as strings, binary name collation, foreign-key
 * cascades. Skipped, saying so, where the server programs are not installed.
 */
import { after, before, describe } from 'node:test';
import { openStateStore } from '../state/index.js';
import { postgresBinDir, type PgCluster, startPostgres } from '../state/testing-postgres.js';
import { defineAccessTests } from './testing-suite.js';

const skip =
  postgresBinDir() === undefined ? 'PostgreSQL is not installed (Debian package postgresql)' : false;

describe('access on postgres', { skip }, () => {
  let cluster: PgCluster | undefined;
  before(async () => {
    cluster = await startPostgres();
  });
  after(() => cluster?.stop());

  defineAccessTests('postgres', async () => {
    if (!cluster) throw new Error('the PostgreSQL cluster did not start');
    return openStateStore({ kind: 'postgres', connectionString: await cluster.createDatabase() });
  });
});
