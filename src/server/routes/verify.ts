import { alertVerifyDifferences } from '../../app/verify-alerts.js';
import { verifyWorld } from '../../app/verify.js';
import { openStoreForReading } from '../../app/open-store.js';
import { IN_MEMORY } from '../../app/platform-paths.js';
import type { Platform } from '../../app/create-platform.js';
import type { IReadOnlyStore } from '../../ports/store.js';
import type { ApiRouter } from '../api-router.js';
import { VerifyAnswer } from '../api-schemas.js';
import type { ServerContext } from '../server-context.js';

/**
 * The store verify reads: a database file is opened again read-only, so its reads share one
 * snapshot while flows go on writing; an in-memory database (tests) is read through the
 * running store itself, without a snapshot.
 */
async function readStore(platform: Platform): Promise<IReadOnlyStore> {
  if (platform.paths.db !== IN_MEMORY) return openStoreForReading(platform.paths.store);
  const { ledger, journal, flows, baseline, readModels } = platform.store;
  return { ledger, journal, flows, baseline, readModels, snapshot: (read) => read(), close: async () => undefined };
}

export function verifyRoutes(api: ApiRouter, ctx: ServerContext): void {
  api.route(
    {
      method: 'GET',
      path: '/api/verify',
      tag: 'journal',
      summary: 'Journal → ledger → venue agreement: the same JSON as planexec verify --json',
      responses: { 200: { description: 'the verify report (ok false: each difference)', schema: VerifyAnswer } },
    },
    async () => {
      const { platform } = ctx;
      const store = await readStore(platform);
      try {
        const paper = platform.paper;
        const report = await verifyWorld({ store, connector: platform.connector, ...(paper ? { venueNetPositions: () => paper.netPositions() } : {}) });
        const venue = paper ? platform.paths.venue : `${platform.config.connector.type}:${platform.connector.venue}`;
        // repeated polls that find the same differences are deduplicated by the alert policy
        await alertVerifyDifferences(report, platform.alerts);
        return { ...report, db: platform.paths.db, venue };
      } finally {
        await store.close();
      }
    },
  );
}
