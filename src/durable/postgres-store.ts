/**
 * `postgresStore`: a registry's history in PostgreSQL, shared by every process that opens the same
 * database and schema (SPEC §13). The same store as SQLite's above the engine (`engine-store.ts`:
 * the write queue, batches, fail-stop, reads on demand), over `postgres-engine.ts`.
 */
import { EngineHistoryStore, type HistoryStoreOptions } from './engine-store';
import { StoreOptionError } from './errors';
import { openPostgresEngine, type PostgresOptions } from './postgres-engine';

export interface PostgresStoreOptions extends HistoryStoreOptions, Pick<PostgresOptions, 'schema'> {}

/**
 * A history store in the PostgreSQL database at `url` (default: `$DATABASE_URL`), in the tables of
 * `options.schema` (default 'public'; created if missing):
 * `new EntityRegistry({ store: postgresStore('postgres://127.0.0.1/app') })`.
 */
export function postgresStore(url = process.env.DATABASE_URL, options: PostgresStoreOptions = {}): EngineHistoryStore {
  if (typeof url !== 'string' || url === '')
    throw new StoreOptionError('url', String(url), 'a PostgreSQL connection string (or $DATABASE_URL set)');
  let store: EngineHistoryStore | null = null;
  const engine = openPostgresEngine(url, {
    schema: options.schema,
    durability: options.durability,
    onBranch: (branch) => store?.branched(branch),
    onOutbox: () => store?.outboxChanged(),
  });
  store = new EngineHistoryStore('postgres', engine.path, engine, options);
  return store;
}
