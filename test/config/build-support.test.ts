import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILT_CHOICES, CONFIG_PATH_KEYS, resolveConfigPaths } from '../../src/config/build-support.js';
import { configJsonSchema, walkJsonSchemaProperties } from '../../src/config/json-schema.js';
import { loadConfig, loadConfigText } from '../../src/config/load-config.js';
import { defaultConfig } from '../../src/config/schema.js';
import { ConfigError } from '../../src/domain/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'planexec-build-support-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function issuesOfLoading(text: string, env?: string) {
  try {
    loadConfigText(text, 'p.yaml', { environ: {}, ...(env === undefined ? {} : { env }) });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  return [];
}

describe('choices this build has', () => {
  it('accepts every choice this build has', () => {
    for (const choice of BUILT_CHOICES) {
      // ccxt needs an exchange and its keys: its own tests load it
      for (const value of choice.built.filter((v) => v !== 'ccxt')) {
        const key = `${choice.path.join('.')}: ${value}`;
        const postgres = 'storage:\n  type: postgres\n  url: postgres://127.0.0.1/planexec\n';
        const text = value === 'postgres' ? postgres : value === 'nats' ? `bus:\n  type: nats\n${postgres}` : `${choice.path[0]}:\n  type: ${value}\n`;
        expect(issuesOfLoading(text), key).toEqual([]);
      }
    }
  });

  it('an unknown value is the schema’s enum issue only, not also a planned one', () => {
    expect(issuesOfLoading('connector:\n  type: kraken\n').map((i) => i.rule)).toEqual(['enum']);
  });
});

describe('relative paths in a config file', () => {
  it('lists every key of the schema that names a file', () => {
    const pathKeys: string[] = [];
    walkJsonSchemaProperties(configJsonSchema(), (path, node) => {
      if (!path.startsWith('environments.') && node.properties === undefined && /(^|[._])path$/.test(path)) pathKeys.push(path);
    });
    expect(pathKeys.sort()).toEqual(CONFIG_PATH_KEYS.map((k) => k.join('.')).sort());
  });

  it('resolve against the file’s folder; absolute paths, :memory: and keys the file does not write are kept', () => {
    const conf = join(dir, 'conf');
    mkdirSync(conf, { recursive: true });
    const file = join(conf, 'platform.yaml');
    writeFileSync(file, 'storage:\n  path: state/a.db\n  journal_fallback_path: /abs/fb.jsonl\nconnector:\n  paper:\n    path: ":memory:"\n');
    const { config } = loadConfig({ file, environ: {} });
    expect(config.storage.path).toBe(join(conf, 'state', 'a.db'));
    expect(config.storage.journal_fallback_path).toBe('/abs/fb.jsonl');
    expect(config.connector.paper.path).toBe(':memory:');

    writeFileSync(file, 'environments:\n  paper:\n    connector:\n      paper:\n        path: ../venues/v.db\n');
    const paper = loadConfig({ file, env: 'paper', environ: {} }).config;
    expect(paper.connector.paper.path).toBe(join(dir, 'venues', 'v.db'));
    expect(paper.storage.path).toBe(defaultConfig().storage.path);
  });

  it('leave the config they were given as it was', () => {
    const config = defaultConfig();
    expect(resolveConfigPaths(config, {}, '/base')).toEqual(config);
    const resolved = resolveConfigPaths(config, { storage: { path: './planexec.db' } }, '/base');
    expect(resolved.storage.path).toBe('/base/planexec.db');
    expect(config.storage.path).toBe('./planexec.db');
    const written = resolveConfigPaths({ ...config, storage: { ...config.storage, path: 'x.db' } }, { storage: { path: 'x.db' } }, '/base');
    expect(written.storage.path).toBe('/base/x.db');
    expect(written.connector).toBe(config.connector);
  });
});
