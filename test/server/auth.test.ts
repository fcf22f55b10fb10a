import { describe, expect, it } from 'vitest';
import { defaultConfig } from '../../src/config/schema.js';
import { bearerToken, isLoopbackHost, resolveAuthToken, tokenMatches } from '../../src/server/auth.js';
import { configError } from '../support/config-error.js';

const server = (over: Partial<ReturnType<typeof defaultConfig>['server']>) => ({ ...defaultConfig().server, ...over });


describe('the API token', () => {
  it('is read from the environment variable server.auth_token_env names', () => {
    expect(resolveAuthToken(server({ auth_token_env: 'PLANEXEC_TOKEN' }), { PLANEXEC_TOKEN: 's3cret' })).toBe('s3cret');
    expect(resolveAuthToken(server({}), {})).toBeNull();
  });

  it('refuses to start on a non-loopback host without a token, naming the key', () => {
    const error = configError(() => resolveAuthToken(server({ host: '0.0.0.0' }), {}, 'platform.yaml'));
    expect(error.issues[0]).toMatchObject({ file: 'platform.yaml', keyPath: 'server.auth_token_env', rule: 'required_off_loopback' });
    expect(resolveAuthToken(server({ host: '0.0.0.0', auth_token_env: 'T' }), { T: 'x' })).toBe('x');
  });

  it('refuses a named variable that is unset, without ever showing a token', () => {
    const error = configError(() => resolveAuthToken(server({ auth_token_env: 'MISSING_TOKEN' }), { OTHER: 'leak-me' }));
    expect(error.issues[0]).toMatchObject({ keyPath: 'server.auth_token_env', rule: 'env_var_unset' });
    expect(error.message).toContain('MISSING_TOKEN');
    expect(error.message).not.toContain('leak-me');
  });

  it('knows loopback hosts', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) expect(isLoopbackHost(host), host).toBe(true);
    for (const host of ['0.0.0.0', '::', '10.0.0.1', 'example.com']) expect(isLoopbackHost(host), host).toBe(false);
  });

  it('compares a presented bearer token with the expected one', () => {
    expect(bearerToken('Bearer abc.def')).toBe('abc.def');
    expect(bearerToken('Basic abc')).toBeNull();
    expect(bearerToken(undefined)).toBeNull();
    expect(tokenMatches('abc', 'abc')).toBe(true);
    expect(tokenMatches('abd', 'abc')).toBe(false);
    expect(tokenMatches('abcd', 'abc')).toBe(false);
    expect(tokenMatches(null, 'abc')).toBe(false);
  });
});
