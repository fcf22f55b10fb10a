export * from './schema.js';
export { loadConfig, loadConfigText, readConfigFile, type LoadConfigOptions, type LoadedConfig } from './load-config.js';
export { validateConfigFile, validateConfigText, formatConfigIssue, type ConfigValidation, type ValidateConfigOptions } from './validate-config.js';
export { configJsonSchema } from './json-schema.js';
export { redactConfig, redactSecrets, REDACTED } from './redact.js';
export type { Environ } from './env-substitution.js';
