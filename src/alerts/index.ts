export { CompositeAlertSink } from './composite-alert-sink.js';
export { createAlertSink } from './create-alert-sink.js';
export { LogAlertSink } from './log-alert-sink.js';
export { NoopAlertSink } from './noop-alert-sink.js';
export { WebhookAlertSink } from './webhook-alert-sink.js';
export type { WebhookAlertSinkOptions } from './webhook-alert-sink.js';
