/**
 * The optional peer dependencies (src/durable/peers.ts): loaded when asked for, and when missing a
 * PeerDependencyError naming the package, what needs it and what to install. That postgresStore()
 * and natsEvents() give it in an application without them: test/packaging/consumers.test.ts.
 */
import { PeerDependencyError } from '../../src';
import { requirePeer, resolvePeer } from '../../src/durable/peers';

const MISSING = 'abstractions-ts-no-such-peer';

test('an installed peer is resolved and loaded from the package', () => {
  expect(resolvePeer('pg', 'postgresStore()')).toBe(require.resolve('pg'));
  expect(requirePeer('pg', 'postgresStore()')).toBe(require('pg'));
});

test('a peer that is not installed: PeerDependencyError naming it, the feature and the install command', () => {
  for (const load of [resolvePeer, requirePeer]) {
    let error: unknown;
    try {
      load(MISSING, 'natsEvents()', [MISSING, 'other-package']);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(PeerDependencyError);
    expect(error).toMatchObject({ packageName: MISSING, feature: 'natsEvents()', install: [MISSING, 'other-package'] });
    expect((error as Error).message).toBe(
      `natsEvents() needs the package '${MISSING}', an optional peer dependency of abstractions-ts that is not ` +
        `installed: npm install ${MISSING} other-package`,
    );
  }
});
