import { randomUUID } from 'node:crypto';
import { suiteKit, waitFor } from '@boxoffice/testing';
import { DEMO_ITEMS } from '../../src/domain/demo-items';
import { demoProductCode } from '../../src/domain/items.use-case';
import { ItemKit } from '../support/item-kit';

/** Issue 15 item 3: items gain an optional public product code (seed 003's "P001"), unique, carried by item.changed. */
describe('product codes on items', () => {
  const kit = suiteKit(new ItemKit());

  const asAdmin = (method: 'POST' | 'PATCH', url: string, payload: object) =>
    kit.app.inject({ method, url, headers: { 'user-token': kit.admin.token }, payload });
  const fields = { broadcaster: 'cjmall', category: 'test', price: 1_000, stock: 5 };

  it('when an admin gives an item a code, then its views and item.changed carry it; a taken code is 409; null clears it', async () => {
    const code = `T${randomUUID().slice(0, 8)}`;
    const created = await asAdmin('POST', '/', { name: 'coded', code, ...fields });
    expect(created.statusCode).toBe(201);
    expect(created.json().payload).toMatchObject({ product_code: code, stock: 5 });
    const id = created.json().payload.id as number;

    const twin = await asAdmin('POST', '/', { name: 'twin', code, ...fields });
    expect(twin.statusCode).toBe(409);
    expect(twin.json().errors).toMatchObject({ code: 'PRODUCT_CODE_TAKEN' });
    const other = await asAdmin('POST', '/', { name: 'other', ...fields });
    expect(other.json().payload.product_code).toBeNull();
    expect((await asAdmin('PATCH', `/${other.json().payload.id}`, { code })).statusCode).toBe(409);
    expect((await asAdmin('POST', '/', { name: 'bad', code: 'no spaces', ...fields })).statusCode).toBe(422);

    const detail = await kit.app.inject({ method: 'GET', url: `/${id}`, headers: { 'user-token': kit.admin.token } });
    expect(detail.json().payload.product_code).toBe(code);
    await waitFor('item.changed with the code', () => kit.itemEvents(id).some((e) => e.payload.code === code));

    const cleared = await asAdmin('PATCH', `/${id}`, { code: null });
    expect(cleared.json().payload.product_code).toBeNull();
    await waitFor('item.changed without it', () =>
      kit.itemEvents(id).some((e) => e.aggregateVersion === 2 && e.payload.code === null),
    );
  });

  it('when demo items load, then item n is P00n (the codes seed 003 orders use)', () => {
    expect(demoProductCode(1)).toBe('P001');
    expect(demoProductCode(50)).toBe('P050');
    expect(new Set(DEMO_ITEMS.map((item) => demoProductCode(item.id))).size).toBe(50);
  });
});
