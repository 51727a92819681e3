/**
 * Entity classes for the property tests: a leaf with data only, a node with every kind of child
 * slot (two single-entity fields, an array, a Map, an array of arrays) and a root that extends the node.
 */
import { Entity, entity } from '../../src';

@entity()
export class PLeaf extends Entity {
  label = '';
  n = 0;
  tags: string[] = [];
  when: Date = new Date(0);
}

export type PChild = PLeaf | PNode;

@entity()
export class PNode extends Entity {
  name = '';
  info: { k: number; xs: number[] } = { k: 0, xs: [] };
  left: PChild | null = null;
  right: PChild | null = null;
  items: PChild[] = [];
  byKey: Map<string, PChild> = new Map();
  grid: PChild[][] = [[], []];
}

@entity()
export class PRoot extends PNode {
  title = '';
}
