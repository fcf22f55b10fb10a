import { pino, type DestinationStream, type Logger } from 'pino';
import { REDACTED, redactSecrets } from '../config/redact.js';

export interface CreateLoggerOptions {
  /** pino level: trace, debug, info, warn, error, fatal or silent. */
  readonly level: string;
  /** Values substituted from the environment into the config: masked in every line written. */
  readonly secrets?: ReadonlySet<string>;
  /** A stream, or a file descriptor; default stderr (stdout is for command output). */
  readonly destination?: NodeJS.WritableStream | number;
}

/** Fields that hold credentials whatever their value, wherever a caller logs them. */
const CREDENTIAL_PATHS = [
  'api_key',
  'secret',
  'auth_token',
  'password',
  'token',
  'bot_token',
  'authorization',
  '*.api_key',
  '*.secret',
  '*.auth_token',
  '*.password',
  '*.token',
  '*.bot_token',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  // the alerts section logged whole; explicit paths, as mid-path wildcards cost on every line
  'telegram.bot_token',
  'alerts.telegram.bot_token',
  'webhook.headers.authorization',
  'alerts.webhook.headers.authorization',
];

function destinationOf(destination: CreateLoggerOptions['destination']): DestinationStream {
  // synchronous on a descriptor: the last lines before an exit are not lost
  if (destination === undefined) return pino.destination({ dest: 2, sync: true });
  if (typeof destination === 'number') return pino.destination({ dest: destination, sync: true });
  return destination as unknown as DestinationStream;
}

/**
 * planexec's logger: JSON lines with ISO timestamps and level names. Every line passes through
 * a mask of the config's secrets before it reaches the stream, whatever was logged.
 */
export function createLogger(options: CreateLoggerOptions): Logger {
  const secrets = options.secrets ?? new Set<string>();
  return pino(
    {
      level: options.level,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: CREDENTIAL_PATHS, censor: REDACTED },
      hooks: { streamWrite: (line) => redactSecrets(line, secrets) },
    },
    destinationOf(options.destination),
  );
}
