/**
 * The two Jest projects (jest.config.js) really run in two modes: in `generated`, the classes of
 * the examples and tests use the metadata of examples/generated/abstractions.generated.ts and
 * registered functions its signatures; in `runtime`, everything is inspected at runtime. Classes
 * that share a name with generated ones but that no spec fits use runtime metadata in both.
 */
import { Agent, GridMap, GridNode, moveAgent } from '../../examples/gridmap/model';
import { usingGeneratedMetadata } from '../../src';
import { CallableRegistry } from '../../src/callable/callable-registry';
import {
  classMetaOf,
  metadataSourceOf,
  type AnyClass,
  type GeneratedClassSpec,
} from '../../src/metadata/class-registry';
import { AcademicRecord, Course, Student } from '../callable/models';
import { Agent as UnlistedAgent } from '../fixtures/codegen/selection/agents';
import { Agent as MistypedAgent } from '../fixtures/codegen/selection/mistyped-agent';
import { PLeaf, PNode, PRoot } from '../support/models';

declare const __METADATA_MODE__: 'runtime' | 'generated';
const MODE = __METADATA_MODE__;

/** Classes the generated project describes: from an example and from test support modules (other files declare classes of the same names). */
const DESCRIBED: Record<string, AnyClass> = {
  Agent,
  GridMap,
  GridNode,
  PLeaf,
  PNode,
  PRoot,
  AcademicRecord,
  Course,
  Student,
};

test('the Jest project names its mode', () => {
  expect(['runtime', 'generated']).toContain(MODE);
  expect(usingGeneratedMetadata()).toBe(MODE === 'generated');
});

test.each(Object.keys(DESCRIBED))('%s uses the metadata of the mode', (name) => {
  expect(metadataSourceOf(DESCRIBED[name])).toBe(MODE);
});

test('in generated mode the operations are the generated ones; in runtime mode fields are inspected', () => {
  const meta = classMetaOf(GridMap);
  if (MODE === 'generated') {
    // The module the setup file imported (same module registry): no second install.
    const { generatedClassSpecs } = require('../../examples/generated/abstractions.generated') as {
      generatedClassSpecs: Record<string, GeneratedClassSpec[]>;
    };
    expect(generatedClassSpecs.GridMap.some((s) => s.forEachChild === meta.forEachChild)).toBe(true);
    expect(generatedClassSpecs.GridMap.some((s) => s.stored !== undefined && s.stored === meta.storedLayout)).toBe(
      true,
    );
    expect(meta.fields.map((f) => [f.name, f.kind, f.shape])).toEqual([
      ['nodes', 'entities', { kind: 'array', of: { kind: 'entity', className: 'GridNode' } }],
      ['width', 'data', { kind: 'data' }],
      ['height', 'data', { kind: 'data' }],
    ]);
    // gridmap/model.ts and viz/fixtures.ts (nodes: LabeledNode[]) declare a GridMap with these field names.
    expect(generatedClassSpecs.GridMap.map((s) => s.fields[0].shape)).toEqual(
      expect.arrayContaining([
        { kind: 'array', of: { kind: 'entity', className: 'GridNode' } },
        { kind: 'array', of: { kind: 'entity', className: 'LabeledNode' } },
      ]),
    );
  } else {
    expect(meta.fields.map((f) => f.kind)).toEqual(['dynamic', 'dynamic', 'dynamic']);
    expect(meta.storedLayout).toBeNull();
  }
  const g = new GridMap({ width: 1, nodes: [new GridNode({ agents: [new Agent({ name: 'a' })] })] });
  g.promoteToRoot();
  expect(g.getTree().nodeCount).toBe(3);
});

test('classes named like generated ones that no spec fits use runtime metadata in both modes', () => {
  expect(metadataSourceOf(UnlistedAgent)).toBe('runtime'); // other field list
  expect(metadataSourceOf(MistypedAgent)).toBe('runtime'); // same names, `name` holds an entity
  expect(metadataSourceOf(Agent)).toBe(MODE); // the generated one, loaded alongside
});

test('a GridMap of another module (nodes: LabeledNode[]) loaded later: two specs fit it and both child classes are loaded, so runtime metadata', async () => {
  const viz = await import('../viz/fixtures');
  // viz's Agent is gridmap's; its LabeledNode and Hub have their own specs.
  for (const cls of [viz.Agent, viz.LabeledNode, viz.Hub]) expect(metadataSourceOf(cls)).toBe(MODE);
  // Its GridMap fits the spec of gridmap/model.ts (nodes: GridNode[]) and its own (nodes: LabeledNode[]):
  // with both GridNode and LabeledNode loaded, nothing tells them apart, so it is inspected at runtime.
  expect(metadataSourceOf(viz.GridMap)).toBe('runtime');
  expect(metadataSourceOf(GridMap)).toBe(MODE); // decided at its first use, above
});

test('registered functions take the generated signature in generated mode only', () => {
  const calls = new CallableRegistry();
  calls.register('move_agent', moveAgent);
  const sig = calls.signatureOf('move_agent');
  if (MODE === 'generated') {
    expect(sig?.source).toBe('generated');
    expect(sig!.params.map((p) => [p.name, p.type.kind])).toEqual([
      ['gridmap', 'entity'],
      ['sourceIndex', 'number'],
      ['agentName', 'string'],
      ['targetIndex', 'number'],
    ]);
    expect(sig!.params[0].type).toMatchObject({ className: 'GridMap', ctor: GridMap });
  } else {
    expect(sig).toBeNull();
  }
  // The generated `update_gpa` (examples/01) names a Student with the fields name, gpa: the
  // Student loaded here has others, so it is not used (never a wrong class) in either mode.
  calls.register('update_gpa', ({ student }: { student: Student }) => student);
  expect(calls.signatureOf('update_gpa')).toBeNull();
});
