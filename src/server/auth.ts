import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { PlatformConfig } from '../config/schema.js';
import { ConfigError } from '../domain/errors.js';

type ServerConfig = PlatformConfig['server'];

/** 127.0.0.0/8, ::1 and localhost: only this machine can connect. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (bare === 'localhost') return true;
  if (isIP(bare) === 4) return bare.startsWith('127.');
  if (isIP(bare) === 6) return bare === '::1' || bare === '0:0:0:0:0:0:0:1' || bare.startsWith('::ffff:127.');
  return false;
}

function issue(keyPath: string, rule: string, message: string, file: string | null): ConfigError {
  return new ConfigError([{ file: file ?? '(defaults)', line: null, column: null, keyPath, rule, message }]);
}

/**
 * The API's bearer token, read from the variable `server.auth_token_env` names; null when none is
 * configured. Refuses (ConfigError naming the key) a named variable that is unset or empty, and a
 * non-loopback host without a token. The token never appears in a message.
 */
export function resolveAuthToken(server: ServerConfig, env: NodeJS.ProcessEnv, configFile: string | null = null): string | null {
  const name = server.auth_token_env;
  let token: string | null = null;
  if (name !== undefined) {
    const value = env[name];
    if (value === undefined || value.trim() === '') {
      throw issue('server.auth_token_env', 'env_var_unset', `names the environment variable ${name}, which is unset or empty: set it to the API token, or remove server.auth_token_env`, configFile);
    }
    token = value;
  }
  if (token === null && !isLoopbackHost(server.host)) {
    throw issue(
      'server.auth_token_env',
      'required_off_loopback',
      `server.host ${server.host} is not a loopback address: the API would be open to the network. Set server.auth_token_env to the name of an environment variable holding a token, or listen on 127.0.0.1`,
      configFile,
    );
  }
  return token;
}

const digest = (text: string): Buffer => createHash('sha256').update(text, 'utf8').digest();

/** Constant-time comparison of a presented token with the expected one (hashed first: equal lengths, no length leak). */
export function tokenMatches(presented: string | null | undefined, expected: string): boolean {
  if (presented === null || presented === undefined) return false;
  return timingSafeEqual(digest(presented), digest(expected));
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return match?.[1] ?? null;
}
