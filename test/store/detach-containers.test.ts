/** detach() of an entity still in place inside a Set member (N2) removes it there. */
import { Entity, EntityRegistry, entity } from '../../src';

@entity()
class DcLeaf extends Entity {
  name = '';
}

@entity()
class DcHolder extends Entity {
  groups: Set<DcLeaf[]> = new Set();
}

test('detach() of an entity inside an array that is a Set member', () => {
  const registry = new EntityRegistry();
  const root = new DcHolder({
    groups: new Set([[new DcLeaf({ name: 'a' })], [new DcLeaf({ name: 'b' }), new DcLeaf({ name: 'c' })]]),
  });
  registry.promoteToRoot(root);
  const working = registry.checkout<DcHolder>(root.ecsId);
  const c = [...working.groups][1][1];
  const detached = registry.detach(c);
  expect((detached.root as unknown as DcLeaf).name).toBe('c');
  const latest = registry.latest<DcHolder>(root.lineageId)!;
  expect([...latest.groups].map((g) => g.map((l) => l.name))).toEqual([['a'], ['b']]);
});
