/**
 * Entity classes for the model-based fuzz test (test/fuzz). Fixed classes (the code generator
 * reads them: both metadata modes run the fuzzer), with every place SPEC §1 allows a child:
 * plain fields, a tuple, arrays, Maps, Sets, plain-object records, nested containers (arrays of
 * arrays, a Map of arrays, a record of Sets, a Set of arrays) and a dynamic `unknown[]` field that
 * holds any nesting of data and entities. Data fields take edge values (see values.ts).
 */
import { Entity, entity } from '../../src';

export type FzEntity = FzLeaf | FzNode;

/** Plain nested data (no entities). */
export interface FzData {
  grid: number[][];
  bag: Map<string, Set<number>>;
  notes: Record<string, string | null>;
  when: Date | null;
}

@entity()
export class FzLeaf extends Entity {
  s = '';
  n = 0;
  big = 0n;
  when: Date = new Date(0);
  flag: boolean | null | undefined = null;
  tags: string[] = [];
  data: FzData = { grid: [], bag: new Map(), notes: {}, when: null };
  /** Any nesting of data and entities (walked by inspection in both metadata modes). */
  loose: unknown[] = [];
}

@entity()
export class FzNode extends Entity {
  name = '';
  n = 0;
  info: { k: number; tags: string[]; at: Date | null } = { k: 0, tags: [], at: null };
  one: FzEntity | null = null;
  two?: FzEntity = undefined;
  pair: [FzEntity | null, FzEntity | null] = [null, null];
  list: FzEntity[] = [];
  byKey: Map<string, FzEntity> = new Map();
  members: Set<FzEntity> = new Set();
  rec: Record<string, FzEntity> = {};
  grid: FzEntity[][] = [];
  mapOfLists: Map<string, FzEntity[]> = new Map();
  recOfSets: Record<string, Set<FzEntity>> = {};
  setOfLists: Set<FzEntity[]> = new Set();
  loose: unknown[] = [];
}

@entity()
export class FzRoot extends FzNode {
  title = '';
  big = 0n;
  stamp: Date = new Date(0);
}
