import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const CONSUMER = join(ROOT, 'test', 'library', 'consumer.ts');

/** The project's compiler options without its `paths`, so 'planexec' resolves as a consumer's would: through package.json `exports`. */
function consumerOptions(): ts.CompilerOptions {
  const file = ts.readConfigFile(join(ROOT, 'tsconfig.json'), (path) => ts.sys.readFile(path));
  const parsed = ts.parseJsonConfigFileContent(file.config, ts.sys, ROOT);
  const { paths: _paths, ...options } = parsed.options;
  return { ...options, noEmit: true };
}

describe('the library as a consumer sees it (dist/index.d.ts, built by the test setup)', () => {
  it("resolves 'planexec' through package.json exports to the built declarations", () => {
    const resolved = ts.resolveModuleName('planexec', CONSUMER, consumerOptions(), ts.sys).resolvedModule;
    expect(resolved?.resolvedFileName).toBe(join(ROOT, 'dist', 'index.d.ts'));
    expect(existsSync(join(ROOT, 'dist', 'index.js'))).toBe(true);
  });

  it('compiles a typed consumer without errors, each of its @ts-expect-error lines still refused', () => {
    const program = ts.createProgram([CONSUMER], consumerOptions());
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.formatDiagnostic(d, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' }));
    expect(diagnostics).toEqual([]);
    // the consumer was checked against the declarations, not the sources
    expect(program.getSourceFile(join(ROOT, 'dist', 'index.d.ts'))).toBeDefined();
    expect(program.getSourceFile(join(ROOT, 'src', 'index.ts'))).toBeUndefined();
  }, 120_000);
});
