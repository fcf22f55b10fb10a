import { ApiClient } from './api/api-client.js';
import { TokenPrompt } from './auth/token-prompt.js';
import { TokenStore } from './auth/token-store.js';
import { Dashboard } from './dashboard.js';

function body(id: string): HTMLElement {
  const element = document.querySelector<HTMLElement>(`#${id} > .body`);
  if (element === null) throw new Error(`index.html lacks the panel #${id}`);
  return element;
}

// API paths are relative to the page, so the dashboard also works behind a proxy that mounts it under a prefix.
const api = new ApiClient(new URL('.', window.location.href), new TokenStore(window.sessionStorage), new TokenPrompt(document.body));
const status = document.querySelector<HTMLElement>('[data-testid="stream-status"]');
if (status === null) throw new Error('index.html lacks the stream status');

const dashboard = new Dashboard(api, {
  tradingState: body('trading-state'),
  exports: body('exports'),
  flows: body('flows'),
  rates: body('rates'),
  failures: body('failures'),
  causality: body('causality'),
  positions: body('positions'),
  orders: body('orders'),
  quality: body('quality'),
  streamStatus: status,
  dialogs: document.body,
});
void dashboard.start();
