import type { PlatformConfig } from './schema.js';

export const POSTGRES_URL_RULE = 'postgres_url';
export const NATS_NEEDS_POSTGRES_RULE = 'nats_needs_postgres';

const POSTGRES_URL = /^postgres(ql)?:\/\/\S+$/i;

/** Whether `text` is a PostgreSQL connection URL (`postgres://…` or `postgresql://…`). */
export function isPostgresUrl(text: string): boolean {
  return POSTGRES_URL.test(text);
}

/**
 * `storage.type: postgres` needs `storage.url`, a PostgreSQL URL (usually `${PLANEXEC_PG_URL}`, so
 * the password stays out of the file). Not a schema rule: a reading command leaves an unset
 * `${VAR}` out and must still load the file to say which variable is missing.
 */
export function postgresUrlProblem(storage: PlatformConfig['storage']): { path: readonly string[]; message: string } | null {
  if (storage.type !== 'postgres') return null;
  if (storage.url === undefined) return { path: ['storage', 'type'], message: 'storage.url is required when storage.type is postgres (e.g. url: ${PLANEXEC_PG_URL})' };
  if (!isPostgresUrl(storage.url)) return { path: ['storage', 'url'], message: 'must be a PostgreSQL URL: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE' };
  return null;
}

/** A PostgreSQL URL without its password, for messages and logs. */
export function redactedUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password !== '') parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(an unparsable PostgreSQL URL)';
  }
}

/**
 * `bus.type: nats` makes `planexec serve` one worker of several: they share their flows and the
 * stream's partitions through PostgreSQL, so the embedded store cannot go with it.
 */
export function natsWithoutPostgres(config: Pick<PlatformConfig, 'bus' | 'storage'>): { path: readonly string[]; message: string } | null {
  if (config.bus.type !== 'nats' || config.storage.type === 'postgres') return null;
  return { path: ['bus', 'type'], message: 'bus.type nats needs storage.type postgres: the workers share their flows and the stream\'s partitions through it' };
}
