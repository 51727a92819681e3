/**
 * SPEC §9: two entity classes with one name are detected, never confused. The JSON form names a
 * class by its type name (`$class`): the class name, or `@entity({ name })`. Several classes may
 * share a class name in one process (tests, examples, two modules' `Invoice`); serializing one of
 * them under that shared name is a SerializationError, reading the name back too. A distinct
 * `@entity({ name })` tells them apart.
 */
import { Entity, EntityDefinitionError, entity } from '../../src';
import { SerializationError, fromJSON, toJSON } from '../../src/serialize';
import { thrown } from '../support/thrown';

function ledgerModule() {
  @entity()
  class Invoice extends Entity {
    total = 0;
  }
  return Invoice;
}

function shopModule() {
  @entity()
  class Invoice extends Entity {
    items: string[] = [];
  }
  return Invoice;
}

function billingNamed() {
  @entity({ name: 'billing.Invoice' })
  class Invoice extends Entity {
    amount = 0;
  }
  return Invoice;
}

function storeNamed() {
  @entity({ name: 'store.Invoice' })
  class Invoice extends Entity {
    sku = '';
  }
  return Invoice;
}

const LedgerInvoice = ledgerModule();
const ShopInvoice = shopModule();
const BillingInvoice = billingNamed();
const StoreInvoice = storeNamed();

test('writing an entity whose class name another class shares is a SerializationError naming the clash', () => {
  for (const e of [new LedgerInvoice({ total: 3 }), new ShopInvoice({ items: ['a'] })]) {
    const err = thrown(() => toJSON(e));
    expect(err).toBeInstanceOf(SerializationError);
    expect(err.message).toMatch(/2 entity classes are registered under the name 'Invoice'/);
    expect(err.message).toMatch(/@entity\(\{ name: /);
  }
});

test('reading a name several classes share is a SerializationError at $class, never the first class', () => {
  const json = {
    $class: 'Invoice',
    $id: { ecsId: '0123abcd-4567-89ab-cdef-0123456789ab', lineageId: '1123abcd-4567-89ab-cdef-0123456789ab' },
    fields: { total: 5 },
  };
  const err = thrown(() => fromJSON(json)) as SerializationError;
  expect(err).toBeInstanceOf(SerializationError);
  expect(err.path).toBe('$.$class');
  expect(err.message).toMatch(/cannot tell them apart/);
});

test('@entity({ name }) gives classes of one class name distinct type names: each round trip keeps its class', () => {
  const a = new BillingInvoice({ amount: 7 });
  const b = new StoreInvoice({ sku: 'x-1' });
  const ja = toJSON(a);
  const jb = toJSON(b);
  expect(ja.$class).toBe('billing.Invoice');
  expect(jb.$class).toBe('store.Invoice');
  const backA = fromJSON<InstanceType<typeof BillingInvoice>>(JSON.stringify(ja));
  const backB = fromJSON<InstanceType<typeof StoreInvoice>>(JSON.stringify(jb));
  expect(backA).toBeInstanceOf(BillingInvoice);
  expect(backA.amount).toBe(7);
  expect(backB).toBeInstanceOf(StoreInvoice);
  expect(backB.sku).toBe('x-1');
  expect(BillingInvoice.name).toBe('Invoice'); // the class keeps its own name
});

test('a type name given twice with @entity({ name }) is an EntityDefinitionError at registration', () => {
  const first = entity({ name: 'ledger.Entry' })(class Entry extends Entity {});
  expect(first.name).toBe('Entry');
  const err = thrown(() => entity({ name: 'ledger.Entry' })(class OtherEntry extends Entity {}));
  expect(err).toBeInstanceOf(EntityDefinitionError);
  expect(err.message).toMatch(/OtherEntry: Entry is registered under that name already/);
  for (const bad of ['', 42, null]) {
    expect(() => entity({ name: bad as string })).toThrow(EntityDefinitionError);
  }
});
