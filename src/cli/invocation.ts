import { basename, isAbsolute, relative } from 'node:path';

/**
 * How the user can call planexec again from here, for hints they can paste: `planexec` when it
 * runs as the installed bin, else `node <path to main.js>` (relative to the working directory).
 */
export function invocation(script: string | undefined = process.argv[1], cwd: string = process.cwd()): string {
  if (script === undefined || basename(script) === 'planexec') return 'planexec';
  const path = relative(cwd, script);
  const shown = path === '' || path.startsWith('..') || isAbsolute(path) ? script : path;
  return `node ${shown.includes(' ') ? JSON.stringify(shown) : shown}`;
}
