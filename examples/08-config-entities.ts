/**
 * 08 · ConfigEntity parameters: settings given as an instance, or built from loose arguments.
 *
 * Shows: a `ConfigEntity` subclass as one parameter of a registered function (the signature says
 * so); calling it with an instance, with a plain object, and with loose arguments next to the
 * others (class defaults fill the rest); the config actually used is stored as an entity of its
 * own, so the execution record names it; a wrong type is an ArgumentError naming the field.
 *
 * Run: npx tsx examples/08-config-entities.ts
 */
import { ArgumentError, CallableRegistry, ConfigEntity, Entity, EntityRegistry, entity } from '../src';

@entity()
export class Player extends Entity {
  name = '';
  points = 0;
}

@entity()
export class Leaderboard extends Entity {
  title = '';
  top: string[] = [];
}

@entity()
export class RankOptions extends ConfigEntity {
  limit = 3;
  minPoints = 0;
  title = 'Top players';
}

export async function main(log: (line: string) => void = console.log) {
  const registry = EntityRegistry.reset();
  CallableRegistry.reset();
  const short = (id: string) => id.slice(0, 8);

  // The signature is what lets the registry build RankOptions from loose arguments.
  CallableRegistry.register(
    'rank_players',
    ({ players, options }: { players: Player[]; options: RankOptions }) =>
      new Leaderboard({
        title: options.title,
        top: players
          .filter((p) => p.points >= options.minPoints)
          .sort((a, b) => b.points - a.points)
          .slice(0, options.limit)
          .map((p) => `${p.name} ${p.points}`),
      }),
    { params: { players: [Player], options: RankOptions }, returns: Leaderboard },
  );

  const players = [
    ['Ada', 42],
    ['Ben', 17],
    ['Cy', 35],
    ['Dee', 8],
    ['Eve', 29],
  ].map(([name, points]) => new Player({ name: name as string, points: points as number }));
  for (const p of players) p.promoteToRoot();

  const show = (how: string, board: Leaderboard) => {
    const exec = CallableRegistry.executionOf(board)!;
    const config = registry.getStoredEntity<RankOptions>(exec.inputs.entities.options); // stored for provenance
    log(`${how.padEnd(22)} ${board.title}: ${board.top.join(', ')}`);
    log(
      `${''.padEnd(22)} config ${short(config.ecsId)} { limit: ${config.limit}, minPoints: ${config.minPoints}, title: '${config.title}' } root: ${config.isRoot()}`,
    );
  };

  show(
    'instance',
    CallableRegistry.execute<Leaderboard>('rank_players', { players, options: new RankOptions({ limit: 2 }) }),
  );
  show(
    'plain object',
    CallableRegistry.execute<Leaderboard>('rank_players', { players, options: { title: 'Podium' } }),
  );
  show('loose arguments', CallableRegistry.execute<Leaderboard>('rank_players', { players, minPoints: 20, limit: 5 }));
  show('no options at all', CallableRegistry.execute<Leaderboard>('rank_players', { players }));

  try {
    // @ts-expect-error -- deliberately the wrong type, to show the ArgumentError it gets at run time
    CallableRegistry.execute('rank_players', { players, limit: 'ten' });
  } catch (error) {
    if (!(error instanceof ArgumentError)) throw error;
    log(`${'wrong type'.padEnd(22)} ArgumentError: ${error.message}`);
  }
  return { executions: CallableRegistry.executions() };
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
