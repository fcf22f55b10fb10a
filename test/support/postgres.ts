import { randomBytes } from 'node:crypto';
import pg from 'pg';

/** Where the tests find PostgreSQL: PLANEXEC_TEST_POSTGRES_URL, else the machine's local server (trust auth, database `test`). */
export const POSTGRES_TEST_URL = process.env['PLANEXEC_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether the PostgreSQL tests run: when the server answers. With PLANEXEC_REQUIRE_SERVICES=1
 * (set by .ci/run) an unreachable server is an error, so CI never passes without them.
 */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: POSTGRES_TEST_URL, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    if (process.env['PLANEXEC_REQUIRE_SERVICES'] === '1') {
      throw new Error(`PostgreSQL is required (PLANEXEC_REQUIRE_SERVICES=1) but ${POSTGRES_TEST_URL} does not answer: ${(error as Error).message}`);
    }
    return false;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** The test server's URL with `search_path` set to `schema`: what a config's storage.url or --db gives to work in that schema. */
export function schemaUrl(schema: string): string {
  const url = new URL(POSTGRES_TEST_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return url.toString();
}

/** A fresh schema of its own and a pool that works in it; `url` opens the same schema; `drop` removes both. */
export async function scratchSchema(): Promise<{ pool: pg.Pool; schema: string; url: string; drop(): Promise<void> }> {
  const schema = `pxtest_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: POSTGRES_TEST_URL });
  await admin.connect();
  await admin.query(`CREATE SCHEMA ${schema}`);
  await admin.end();
  const pool = new pg.Pool({ connectionString: POSTGRES_TEST_URL, max: 8, options: `-c search_path=${schema}` });
  return {
    pool,
    schema,
    url: schemaUrl(schema),
    async drop() {
      await pool.end();
      const cleanup = new pg.Client({ connectionString: POSTGRES_TEST_URL });
      await cleanup.connect();
      await cleanup.query(`DROP SCHEMA ${schema} CASCADE`);
      await cleanup.end();
    },
  };
}
