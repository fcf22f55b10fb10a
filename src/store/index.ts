export { openSqliteStore, type SqliteStore, type SqliteStoreOptions } from './sqlite/sqlite-store.js';
export { SqliteLedger, type SqliteLedgerApplyResult } from './sqlite/sqlite-ledger.js';
export { SqliteJournal } from './sqlite/sqlite-journal.js';
export { SqliteFlowStore } from './sqlite/sqlite-flow-store.js';
export { openDatabase, MEMORY_DATABASE } from './sqlite/open-database.js';
export { bodyJson } from './body-json.js';
export { GENESIS_HASH, entryHash, JournalChainVerifier, type JournalHead, type StoredJournalRow } from './journal-chain.js';
