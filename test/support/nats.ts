import { randomBytes } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';

/** Where the tests find NATS with JetStream: PLANEXEC_TEST_NATS_URL, else the machine's local server. */
export const NATS_TEST_URL = process.env['PLANEXEC_TEST_NATS_URL'] ?? 'nats://127.0.0.1:4222';

/**
 * Whether the NATS tests run: when the server answers with JetStream enabled. With
 * PLANEXEC_REQUIRE_SERVICES=1 (set by .ci/run) an unreachable server is an error, so CI never
 * passes without them.
 */
export async function natsReachable(url: string = NATS_TEST_URL): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: 2_000, maxReconnectAttempts: 0 });
    try {
      await (await jetstreamManager(nc, { timeout: 2_000 })).getAccountInfo();
      return true;
    } finally {
      await nc.close();
    }
  } catch (error) {
    if (process.env['PLANEXEC_REQUIRE_SERVICES'] === '1') {
      throw new Error(`NATS with JetStream is required (PLANEXEC_REQUIRE_SERVICES=1) but ${url} does not answer: ${(error as Error).message}`);
    }
    return false;
  }
}

/**
 * A stream name of its own (its subjects, `pxtest_….>`, are its own too); `drop` deletes the
 * directive stream and its events stream, whichever exist.
 */
export async function scratchStream(url: string = NATS_TEST_URL): Promise<{ stream: string; name: string; url: string; messages(): Promise<{ subject: string; text: string }[]>; drop(): Promise<void> }> {
  const stream = `PXTEST_${randomBytes(6).toString('hex').toUpperCase()}`;
  return {
    stream,
    name: stream,
    url,
    /** Every message the directive stream holds, in stream order. */
    async messages() {
      const nc = await connect({ servers: url, timeout: 2_000, maxReconnectAttempts: 0 });
      try {
        const jsm = await jetstreamManager(nc);
        const info = await jsm.streams.info(stream);
        const out: { subject: string; text: string }[] = [];
        for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq += 1) {
          const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
          if (m) out.push({ subject: m.subject, text: m.string() });
        }
        return out;
      } finally {
        await nc.close();
      }
    },
    async drop() {
      const nc = await connect({ servers: url, timeout: 2_000, maxReconnectAttempts: 0 });
      try {
        const jsm = await jetstreamManager(nc);
        for (const name of [stream, `${stream}_EVENTS`]) await jsm.streams.delete(name).catch(() => false);
      } finally {
        await nc.close();
      }
    },
  };
}
