/**
 * Other parts of the server (access control, audit log, scan jobs, …) keep
 * their tables in the same database as the registry metadata: one file to
 * back up, one PostgreSQL to point replicas at, one migration lock. A module
 * declares its tables as a kysely schema type `S` and its migrations under
 * its own name prefix (`access.0001_initial`, …); `StateStore.module`
 * migrates them and hands back reads and writes that follow the store's
 * rules (a write is one transaction on one connection, retried on
 * PostgreSQL deadlocks; driver errors become MamoriErrors; nothing runs
 * after `close`).
 */
import type { ColumnDefinitionBuilder, Kysely, RawBuilder } from 'kysely';
import type { EngineKind } from './engine.js';
import type { Migration } from './migrations.js';

/** The column types that differ between the engines, for a module's migrations. */
export interface ModuleColumns {
  readonly kind: EngineKind;
  /** Names, digests and other strings compared in binary order. */
  readonly nameType: 'text' | RawBuilder<unknown>;
  /** Type of a surrogate integer key. */
  readonly idType: 'integer' | 'bigint';
  /** Declares a surrogate integer primary key. */
  idColumn(col: ColumnDefinitionBuilder): ColumnDefinitionBuilder;
}

/** A schema change of a module. */
export interface ModuleMigration<S> {
  /** `prefix` + a sequence number and a word: `access.0001_initial`. Never edited once released. */
  readonly name: string;
  up(db: Kysely<S>, columns: ModuleColumns): Promise<void>;
}

/** A module's access to its tables. */
export interface StateModule<S> {
  readonly kind: EngineKind;
  /** Where the data lives, for messages. */
  readonly where: string;
  /** The store's clock (ms since the epoch). */
  now(): number;
  /** Reads; each statement sees one consistent snapshot. */
  read<T>(fn: (db: Kysely<S>) => Promise<T>): Promise<T>;
  /** One write transaction: all rows change or none. `fn` may run again after a PostgreSQL deadlock. */
  write<T>(fn: (db: Kysely<S>) => Promise<T>): Promise<T>;
}

export function asMigrations<S>(list: readonly ModuleMigration<S>[]): Migration<S>[] {
  return list.map((m) => ({
    name: m.name,
    up: (db, engine) =>
      m.up(db, {
        kind: engine.kind,
        nameType: engine.nameType,
        idType: engine.idType,
        idColumn: engine.idColumn,
      }),
  }));
}
