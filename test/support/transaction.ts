/**
 * A function call driven through the store's steps directly, for store-level tests: the input
 * versions are drafted, the test runs its edit inside the draft, then the same steps `execute`
 * takes after the call (changes, output plan, commit prepared, published, announced).
 */
import { metaOf, type EntityObject } from '../../src/metadata/object-model';
import { Draft } from '../../src/store/draft';
import type { EntityRegistry } from '../../src/store/entity-registry';
import { changesOfInputs } from '../../src/store/input-trees';
import { planOutputs } from '../../src/store/output-plan';
import {
  announceExecution,
  prepareExecution,
  publishExecution,
  type ExecutionOutput,
} from '../../src/store/commit-execution';
import type { Provenance } from '../../src/store/persist';
import type { RootVersion } from '../../src/store/root-version';

export class Transaction {
  private readonly inputs: RootVersion[] = [];
  private draft: Draft | null = null;

  constructor(
    private readonly registry: EntityRegistry,
    private readonly provenance: Provenance,
  ) {}

  /** Declares the stored root `storedRoot` (a root version this registry holds) as an input tree. */
  addInput(storedRoot: EntityObject): void {
    const version = this.registry.getVersion(metaOf(storedRoot).ecsId);
    if (!this.inputs.includes(version)) this.inputs.push(version);
  }

  run<T>(fn: () => T): T {
    return this.open().run(fn);
  }

  runAsync<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.open().runAsync(fn);
  }

  /** Commits what the function changed; `outputs` are the entities it returned. */
  commit(outputs: readonly EntityObject[]): { outputs: readonly ExecutionOutput[]; versions: readonly RootVersion[] } {
    const draft = this.open();
    const trees = changesOfInputs(draft, this.registry, this.provenance);
    const plan = planOutputs(trees, draft, this.registry, outputs, { handed: [], multiple: false });
    const prepared = prepareExecution(this.registry, draft, trees, plan, this.provenance);
    publishExecution(this.registry, prepared);
    announceExecution(this.registry, prepared);
    return { outputs: prepared.outputs, versions: prepared.versions };
  }

  private open(): Draft {
    return (this.draft ??= new Draft(this.inputs));
  }
}
