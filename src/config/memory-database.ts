/**
 * The path that keeps a database in the process's memory instead of a file (SQLite's name for
 * it), for `storage.path` and `connector.paper.path`. Here, below the store and the connectors,
 * so both can test for it.
 */
export const MEMORY_DATABASE = ':memory:';
