import { describe, expect, it } from 'vitest';
import { loadConfigText } from '../../src/config/load-config.js';
import { ConfigError } from '../../src/domain/errors.js';

function issuesOf(text: string, environ: Record<string, string> = {}) {
  try {
    loadConfigText(text, 'p.yaml', { environ });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((i) => `${i.line}:${i.column} ${i.keyPath} [${i.rule}] ${i.message}`);
    throw error;
  }
  return [];
}

describe('storage.type postgres', () => {
  it('loads with a PostgreSQL URL from the environment', () => {
    expect(issuesOf('storage:\n  type: postgres\n  url: ${PLANEXEC_PG_URL}\n', { PLANEXEC_PG_URL: 'postgres://px@db:5432/planexec' })).toEqual([]);
  });

  it('refuses it without storage.url, at storage.type', () => {
    expect(issuesOf('storage:\n  type: postgres\n')).toEqual(['2:9 storage.type [postgres_url] storage.url is required when storage.type is postgres (e.g. url: ${PLANEXEC_PG_URL})']);
  });

  it('refuses a URL that is not PostgreSQL\'s, at storage.url', () => {
    expect(issuesOf('storage:\n  type: postgres\n  url: mysql://db/planexec\n')).toEqual([
      '3:8 storage.url [postgres_url] must be a PostgreSQL URL: postgres://USER[:PASSWORD]@HOST[:PORT]/DATABASE',
    ]);
  });

  it('names the unset variable of the URL', () => {
    expect(issuesOf('storage:\n  type: postgres\n  url: ${PLANEXEC_PG_URL}\n')).toEqual([expect.stringContaining('storage.url [env_var_missing] environment variable PLANEXEC_PG_URL is not set')]);
  });

  it('refuses bus.type nats on the embedded store, at bus.type', () => {
    expect(issuesOf('bus:\n  type: nats\n')).toEqual([
      "2:9 bus.type [nats_needs_postgres] bus.type nats needs storage.type postgres: the workers share their flows and the stream's partitions through it",
    ]);
  });
});
