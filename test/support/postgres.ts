/**
 * The PostgreSQL server of the tests and benchmarks that need one: its URL, and dropping the
 * schemas (stores) they made, with their JetStream streams when they had events relayed.
 */
import * as os from 'node:os';
import { Client } from 'pg';

/**
 * `$DATABASE_URL` (default the local server's `test` database) with a user: the OS user's when it
 * names none, as the store takes it (a `pg` client of its own would not).
 */
export function databaseUrl(): string {
  const u = new URL(process.env.DATABASE_URL ?? 'postgres://127.0.0.1:5432/test');
  if (u.username === '') u.username = process.env.PGUSER ?? os.userInfo().username;
  return u.toString();
}

/**
 * Drops `schemas` (each a store) and, with `streams`, each store's JetStream stream at
 * `$NATS_URL` (`natsEvents`), so nothing is left on the shared servers.
 */
export async function dropSchemas(schemas: readonly string[], options: { streams?: boolean } = {}): Promise<void> {
  const client = new Client({ connectionString: databaseUrl() });
  await client.connect();
  try {
    for (const schema of schemas) {
      if (options.streams === true) await dropStream(client, schema);
      await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    }
  } finally {
    await client.end();
  }
}

async function dropStream(client: Client, schema: string): Promise<void> {
  const { rows } = await client
    .query<{ value: string }>(`SELECT value FROM ${schema}.store_meta WHERE key = 'store_id'`)
    .catch(() => ({ rows: [] as { value: string }[] }));
  if (rows.length === 0) return;
  const { connect } = await import('@nats-io/transport-node');
  const { jetstreamManager } = await import('@nats-io/jetstream');
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
  try {
    const jsm = await jetstreamManager(nc);
    await jsm.streams.delete(`ABS_EV_${rows[0].value.replace(/-/g, '_')}`).catch(() => undefined);
  } finally {
    await nc.close();
  }
}
