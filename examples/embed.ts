// A strategy process with planexec embedded: no CLI, no server.
// Run it from a checkout after `npm ci` (which builds dist/): node --import tsx examples/embed.ts [DB]
import {
  createLogger,
  createPlatform,
  generateId,
  loadConfig,
  positionToWire,
  type ExecutionDirectiveWire,
  type FlowCompletionDTO,
} from 'planexec';

// No config file: every key at its default, so the venue is the paper simulator and the store an SQLite file.
const { config } = loadConfig();
const db = process.argv[2] ?? 'strategy.db';
// planexec logs JSON lines to stderr; stdout stays ours
const logger = createLogger({ level: 'warn' });

// Takes the database's writer lease and finishes whatever a crash interrupted before it returns.
const platform = await createPlatform({ config, dbPath: db, logger });
const { bus } = platform;

bus.subscribe('TRADE_EXECUTED', (trade) => {
  console.log(`TRADE_EXECUTED ${trade.scope} ${trade.directive_id}: ${trade.status} ${trade.filled_quantity} at ${trade.fill_price ?? '-'}`);
});
bus.subscribe('EXECUTION_FAILED', (failure) => {
  console.log(`EXECUTION_FAILED ${failure.directive_id}: ${failure.error_code} ${failure.error_message}`);
});

// Every accepted directive ends with exactly one stop; its flow_id is the directive_id.
const waiting = new Map<string, (stop: FlowCompletionDTO | 'DUPLICATE') => void>();
const onStop = (stop: FlowCompletionDTO): void => waiting.get(stop.flow_id)?.(stop);
bus.subscribe('_flow_stop_success', onStop);
bus.subscribe('_flow_stop_error', onStop);
// a directive_id executed before is not executed again, and gets no second stop
bus.subscribe('DIRECTIVE_DUPLICATE', (duplicate) => waiting.get(duplicate.flow_id)?.('DUPLICATE'));

/** Hand one directive to planexec the way every intake does, and wait for its stop. */
function execute(directive: ExecutionDirectiveWire): Promise<FlowCompletionDTO | 'DUPLICATE'> {
  const stopped = new Promise<FlowCompletionDTO | 'DUPLICATE'>((resolve) => waiting.set(directive.directive_id, resolve));
  bus.publish('EXECUTION_DIRECTIVE_READY', { input: directive, source: { kind: 'internal' }, received_at: Date.now() });
  return stopped.finally(() => waiting.delete(directive.directive_id));
}

try {
  const tradeId = generateId('DIR');
  const opened = await execute({
    directive_id: tradeId,
    strategy_id: 'embedded_breakout',
    scope: 'NEW_TRADE',
    timestamp: new Date().toISOString(),
    entry_plan: { symbol: 'BTC_USDT', direction: 'BUY', order_type: 'MARKET' },
    size_plan: { position_size: '0.01' },
    exit_plan: { stop_loss_price: '60000', take_profit_price: '70000' },
    routing_plan: { time_in_force: 'IOC' },
  });
  console.log(`stop ${tradeId}: ${opened === 'DUPLICATE' ? 'DUPLICATE' : `${opened.final_state} (${opened.reason})`}`);

  for (const position of await platform.store.ledger.listPositions({ status: 'OPEN', strategy_id: 'embedded_breakout' })) {
    console.log(`OPEN ${JSON.stringify(positionToWire(position))}`);
  }

  const closed = await execute({
    directive_id: generateId('DIR'),
    strategy_id: 'embedded_breakout',
    scope: 'CLOSE_EXISTING',
    timestamp: new Date().toISOString(),
    target_trade_ids: [tradeId],
    routing_plan: { time_in_force: 'IOC' },
  });
  console.log(`stop close: ${closed === 'DUPLICATE' ? 'DUPLICATE' : closed.final_state}`);

  const trade = await platform.store.ledger.getPosition(tradeId);
  console.log(`CLOSED ${trade?.trade_id} exit ${trade?.exit_price} realized_pnl ${trade?.realized_pnl} fees ${trade?.fees}`);
} finally {
  // drains the flows in flight, then releases the venue, the store and the writer lease
  await platform.close();
}
