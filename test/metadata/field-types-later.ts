/** An entity class test/metadata/field-types.test.ts loads only after its first look at field types. */
import { Entity, entity } from '../../src';

@entity()
export class FtLater extends Entity {
  n = 0;
}
