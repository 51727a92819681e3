/**
 * `ConfigEntity` (SPEC §5): the base class of configuration parameters of registered functions.
 */
import { Entity } from '../entity/entity';
import { entity } from '../entity/decorators';

/**
 * Base class for configuration entities: settings a registered function takes as one parameter.
 *
 * ```ts
 * @entity()
 * class RankingOptions extends ConfigEntity {
 *   limit = 10;
 *   threshold = 0.5;
 * }
 * CallableRegistry.register('rank', rank, { params: { students: [Student], options: RankingOptions } });
 * CallableRegistry.execute('rank', { students, limit: 3 });   // options built from loose arguments
 * CallableRegistry.execute('rank', { students, options: new RankingOptions({ limit: 3 }) });
 * ```
 * A parameter typed as a subclass may be given as an instance, as a plain object of its fields,
 * or as loose arguments next to the others (its class-field defaults fill the rest). The config
 * used is registered (promoted to a root of its own) so the execution record names it.
 */
@entity()
export abstract class ConfigEntity extends Entity {
  /** Makes the type nominal (no run-time property): an entity that is not a ConfigEntity is not typed as a config argument. */
  declare private readonly configEntityBrand: void;
}

/** True for ConfigEntity and its subclasses. */
export function isConfigClass(ctor: unknown): boolean {
  return typeof ctor === 'function' && (ctor === ConfigEntity || ctor.prototype instanceof ConfigEntity);
}
