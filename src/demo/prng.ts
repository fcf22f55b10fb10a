// the seeded source lives in domain so market data (synthetic bars) can use it too
export { mulberry32, type Random } from '../domain/prng.js';
