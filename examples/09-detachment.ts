/**
 * 09 · Detachment and attachment: children that leave their tree, roots that join one.
 *
 * Shows: a registered function returning a child on its own (semantic `detachment`: the child
 * becomes the root of its own tree, forked from its version inside the parent, keeping its
 * lineage; the parent is versioned only if the function removed it); `entity.detach()` on a
 * working tree; `entity.attach(newParent)` after putting a root into another tree.
 *
 * Run: npx tsx examples/09-detachment.ts
 */
import { CallableRegistry, Entity, EntityRegistry, entity } from '../src';

@entity()
export class Engine extends Entity {
  serial = '';
  hp = 0;
}

@entity()
export class Wheel extends Entity {
  position = '';
}

@entity()
export class Car extends Entity {
  model = '';
  engine: Engine | null = null;
  wheels: Wheel[] = [];
}

export async function main(log: (line: string) => void = console.log) {
  const registry = EntityRegistry.reset();
  CallableRegistry.reset();
  const short = (id: string | null) => (id ?? '—').slice(0, 8);
  const versions = (e: Entity) => registry.lineage(e.lineageId).length;
  const row = (what: string, text: string) => log(`${what.padEnd(16)} ${text}`);

  CallableRegistry.register('inspect_engine', ({ car }: { car: Car }) => car.engine!); // returned, left in place
  CallableRegistry.register('take_wheel', ({ car, position }: { car: Car; position: string }) => {
    const i = car.wheels.findIndex((w) => w.position === position);
    return car.wheels.splice(i, 1)[0]; // removed from the car, returned
  });

  const car = new Car({
    model: 'Roadster',
    engine: new Engine({ serial: 'E-1', hp: 300 }),
    wheels: ['FL', 'FR', 'RL', 'RR'].map((position) => new Wheel({ position })),
  });
  car.promoteToRoot();
  const v1 = registry.getStoredEntity<Car>(car.ecsId);

  const engine = CallableRegistry.execute<Engine>('inspect_engine', { car: v1 });
  row(
    'function',
    `inspect_engine → ${CallableRegistry.executionOf(engine)!.semantics[0]}: Engine ${short(engine.ecsId)} is a root (${engine.isRoot()}), forked from ${short(engine.previousEcsId)} = v1.engine ${short(v1.engine!.ecsId)}`,
  );
  row(
    '',
    `same lineage as in the car: ${engine.lineageId === v1.engine!.lineageId}; the car is unchanged: ${versions(car)} version`,
  );

  const wheel = CallableRegistry.execute<Wheel>('take_wheel', { car: v1, position: 'RR' });
  const v2 = registry.latest<Car>(car.lineageId)!;
  row(
    'function',
    `take_wheel → ${CallableRegistry.executionOf(wheel)!.semantics[0]}: Wheel ${wheel.position} is a root; the car got v2 with ${v2.wheels.length} wheels (v1 still has ${v1.wheels.length})`,
  );

  // detach() on a working tree: the parent tree is versioned without the child.
  const working = registry.checkout<Car>(v2.ecsId);
  const front = working.wheels[0];
  front.detach();
  row(
    'detach()',
    `Wheel ${front.position} is a root (${front.isRoot()}), previous ${short(front.previousEcsId)}; car v3 has ${registry
      .latest<Car>(car.lineageId)!
      .wheels.map((w) => w.position)
      .join(', ')}`,
  );

  // attach(): put a root into another working tree, then attach: that tree is versioned with it.
  const spare = new Wheel({ position: 'SPARE' }).promoteToRoot();
  const spareV1 = spare.ecsId;
  working.wheels.push(spare);
  spare.attach(working);
  const v4 = registry.latest<Car>(car.lineageId)!;
  row(
    'attach()',
    `car v4 has ${v4.wheels.map((w) => w.position).join(', ')}; the spare forked ${short(spareV1)} → ${short(spare.ecsId)}, root now ${short(spare.rootEcsId)} = car v4`,
  );
  row(
    '',
    `the spare's old version is still readable and still a root: ${registry.getStoredEntity<Wheel>(spareV1).isRoot()}`,
  );
  row(
    'car lineage',
    registry
      .lineage(car.lineageId)
      .map((e, i) => `v${i + 1} ${short(e.ecsId)}`)
      .join(' → '),
  );
  return { v1, v2, v4, engine, wheel, front, spare };
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
