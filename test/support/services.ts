/**
 * External services that some tests need: a NATS server with JetStream (the event transport,
 * src/durable/nats-transport.ts), at `NATS_URL` (default nats://127.0.0.1:4222).
 *
 * Jest collects a file's tests synchronously when the file loads, so whether to run them is
 * decided then: `describeWithNats` checks the server in a child node process (a second or two at
 * worst) and, without one, skips the block with one warning line, or, when
 * `ABSTRACTIONS_REQUIRE_SERVICES=1` (CI, where a missing service is a broken setup), replaces it
 * by one failing test. (Tests that return early when the service is missing would pass while
 * asserting nothing.)
 */
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { connect } from '@nats-io/transport-node';

const ROOT = path.resolve(__dirname, '../..');
const CONNECT_TIMEOUT_MS = 2000;

export function natsUrl(): string {
  return process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
}

/** Whether a NATS server accepts a connection at `url` within 2 s. */
export async function natsAvailable(url = natsUrl()): Promise<boolean> {
  try {
    const nc = await connect({ servers: url, timeout: CONNECT_TIMEOUT_MS });
    await nc.close();
    return true;
  } catch {
    return false;
  }
}

/** `natsAvailable`, synchronously: the same connect, in a child process run from the repository's root. */
function natsAvailableNow(url: string): boolean {
  const probe =
    "require('@nats-io/transport-node')" +
    `.connect({ servers: process.argv[1], timeout: ${CONNECT_TIMEOUT_MS} })` +
    '.then((nc) => nc.close())' +
    '.then(() => process.exit(0), () => process.exit(1))';
  try {
    execFileSync(process.execPath, ['-e', probe, url], { cwd: ROOT, stdio: 'ignore', timeout: 3 * CONNECT_TIMEOUT_MS });
    return true;
  } catch {
    return false;
  }
}

/** `describe(name, body)` if NATS answers at `natsUrl()`; else skipped (one warning) or, when services are required, failed. */
export function describeWithNats(name: string, body: () => void): void {
  const url = natsUrl();
  if (natsAvailableNow(url)) {
    describe(name, body);
  } else if (process.env.ABSTRACTIONS_REQUIRE_SERVICES === '1') {
    describe(name, () => {
      test('NATS is reachable', () => {
        throw new Error(`NATS not reachable at ${url}, and ABSTRACTIONS_REQUIRE_SERVICES=1 requires it`);
      });
    });
  } else {
    console.warn(
      `NATS not reachable at ${url}: skipping ${name} tests (set NATS_URL, or run .ci/run which requires it)`,
    );
    describe.skip(name, body);
  }
}
