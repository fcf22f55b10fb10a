import { isAlias, isMap, isScalar, isSeq, Scalar, type Document, type Node } from 'yaml';
import { substituteEnv, type Environ } from './env-substitution.js';

export type KeyPath = readonly (string | number)[];

/** Where a value (and its key, for map entries) sits in the file: source offsets. */
export interface NodeSite {
  readonly keyOffset: number | null;
  readonly valueOffset: number;
  /** How the value is written in the file (before `${…}` substitution), for scalars. */
  readonly raw: string | null;
  /** `environments.live.` for values from an overlay, '' for the base. */
  readonly prefix: string;
}

/** A YAML mapping turned into plain data, with the site of every value by key path. */
export interface YamlLayer {
  readonly value: unknown;
  readonly sites: ReadonlyMap<string, NodeSite>;
}

/** A problem found while reading (bad key, missing variable…), before schema validation. */
export interface LayerProblem {
  readonly offset: number;
  readonly keyPath: string;
  readonly rule: string;
  readonly message: string;
}

export interface ReadLayerOptions {
  readonly doc: Document;
  /** null: leave `${…}` references as they are (structure checks only). */
  readonly environ: Environ | null;
  readonly prefix: string;
  /** Paths (relative to the config root) that take a decimal: YAML numbers keep their source text. */
  readonly isDecimalPath: (path: KeyPath) => boolean;
  /** Top-level keys not to read (the `environments:` block). */
  readonly skipTopLevelKeys?: readonly string[];
  readonly secrets: Set<string>;
  readonly problems: LayerProblem[];
  /** Leave out a value whose `${NAME}` is unset, as if the key were not written (commands that only read need no secrets). */
  readonly omitUnsetVariables?: boolean;
}

/** A value left out of its layer (see omitUnsetVariables). */
const OMITTED = Symbol('omitted');

export function siteKey(path: KeyPath): string {
  return JSON.stringify(path);
}

export function joinKeyPath(path: KeyPath): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? p : `.${p}`)).join('');
}

const MAX_ALIASES = 1000;
const MAX_DEPTH = 64;
const PLAIN_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const CORE_INT = /^[-+]?[0-9]+$/;
const CORE_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;

/** A plain scalar whose text came from the environment resolves like YAML would have resolved it. */
function resolvePlain(text: string): unknown {
  if (CORE_INT.test(text) || CORE_FLOAT.test(text)) return Number(text);
  if (/^(true|True|TRUE)$/.test(text)) return true;
  if (/^(false|False|FALSE)$/.test(text)) return false;
  if (/^(null|Null|NULL|~)$/.test(text)) return null;
  return text;
}

function setOwn(target: Record<string, unknown>, key: string, value: unknown): void {
  // defineProperty: a key such as "__proto__" stays an ordinary (and then unknown) key
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

function rawText(node: Scalar): string {
  const source = node.source ?? String(node.value);
  return node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE ? JSON.stringify(source) : source;
}

class LayerReader {
  readonly #options: ReadLayerOptions;
  readonly #sites = new Map<string, NodeSite>();
  #aliases = 0;

  constructor(options: ReadLayerOptions) {
    this.#options = options;
  }

  read(node: Node | null, rootOffset: number): YamlLayer {
    const value = node === null ? null : this.#node(node, [], null, 0);
    if (node === null) this.#site([], null, rootOffset, null);
    return { value, sites: this.#sites };
  }

  #site(path: KeyPath, keyOffset: number | null, valueOffset: number, raw: string | null): void {
    this.#sites.set(siteKey(path), { keyOffset, valueOffset, raw, prefix: this.#options.prefix });
  }

  #problem(offset: number, path: KeyPath, rule: string, message: string): void {
    this.#options.problems.push({ offset, keyPath: this.#options.prefix + joinKeyPath(path), rule, message });
  }

  #node(node: Node, path: KeyPath, keyOffset: number | null, depth: number): unknown {
    const offset = node.range?.[0] ?? 0;
    if (depth > MAX_DEPTH) {
      this.#problem(offset, path, 'yaml_depth', `nesting deeper than ${MAX_DEPTH} levels`);
      return null;
    }
    if (isAlias(node)) {
      this.#aliases += 1;
      const target = this.#aliases > MAX_ALIASES ? undefined : node.resolve(this.#options.doc);
      if (target === undefined) {
        this.#problem(offset, path, 'yaml_alias', `alias *${node.source} cannot be resolved (or too many aliases)`);
        return null;
      }
      const value = this.#node(target, path, keyOffset, depth + 1);
      this.#site(path, keyOffset, offset, isScalar(target) ? rawText(target) : null);
      return value;
    }
    if (isScalar(node)) {
      this.#site(path, keyOffset, offset, rawText(node));
      return this.#scalar(node, path, offset);
    }
    this.#site(path, keyOffset, offset, null);
    if (isMap(node)) {
      const out: Record<string, unknown> = {};
      for (const pair of node.items) {
        const keyNode = pair.key as Node | null;
        const keyStart = keyNode?.range?.[0] ?? offset;
        if (keyNode !== null && !isScalar(keyNode)) {
          this.#problem(keyStart, path, 'type', 'map keys must be plain strings');
          continue;
        }
        const key = keyNode === null || keyNode.value === null ? '' : String(keyNode.value);
        if (depth === 0 && this.#options.skipTopLevelKeys?.includes(key)) continue;
        const childPath = [...path, key];
        const valueNode = pair.value as Node | null;
        if (valueNode === null) {
          this.#site(childPath, keyStart, keyNode?.range?.[1] ?? keyStart, null);
          setOwn(out, key, null);
        } else {
          const value = this.#node(valueNode, childPath, keyStart, depth + 1);
          if (value !== OMITTED) setOwn(out, key, value);
        }
      }
      return out;
    }
    if (isSeq(node)) {
      return node.items.map((item, index) => {
        const value = item === null ? null : this.#node(item as Node, [...path, index], null, depth + 1);
        return value === OMITTED ? null : value;
      });
    }
    this.#problem(offset, path, 'type', 'unsupported YAML node');
    return null;
  }

  #scalar(node: Scalar, path: KeyPath, offset: number): unknown {
    const value = node.value;
    const decimal = this.#options.isDecimalPath(path);
    if (typeof value === 'number') {
      // decimals take the number's text as written: 0.1000000000000000055 stays exact
      return decimal && node.source !== undefined && PLAIN_DECIMAL.test(node.source) ? node.source : value;
    }
    if (typeof value !== 'string' || this.#options.environ === null) return value;
    const result = substituteEnv(value, this.#options.environ);
    for (const secret of result.secrets) this.#options.secrets.add(secret);
    if (this.#options.omitUnsetVariables === true && result.problems.length > 0 && result.problems.every((p) => p.rule === 'env_var_missing')) return OMITTED;
    for (const problem of result.problems) this.#problem(offset, path, problem.rule, problem.message);
    if (!result.substituted) return result.text;
    return node.type === Scalar.PLAIN && !decimal ? resolvePlain(result.text) : result.text;
  }
}

/** Reads one mapping of the file (the base, or one environment's overlay) into data plus sites. */
export function readYamlLayer(node: Node | null, rootOffset: number, options: ReadLayerOptions): YamlLayer {
  return new LayerReader(options).read(node, rootOffset);
}
