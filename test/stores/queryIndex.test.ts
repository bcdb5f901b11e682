/**
 * The one rule every read-model adapter plans a query with (src/stores/readModel.ts): which
 * declared index serves it, or that none does; the page size; the index a `where` selector uses.
 * Pure functions of the declarations and the query, checked here without a store (the contract
 * suites and the MongoDB/SQLite parity test check that the adapters follow them).
 */
import { expect } from 'chai';
import type { IndexSpec } from '../../src/projections/projection.js';
import { checkQueryLimit, chooseIndex, whereIndex, type Query } from '../../src/stores/readModel.js';

const items = {
  collection: 'items',
  indexes: [
    { name: 'by_rank', fields: ['rank'] },
    { name: 'by_group_rank', fields: ['groupId', 'rank'] },
    { name: 'by_status_label', fields: ['status', 'label'] },
    { name: 'by_tag', fields: ['tagIds'], multi: true },
  ] satisfies IndexSpec[],
};

const chosen = (query: Pick<Query, 'where' | 'orderBy'>): string => chooseIndex(items, query).name;

describe('choosing the index that serves a read-model query', () => {
  it('takes the index whose only field is the sort field when nothing else is asked', () => {
    expect(chosen({ orderBy: 'rank' })).to.equal('by_rank');
  });

  it('prefers the index whose leading equality narrows the query to one ordered by the sort field alone', () => {
    expect(chosen({ where: { groupId: 'g1' }, orderBy: 'rank' })).to.equal('by_group_rank');
  });

  it('serves an `in` on a leading field like an equality', () => {
    expect(chosen({ where: { groupId: { in: ['g1', 'g2'] } }, orderBy: 'rank' })).to.equal('by_group_rank');
  });

  it('takes an index whose fields after the sort field all have equalities', () => {
    expect(chosen({ where: { label: 'x' }, orderBy: 'status' })).to.equal('by_status_label');
  });

  it('orders by id through an index whose every field has an equality', () => {
    expect(chosen({ where: { status: 'open', label: 'x' }, orderBy: 'id' })).to.equal('by_status_label');
  });

  it('checks conditions on other fields and on multi fields on the rows the chosen index yields', () => {
    expect(chosen({ where: { groupId: 'g1', status: { gt: 'a' }, tagIds: 't1' }, orderBy: 'rank' })).to.equal('by_group_rank');
  });

  it('takes the first declared of two indexes that narrow the query as much', () => {
    const twins = { collection: 'twins', indexes: [...items.indexes, { name: 'by_rank_again', fields: ['rank'] }] };
    expect(chooseIndex(twins, { orderBy: 'rank' }).name).to.equal('by_rank');
  });

  it('refuses a query whose leading field has only a range', () => {
    expect(() => chosen({ where: { status: { gt: 'a' } }, orderBy: 'label' })).to.throw(
      'no index of collection items serves a query on [status] ordered by label',
    );
  });

  it('refuses a query ordered by a field no index ends with or followed by equalities', () => {
    expect(() => chosen({ orderBy: 'status' })).to.throw(/no index of collection items serves a query on \[\] ordered by status/);
  });

  it('refuses a query by id alone, and one on a multi field alone: a multi index serves no query itself', () => {
    expect(() => chosen({ orderBy: 'id' })).to.throw(/no index/);
    expect(() => chosen({ where: { tagIds: 't1' }, orderBy: 'id' })).to.throw(/no index/);
  });

  it('refuses every query of a collection that declares no index', () => {
    expect(() => chooseIndex({ collection: 'bare' }, { orderBy: 'id' })).to.throw(/no index of collection bare/);
  });
});

describe('the page size of a read-model query', () => {
  it('is 1 to 1000 documents', () => {
    expect(() => {
      checkQueryLimit({ limit: 1 });
      checkQueryLimit({ limit: 1000 });
    }).not.to.throw();
    for (const limit of [0, 1001, 2.5]) {
      expect(() => {
        checkQueryLimit({ limit });
      }).to.throw(`query limit must be 1..1000, got ${limit}`);
    }
  });
});

describe('the index of a `where` selector', () => {
  it('is the declared index that starts with the field, a multi index for an array field', () => {
    expect(whereIndex(items, 'groupId').name).to.equal('by_group_rank');
    expect(whereIndex(items, 'tagIds').name).to.equal('by_tag');
  });

  it('is a programming error for a field no index starts with', () => {
    expect(() => whereIndex(items, 'label')).to.throw('collection items declares no index on label');
  });
});
