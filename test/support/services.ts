/**
 * The NATS server (with JetStream) of the tests that need one, at `NATS_URL` (default
 * nats://127.0.0.1:4222). Whether such tests run at all is decided in jest.config.js
 * (test/support/services.js): left out, saying so in one line, when the server does not answer,
 * or an error when `ABSTRACTIONS_REQUIRE_SERVICES=1` (.ci/run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { connect } from '@nats-io/transport-node';

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

const sleep = (ms: number): Promise<unknown> => new Promise((resolve) => setTimeout(resolve, ms));

/** A nats-server of the test's own, on a free port, storing in `dir`, running once it accepts connections. */
export async function ownNatsServer(port: number, dir: string) {
  const server: ChildProcess = spawn(
    process.env.NATS_SERVER ?? 'nats-server',
    ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve, reject) => {
    server.once('exit', () => resolve());
    server.once('error', (err) => reject(new Error(`cannot start nats-server (set NATS_SERVER): ${err.message}`)));
  });
  const url = `nats://127.0.0.1:${port}`;
  while (!(await Promise.race([natsAvailable(url), exited.then(() => false)]))) {
    if (server.exitCode !== null) throw new Error(`nats-server exited with ${server.exitCode}`);
    await sleep(50);
  }
  return {
    /** SIGTERM as a service stop (start-stop-daemon) sends: a clean shutdown; SIGKILL: a crash. */
    async stop(signal: 'SIGTERM' | 'SIGKILL' = 'SIGTERM') {
      server.kill(signal);
      await exited;
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}
