import { describe, expect, it } from 'vitest';
import { platformPaths } from '../../src/app/platform-paths.js';
import { defaultConfig, type PlatformConfig } from '../../src/config/schema.js';

function withPaths(storage?: string, venue?: string, fallback?: string): PlatformConfig {
  const config = defaultConfig();
  return {
    ...config,
    storage: { ...config.storage, ...(storage ? { path: storage } : {}), ...(fallback ? { journal_fallback_path: fallback } : {}) },
    connector: { ...config.connector, paper: { ...config.connector.paper, ...(venue ? { path: venue } : {}) } },
  };
}

describe('platformPaths', () => {
  it('uses the configured defaults when no --db is given', () => {
    expect(platformPaths(defaultConfig())).toEqual({
      db: './planexec.db',
      store: { type: 'sqlite', path: './planexec.db' },
      venue: './planexec-venue.db',
      journalFallback: './planexec-journal-fallback.jsonl',
    });
  });

  it('puts the venue and the journal fallback beside a --db database', () => {
    expect(platformPaths(defaultConfig(), '/tmp/w/a.db')).toEqual({
      db: '/tmp/w/a.db',
      store: { type: 'sqlite', path: '/tmp/w/a.db' },
      venue: '/tmp/w/a.db.venue.db',
      journalFallback: '/tmp/w/a.db.journal-fallback.jsonl',
    });
  });

  it('keeps paths the config names explicitly', () => {
    expect(platformPaths(withPaths(undefined, '/v/venue.db', '/f/fb.jsonl'), '/tmp/a.db')).toEqual({
      db: '/tmp/a.db',
      store: { type: 'sqlite', path: '/tmp/a.db' },
      venue: '/v/venue.db',
      journalFallback: '/f/fb.jsonl',
    });
  });

  it('opens storage.url for storage.type postgres, names it without its password, and keeps the configured file names', () => {
    const config = defaultConfig();
    const postgres: PlatformConfig = { ...config, storage: { ...config.storage, type: 'postgres', url: 'postgres://px:secret@db:5432/planexec' } };
    expect(platformPaths(postgres)).toEqual({
      db: 'postgres://px:***@db:5432/planexec',
      store: { type: 'postgres', url: 'postgres://px:secret@db:5432/planexec' },
      venue: './planexec-venue.db',
      journalFallback: './planexec-journal-fallback.jsonl',
    });
  });

  it('takes a postgres:// --db as the PostgreSQL store, whatever storage.type says', () => {
    expect(platformPaths(defaultConfig(), 'postgresql://127.0.0.1/test').store).toEqual({ type: 'postgres', url: 'postgresql://127.0.0.1/test' });
  });

  it('refuses storage.type postgres without storage.url, naming the key', () => {
    const config = defaultConfig();
    expect(() => platformPaths({ ...config, storage: { ...config.storage, type: 'postgres' } })).toThrow(/storage\.url is required when storage\.type is postgres/);
  });

  it('follows a storage.path set in the config as it follows --db', () => {
    expect(platformPaths(withPaths('/data/p.db')).venue).toBe('/data/p.db.venue.db');
  });

  it('gives the default world for an explicit --db equal to the default path', () => {
    expect(platformPaths(defaultConfig(), './planexec.db').venue).toBe('./planexec-venue.db');
  });

  it('knows the default database however it is written', () => {
    expect(platformPaths(defaultConfig(), 'planexec.db').venue).toBe('./planexec-venue.db');
    expect(platformPaths(defaultConfig(), `${process.cwd()}/planexec.db`).journalFallback).toBe('./planexec-journal-fallback.jsonl');
  });

  it('keeps the venue in memory with an in-memory database', () => {
    expect(platformPaths(defaultConfig(), ':memory:').venue).toBe(':memory:');
  });
});
