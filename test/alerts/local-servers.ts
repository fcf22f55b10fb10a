import type { Server } from 'node:http';
import { afterEach } from 'vitest';

/**
 * Local HTTP receivers of a test file, closed (connections included) after each test. Call once
 * at the top of a file; push every server the file starts into the returned list.
 */
export function closeServersAfterEach(): Server[] {
  const servers: Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(
        (server) =>
          new Promise<void>((resolve) => {
            server.closeAllConnections();
            server.close(() => resolve());
          }),
      ),
    );
  });
  return servers;
}
