/**
 * Which local services answer (jest.config.js): a TCP connect to each, with a short timeout, in a
 * child process (the config is loaded synchronously). Plain JavaScript: jest loads it before any
 * transform is set up.
 */
const { execFileSync } = require('node:child_process');

const SERVICES = [
  {
    name: 'PostgreSQL',
    variable: 'DATABASE_URL',
    url: process.env.DATABASE_URL || 'postgres://127.0.0.1:5432/test',
    defaultPort: 5432,
    suites: 'the postgres project and test/scale-out/',
    patterns: ['<rootDir>/test/scale-out/'],
  },
  {
    name: 'NATS',
    variable: 'NATS_URL',
    url: process.env.NATS_URL || 'nats://127.0.0.1:4222',
    defaultPort: 4222,
    suites: 'the NATS suites (test/scale-out/, test/durable/nats-*)',
    patterns: ['<rootDir>/test/scale-out/', '<rootDir>/test/durable/nats-'],
  },
];

/** host and port of a service URL (the first one, for a list). */
function endpoint(service) {
  const u = new URL(service.url.split(',')[0]);
  return { host: u.hostname || '127.0.0.1', port: Number(u.port || service.defaultPort) };
}

const PROBE = `
const [host, port] = process.argv.slice(1);
const s = require('node:net').connect({ host, port: Number(port) });
s.setTimeout(1000, () => process.exit(1));
s.on('connect', () => process.exit(0));
s.on('error', () => process.exit(1));
`;

function answers(service) {
  const { host, port } = endpoint(service);
  try {
    execFileSync(process.execPath, ['-e', PROBE, host, String(port)], { stdio: 'ignore', timeout: 3000 });
    return true;
  } catch {
    return false;
  }
}

/** The services that do not answer. */
function missingServices() {
  return SERVICES.filter((s) => !answers(s));
}

/** Test path patterns to leave out when `missing` do not answer. */
function suitesNeeding(missing) {
  return [...new Set(missing.flatMap((m) => m.patterns))];
}

module.exports = { missingServices, suitesNeeding };
