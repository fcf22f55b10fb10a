import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientOrderId } from '../../src/domain/ids.js';
import { startLoopbackVenue, type LoopbackVenue } from '../support/loopback-venue/index.js';
import { closeWire, newTradeWire } from '../support/directives.js';
import { explain, lastJsonLine, planexec } from './run-cli.js';

type OrderJson = { client_order_id: string; trade_id: string; purpose: string; status: string; side: string; filled_quantity: string };
type PositionJson = { trade_id: string; status: string; symbol: string; direction: string };

let dir: string;
let venue: LoopbackVenue;
let config: string;
const env = { KEY: 'loopback-key', SECRET: 'loopback-secret' };

// the account already holds some BTC: the BUY's fee is paid in BTC, so the CLOSE sells from both
const open = newTradeWire({ strategy_id: 'btc_live', size_plan: { position_size: '0.015' } });
const close = closeWire([open.directive_id], { strategy_id: 'btc_live' });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'planexec-ccxt-e2e-'));
  venue = await startLoopbackVenue({ balances: { USDT: '100000', BTC: '0.01' }, apiKeys: [env.KEY] });
  config = join(dir, 'platform.yaml');
  writeFileSync(
    config,
    [
      'connector:',
      '  type: ccxt',
      '  ccxt:',
      '    exchange: binance',
      '    api_key: ${KEY}',
      '    api_secret: ${SECRET}',
      `    api_base_url: ${venue.url}`,
      '    sandbox: false',
      '    rate_limit: false',
      '    poll_interval_ms: 200',
      '',
    ].join('\n'),
  );
}, 30_000);

afterAll(async () => {
  await venue.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('planexec run against an exchange through ccxt (the loopback venue as binance)', () => {
  const db = () => join(dir, 'live.db');

  it('opens and closes a trade at the venue; orders and positions show it', async () => {
    const directives = join(dir, 'session.jsonl');
    writeFileSync(directives, `${[open, close].map((d) => JSON.stringify(d)).join('\n')}\n`);
    const run = await planexec(['run', '--config', config, '--db', db(), '--directives', directives, '--json', '--no-progress'], { env });
    expect(run.code, explain(run)).toBe(0);
    expect(lastJsonLine<{ succeeded: number }>(run.stdout).succeeded, explain(run)).toBe(2);

    const sent = await venue.client.requests('POST /api/v3/order');
    expect(sent.map((r) => [r.params.side, r.params.type, r.params.quantity, r.params.newClientOrderId])).toEqual([
      // max_slippage_pct 0.002 is hard and ccxt cannot cap a market fill: a LIMIT IOC at the decision price + 0.2 %
      ['BUY', 'LIMIT', '0.015', clientOrderId(open.directive_id, 'E')],
      // the venue took its 0.1 % commission in BTC: 0.014985 held, the close sells the whole lots of it
      ['SELL', 'MARKET', '0.01498', expect.stringMatching(/^PX[0-9a-f]{16}-/)],
    ]);
    expect(sent.every((r) => r.status === 200)).toBe(true);
    expect([sent[0]?.params.timeInForce, Number(sent[0]?.params.price)]).toEqual(['IOC', 65130]);

    const orders = await planexec(['orders', '--db', db(), '--json']);
    expect(orders.code, explain(orders)).toBe(0);
    const rows = JSON.parse(orders.stdout) as OrderJson[];
    expect(rows.map((o) => [o.purpose, o.side, o.status, o.filled_quantity]).sort()).toEqual([
      ['CLOSE', 'SELL', 'FILLED', '0.01498'],
      ['ENTRY', 'BUY', 'FILLED', '0.015'],
      // a spot venue rests no stops: planexec held them (no venue request above) and the close cancelled them
      ['STOP_LOSS', 'SELL', 'CANCELLED', '0'],
      ['TAKE_PROFIT', 'SELL', 'CANCELLED', '0'],
    ]);

    const positions = await planexec(['positions', '--db', db(), '--json']);
    expect(positions.code, explain(positions)).toBe(0);
    expect(JSON.parse(positions.stdout) as PositionJson[]).toEqual([expect.objectContaining({ trade_id: open.directive_id, status: 'CLOSED', symbol: 'BTC_USDT', direction: 'BUY' })]);
    // the dust the closed trade keeps is in the account, beside the 0.01 BTC it started with
    expect((await venue.client.balance('BTC')).free).toMatch(/^0\.0100050*$/);
  }, 60_000);

  it('orders and positions read the database with the same config and no keys in the environment', async () => {
    for (const args of [['orders'], ['positions']]) {
      const read = await planexec([...args, '--config', config, '--db', db(), '--json'], { env: { KEY: undefined, SECRET: undefined } });
      expect(read.code, `${args.join(' ')}: ${explain(read)}`).toBe(0);
      expect((JSON.parse(read.stdout) as unknown[]).length).toBeGreaterThan(0);
    }
  }, 30_000);

  it('run without the keys in the environment stops at start-up naming the variable', async () => {
    const directives = join(dir, 'none.jsonl');
    writeFileSync(directives, '');
    const run = await planexec(['run', '--config', config, '--db', join(dir, 'nokeys.db'), '--directives', directives], { env: { KEY: '', SECRET: '' } });
    expect(run.code, explain(run)).toBe(2);
    expect(run.stderr).toMatch(/connector\.ccxt\.api_key/);
  }, 30_000);
});
