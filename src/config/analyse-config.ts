import { isMap, isScalar, LineCounter, parseDocument, type Node, type YAMLError } from 'yaml';
import type { ConfigIssue } from '../domain/errors.js';
import { incompleteTelegram, TELEGRAM_TOKEN_AND_CHAT } from './alerts-check.js';
import { NATS_NEEDS_POSTGRES_RULE, natsWithoutPostgres, POSTGRES_URL_RULE, postgresUrlProblem } from './storage-check.js';
import { NOT_IN_THIS_BUILD, notInThisBuildMessage, resolveConfigPaths, unbuiltChoices } from './build-support.js';
import { ConfigIssueFactory } from './config-issues.js';
import { deepMerge } from './deep-merge.js';
import type { Environ } from './env-substitution.js';
import { ENVIRONMENT_NAMES, PlatformConfigSchema, type EnvironmentName, type PlatformConfig } from './schema.js';
import { isDecimalPath } from './schema-walk.js';
import { readYamlLayer, siteKey, type KeyPath, type LayerProblem, type YamlLayer } from './yaml-layer.js';

export interface AnalyseOptions {
  /** The environment whose overlay is merged over the base; null: the base alone. */
  readonly environment: string | null;
  readonly environ: Environ;
  /**
   * 'error' (default): an unset `${NAME}` is an error. 'note': it is reported in `notes` and its
   * key is not validated — the file may be right for an environment where the variable is set.
   * 'omit': the key is read as if it were not written (its default applies): for commands that
   * only read the database, which need no secrets.
   */
  readonly missingVariables?: 'error' | 'note' | 'omit';
  /**
   * The folder relative paths written in the file resolve against (the file's own folder when it
   * was read from disk); undefined: they are kept as written.
   */
  readonly relativeTo?: string;
}

export interface ConfigAnalysis {
  /** The validated config, or null when there is at least one issue. */
  readonly config: PlatformConfig | null;
  readonly issues: readonly ConfigIssue[];
  /** Unset variables when `missingVariables` is 'note'. */
  readonly notes: readonly ConfigIssue[];
  /** Values substituted from the environment: never printed or logged. */
  readonly secrets: ReadonlySet<string>;
  /** The environments the file defines. */
  readonly environments: readonly EnvironmentName[];
}

interface Overlay {
  readonly name: EnvironmentName;
  readonly node: Node | null;
  readonly offset: number;
}

const ENVIRONMENTS_KEY = 'environments';

function isEnvironmentName(name: string): name is EnvironmentName {
  return (ENVIRONMENT_NAMES as readonly string[]).includes(name);
}

function cachedDecimalPaths(): (path: KeyPath) => boolean {
  const cache = new Map<string, boolean>();
  return (path) => {
    const key = siteKey(path);
    let hit = cache.get(key);
    if (hit === undefined) {
      hit = isDecimalPath(path);
      cache.set(key, hit);
    }
    return hit;
  };
}

function yamlIssue(file: string, error: YAMLError): ConfigIssue {
  const position = error.linePos?.[0];
  const message = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
  return {
    file,
    line: position?.line ?? null,
    column: position?.col ?? null,
    keyPath: '',
    rule: error.code === 'DUPLICATE_KEY' ? 'duplicate_key' : 'yaml_syntax',
    message: message.charAt(0).toLowerCase() + message.slice(1),
  };
}

function isNullNode(node: Node | null | undefined): boolean {
  return node === null || node === undefined || (isScalar(node) && node.value === null);
}

function dedupeAndSort(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  const unique = issues.filter((i) => {
    const key = JSON.stringify([i.line, i.column, i.keyPath, i.rule, i.message]);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return unique.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0));
}

/**
 * Reads platform.yaml text: YAML syntax, `environments:` overlays, `${ENV}` substitution and
 * schema validation, collecting every issue (with file, line, column, key path and rule).
 */
export function analyseConfigText(text: string, file: string, options: AnalyseOptions): ConfigAnalysis {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const secrets = new Set<string>();
  const notes: ConfigIssue[] = [];
  const fail = (issues: readonly ConfigIssue[], environments: readonly EnvironmentName[] = []): ConfigAnalysis => ({
    config: null,
    issues: dedupeAndSort(issues),
    notes,
    secrets,
    environments,
  });
  if (doc.errors.length > 0) return fail(doc.errors.map((e) => yamlIssue(file, e)));

  const bare = new ConfigIssueFactory({ file, lineCounter, layers: [], data: undefined, secrets });
  const root = doc.contents as Node | null;
  if (!isNullNode(root) && !isMap(root)) {
    return fail([bare.at(root?.range?.[0] ?? 0, '', 'type', 'the file must be a mapping of sections (orchestration:, connector:, …)')]);
  }

  const issues: ConfigIssue[] = [];
  const overlays: Overlay[] = [];
  let environmentsOffset: number | null = null;
  if (isMap(root)) {
    const pair = root.items.find((p) => isScalar(p.key) && p.key.value === ENVIRONMENTS_KEY);
    const node = (pair?.value ?? null) as Node | null;
    environmentsOffset = (pair?.key as Node | undefined)?.range?.[0] ?? null;
    if (!isNullNode(node) && !isMap(node)) {
      issues.push(bare.at(node?.range?.[0] ?? 0, ENVIRONMENTS_KEY, 'type', 'must be a mapping of environment names to overrides'));
    } else if (isMap(node)) {
      for (const entry of node.items) {
        const keyNode = entry.key as Node | null;
        const name = isScalar(keyNode) ? String(keyNode.value) : '';
        const offset = keyNode?.range?.[0] ?? 0;
        if (!isEnvironmentName(name)) {
          const message = `unknown environment "${name}" (environments are ${ENVIRONMENT_NAMES.join(', ')})`;
          issues.push(bare.at(offset, `${ENVIRONMENTS_KEY}.${name}`, 'unknown_key', message));
        } else {
          overlays.push({ name, node: (entry.value ?? null) as Node | null, offset });
        }
      }
    }
  }
  const defined = overlays.map((o) => o.name);

  const selected = options.environment === null ? undefined : overlays.find((o) => o.name === options.environment);
  if (options.environment !== null && selected === undefined) {
    const known = defined.length === 0 ? 'the file defines none' : `defined: ${defined.join(', ')}`;
    issues.push(
      bare.at(environmentsOffset, ENVIRONMENTS_KEY, 'unknown_environment', `environment "${options.environment}" is not defined (${known})`),
    );
    return fail(issues, defined);
  }

  const problems: LayerProblem[] = [];
  const decimalPaths = cachedDecimalPaths();
  const layerOptions = { doc, isDecimalPath: decimalPaths, secrets, problems, omitUnsetVariables: options.missingVariables === 'omit' };
  const base = readYamlLayer(isMap(root) ? root : null, 0, {
    ...layerOptions,
    environ: options.environ,
    prefix: '',
    skipTopLevelKeys: [ENVIRONMENTS_KEY],
  });
  const layers: YamlLayer[] = [base];
  let merged: unknown = base.value ?? {};
  if (selected !== undefined) {
    const overlay = readOverlay(selected, { ...layerOptions, environ: options.environ });
    if (overlay.problem !== undefined) issues.push(bare.at(selected.offset, `${ENVIRONMENTS_KEY}.${selected.name}`, 'type', overlay.problem));
    layers.unshift(overlay.layer);
    merged = deepMerge(merged, overlay.layer.value ?? {});
  }

  const factory = new ConfigIssueFactory({
    file,
    lineCounter,
    layers,
    data: merged,
    secrets,
    extraTopLevelKeys: [ENVIRONMENTS_KEY],
  });
  for (const problem of problems) {
    const noteOnly = problem.rule === 'env_var_missing' && options.missingVariables === 'note';
    (noteOnly ? notes : issues).push(factory.fromLayerProblem(problem));
  }
  const parsed = PlatformConfigSchema.safeParse(merged);
  if (!parsed.success) {
    // a value whose `${…}` could not be substituted is already reported once
    const reported = new Set(problems.map((p) => p.keyPath));
    issues.push(...factory.fromZodIssues(parsed.error.issues).filter((i) => !reported.has(i.keyPath)));
  }
  // the schema accepts planned choices; every command refuses them here, located, before anything opens
  const refused = new Set(parsed.success ? [] : parsed.error.issues.map((i) => i.path.join('.')));
  for (const choice of unbuiltChoices(merged)) {
    if (!refused.has(choice.path.join('.'))) issues.push(factory.atValue(choice.path, NOT_IN_THIS_BUILD, notInThisBuildMessage(choice.path, choice.value)));
  }
  if (parsed.success && options.missingVariables !== 'omit') {
    const telegram = incompleteTelegram(parsed.data.alerts);
    if (telegram !== null) issues.push(factory.atValue(telegram.present, TELEGRAM_TOKEN_AND_CHAT, telegram.message));
    const postgres = postgresUrlProblem(parsed.data.storage);
    // an unset ${VAR} in the URL is already reported once
    if (postgres !== null && !problems.some((p) => p.keyPath === postgres.path.join('.'))) issues.push(factory.atValue(postgres.path, POSTGRES_URL_RULE, postgres.message));
    const nats = natsWithoutPostgres(parsed.data);
    if (nats !== null) issues.push(factory.atValue(nats.path, NATS_NEEDS_POSTGRES_RULE, nats.message));
  }
  for (const other of overlays) {
    if (other !== selected) issues.push(...unknownKeysInOverlay(other, base, { file, lineCounter, doc, decimalPaths }));
  }

  if (issues.length > 0 || notes.length > 0 || !parsed.success) return fail(issues, defined);
  const config = options.relativeTo === undefined ? parsed.data : resolveConfigPaths(parsed.data, merged, options.relativeTo);
  return { config, issues: [], notes, secrets, environments: defined };
}

interface OverlayRead {
  readonly layer: YamlLayer;
  readonly problem?: string;
}

function readOverlay(
  overlay: Overlay,
  options: Omit<Parameters<typeof readYamlLayer>[2], 'prefix' | 'skipTopLevelKeys'>,
): OverlayRead {
  const prefix = `${ENVIRONMENTS_KEY}.${overlay.name}.`;
  if (isNullNode(overlay.node)) return { layer: { value: {}, sites: new Map() } };
  if (!isMap(overlay.node)) {
    return { layer: { value: {}, sites: new Map() }, problem: 'an environment overlay must be a mapping of sections' };
  }
  return { layer: readYamlLayer(overlay.node, overlay.offset, { ...options, prefix }) };
}

/**
 * An overlay that is not selected is still checked for keys the schema does not know, without
 * substituting its `${…}` references (its variables need not be set for another environment).
 */
function unknownKeysInOverlay(
  overlay: Overlay,
  base: YamlLayer,
  context: { file: string; lineCounter: LineCounter; doc: Parameters<typeof readYamlLayer>[2]['doc']; decimalPaths: (p: KeyPath) => boolean },
): ConfigIssue[] {
  const problems: LayerProblem[] = [];
  const read = readOverlay(overlay, {
    doc: context.doc,
    environ: null,
    isDecimalPath: context.decimalPaths,
    secrets: new Set(),
    problems,
  });
  const merged = deepMerge(base.value ?? {}, read.layer.value);
  const parsed = PlatformConfigSchema.safeParse(merged);
  if (parsed.success) return [];
  const factory = new ConfigIssueFactory({
    file: context.file,
    lineCounter: context.lineCounter,
    layers: [read.layer, base],
    data: merged,
    secrets: new Set(),
    extraTopLevelKeys: [ENVIRONMENTS_KEY],
  });
  const prefix = `${ENVIRONMENTS_KEY}.${overlay.name}.`;
  return factory
    .fromZodIssues(parsed.error.issues)
    .filter((i) => i.keyPath.startsWith(prefix) && (i.rule === 'unknown_key' || i.rule === 'invalid_key'));
}
