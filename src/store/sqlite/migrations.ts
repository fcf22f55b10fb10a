import type { Database } from 'better-sqlite3';
import { Decimal } from '../../domain/decimal.js';
import { StorageError } from '../../domain/errors.js';
import { feesByAssetText } from './ledger-rows.js';

export interface Migration {
  /** Becomes PRAGMA user_version once applied; versions are 1, 2, 3, … in order. */
  readonly version: number;
  readonly name: string;
  readonly sql: string;
  /** Data the SQL cannot compute exactly (decimal sums), run after it in the same transaction. */
  readonly data?: (db: Database) => void;
}

/** Decimals are TEXT (canonical wire text), times ISO-8601 TEXT, JSON documents TEXT. */
const INITIAL_SCHEMA = `
CREATE TABLE positions (
  trade_id            TEXT PRIMARY KEY,
  strategy_id         TEXT NOT NULL,
  symbol              TEXT NOT NULL,
  direction           TEXT NOT NULL CHECK (direction IN ('BUY', 'SELL')),
  status              TEXT NOT NULL CHECK (status IN ('OPEN', 'CLOSED')),
  entry_price         TEXT,
  position_size       TEXT NOT NULL,
  filled_size         TEXT NOT NULL,
  remaining_size      TEXT NOT NULL,
  average_entry_price TEXT,
  stop_loss           TEXT,
  take_profit         TEXT,
  exit_price          TEXT,
  close_reason        TEXT,
  realized_pnl        TEXT NOT NULL,
  fees                TEXT NOT NULL,
  opened_at           TEXT NOT NULL,
  closed_at           TEXT,
  updated_at          TEXT NOT NULL,
  opened_by           TEXT NOT NULL,
  last_directive_id   TEXT
);
CREATE INDEX positions_by_status ON positions (status, strategy_id);
CREATE INDEX positions_by_strategy ON positions (strategy_id);

CREATE TABLE orders (
  client_order_id    TEXT PRIMARY KEY,
  venue_order_id     TEXT,
  trade_id           TEXT NOT NULL,
  directive_id       TEXT,
  purpose            TEXT NOT NULL,
  symbol             TEXT NOT NULL,
  side               TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
  order_type         TEXT NOT NULL,
  time_in_force      TEXT NOT NULL,
  quantity           TEXT NOT NULL,
  limit_price        TEXT,
  stop_price         TEXT,
  reduce_only        INTEGER NOT NULL CHECK (reduce_only IN (0, 1)),
  status             TEXT NOT NULL,
  filled_quantity    TEXT NOT NULL,
  average_fill_price TEXT,
  reject_reason      TEXT,
  created_at         TEXT NOT NULL,
  updated_at         TEXT NOT NULL
);
CREATE INDEX orders_by_trade ON orders (trade_id);
CREATE INDEX orders_by_directive ON orders (directive_id);
CREATE INDEX orders_by_status ON orders (status);
CREATE INDEX orders_by_venue_order ON orders (venue_order_id);

CREATE TABLE fills (
  fill_id         TEXT PRIMARY KEY,
  venue           TEXT NOT NULL,
  venue_trade_id  TEXT NOT NULL,
  client_order_id TEXT NOT NULL,
  trade_id        TEXT NOT NULL,
  directive_id    TEXT,
  symbol          TEXT NOT NULL,
  side            TEXT NOT NULL CHECK (side IN ('BUY', 'SELL')),
  quantity        TEXT NOT NULL,
  price           TEXT NOT NULL,
  fee             TEXT NOT NULL,
  fee_asset       TEXT NOT NULL,
  executed_at     TEXT NOT NULL,
  UNIQUE (venue, venue_trade_id)
);
CREATE INDEX fills_by_order ON fills (client_order_id);
CREATE INDEX fills_by_trade ON fills (trade_id);

CREATE TABLE anomalies (
  anomaly_id      INTEGER PRIMARY KEY AUTOINCREMENT,
  kind            TEXT NOT NULL,
  trade_id        TEXT,
  client_order_id TEXT,
  directive_id    TEXT,
  message         TEXT NOT NULL,
  details         TEXT NOT NULL,
  detected_at     TEXT NOT NULL
);

-- Before-images of the rows a directive touched, first touch only: rollbackDirective replays them.
CREATE TABLE ledger_undo (
  undo_id      INTEGER PRIMARY KEY AUTOINCREMENT,
  directive_id TEXT NOT NULL,
  kind         TEXT NOT NULL CHECK (kind IN ('position', 'order', 'fill')),
  row_key      TEXT NOT NULL,
  before_image TEXT,
  UNIQUE (directive_id, kind, row_key)
);

CREATE TABLE journal (
  seq            INTEGER PRIMARY KEY,
  entry_id       TEXT NOT NULL,
  event_type     TEXT NOT NULL,
  flow_id        TEXT NOT NULL,
  directive_id   TEXT,
  strategy_id    TEXT,
  timestamp      TEXT NOT NULL,
  correlation_id TEXT NOT NULL,
  causation_id   TEXT,
  body           TEXT NOT NULL,
  prev_hash      TEXT NOT NULL,
  hash           TEXT NOT NULL
);
CREATE INDEX journal_by_directive ON journal (directive_id);
CREATE INDEX journal_by_flow ON journal (flow_id);
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
  BEGIN SELECT RAISE(ABORT, 'journal is append-only: UPDATE refused'); END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
  BEGIN SELECT RAISE(ABORT, 'journal is append-only: DELETE refused'); END;

-- The chain's tip: a removed tail leaves the head pointing past the last entry.
CREATE TABLE journal_head (
  id   INTEGER PRIMARY KEY CHECK (id = 1),
  seq  INTEGER NOT NULL,
  hash TEXT NOT NULL
);
INSERT INTO journal_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}');
CREATE TRIGGER journal_head_no_delete BEFORE DELETE ON journal_head
  BEGIN SELECT RAISE(ABORT, 'journal head cannot be deleted'); END;
CREATE TRIGGER journal_head_forward_only BEFORE UPDATE ON journal_head WHEN NEW.seq < OLD.seq
  BEGIN SELECT RAISE(ABORT, 'journal head only moves forward'); END;

CREATE TABLE flows (
  flow_id       TEXT PRIMARY KEY,
  directive_id  TEXT,
  strategy_id   TEXT,
  status        TEXT NOT NULL CHECK (status IN ('RUNNING', 'SUCCEEDED', 'FAILED', 'IN_DOUBT')),
  final_state   TEXT CHECK (final_state IN ('SUCCESS', 'ERROR')),
  reason        TEXT,
  error_details TEXT,
  started_at    TEXT NOT NULL,
  completed_at  TEXT,
  duration_ms   INTEGER
);
CREATE INDEX flows_running ON flows (started_at) WHERE status = 'RUNNING';
CREATE INDEX flows_by_directive ON flows (directive_id);
`;

/**
 * Position.protection. Trades already in the ledger get what their orders say: an open trade that
 * holds a size and asked for a stop or a target is LIVE only when each asked for has a protective
 * order that may still rest; otherwise MISSING (the trades the REDUCE_ONLY refusals left behind).
 */
const POSITION_PROTECTION = `
ALTER TABLE positions ADD COLUMN protection TEXT NOT NULL DEFAULT 'NONE' CHECK (protection IN ('NONE', 'LIVE', 'MISSING'));
UPDATE positions SET protection = CASE
  WHEN status <> 'OPEN' OR CAST(filled_size AS REAL) = 0 OR (stop_loss IS NULL AND take_profit IS NULL) THEN 'NONE'
  WHEN (stop_loss IS NULL OR EXISTS (SELECT 1 FROM orders o WHERE o.trade_id = positions.trade_id AND o.purpose = 'STOP_LOSS'
          AND o.status IN ('PENDING', 'OPEN', 'PARTIALLY_FILLED', 'IN_DOUBT')))
   AND (take_profit IS NULL OR EXISTS (SELECT 1 FROM orders o WHERE o.trade_id = positions.trade_id AND o.purpose = 'TAKE_PROFIT'
          AND o.status IN ('PENDING', 'OPEN', 'PARTIALLY_FILLED', 'IN_DOUBT'))) THEN 'LIVE'
  ELSE 'MISSING'
END;
`;

/**
 * Position.fees_by_asset, and the venue balances planexec found when it first traded there
 * (verify compares the account with them plus the ledger's changes: docs/cli.md, verify).
 */
const FEES_BY_ASSET_AND_VENUE_BASELINE = `
ALTER TABLE positions ADD COLUMN fees_by_asset TEXT NOT NULL DEFAULT '{}';
CREATE TABLE venue_baseline (
  venue       TEXT NOT NULL,
  asset       TEXT NOT NULL,
  total       TEXT NOT NULL,
  recorded_at TEXT NOT NULL,
  PRIMARY KEY (venue, asset)
);
`;

/** Trades already in the ledger: their fills' fees summed per asset with Decimal (SQL would sum floats). */
function backfillFeesByAsset(db: Database): void {
  const fills = db.prepare<[], { trade_id: string; fee: string; fee_asset: string }>('SELECT trade_id, fee, fee_asset FROM fills ORDER BY trade_id').all();
  const byTrade = new Map<string, Record<string, Decimal>>();
  for (const fill of fills) {
    const fees = byTrade.get(fill.trade_id) ?? {};
    fees[fill.fee_asset] = (fees[fill.fee_asset] ?? new Decimal(0)).plus(new Decimal(fill.fee));
    byTrade.set(fill.trade_id, fees);
  }
  const update = db.prepare('UPDATE positions SET fees_by_asset = ? WHERE trade_id = ?');
  for (const [tradeId, fees] of byTrade) update.run(feesByAssetText(fees), tradeId);
}

/** The HTTP API lists flows newest first, filtered by time, status or strategy, a page at a time. */
const FLOW_LIST_INDEX = `
CREATE INDEX flows_by_start ON flows (started_at, flow_id);
`;

/** Append only: never edit a released migration, add the next version. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, name: 'initial schema', sql: INITIAL_SCHEMA },
  { version: 2, name: 'position protection', sql: POSITION_PROTECTION },
  { version: 3, name: 'fees per asset and venue baseline', sql: FEES_BY_ASSET_AND_VENUE_BASELINE, data: backfillFeesByAsset },
  { version: 4, name: 'flow list index (HTTP API)', sql: FLOW_LIST_INDEX },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1]?.version ?? 0;

/**
 * Apply every migration newer than PRAGMA user_version, each in its own transaction together
 * with the version bump, so a crash leaves the schema at a whole version. Idempotent.
 */
export function applyMigrations(db: Database, migrations: readonly Migration[] = MIGRATIONS): number {
  const current = Number(db.pragma('user_version', { simple: true }));
  const latest = migrations[migrations.length - 1]?.version ?? 0;
  if (current > latest) {
    throw new StorageError(
      `database schema version ${current} is newer than this planexec knows (${latest}); upgrade planexec`,
      'STORAGE_SCHEMA_TOO_NEW',
      { current, latest },
    );
  }
  let applied = 0;
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      db.exec(migration.sql);
      migration.data?.(db);
      db.pragma(`user_version = ${migration.version}`);
    }).immediate();
    applied += 1;
  }
  return applied;
}
