import { expect } from 'chai';
import { createCatalog, type Catalog } from '../support/catalog.js';
import { request } from '../support/http.js';
import { startTestApp, type TestApp } from '../support/testApp.js';
import { expectRejected } from './helpers.js';

describe('catalog lists', () => {
  let app: TestApp;
  let c: Catalog;
  const names = ['محمد', 'مُحَمَّد علي', 'أحمد', 'احمد سالم', 'Élodie', 'elodie Durand', 'Zoë', 'Ab', 'بكر'];
  const ids = new Map<string, string>();
  before(async () => {
    app = await startTestApp();
    c = await createCatalog(app);
    for (const name of names) {
      const reply = await request(app.url, 'POST', `/v1/workspace/${c.workspaceId}/clients`, { token: c.token, body: { name } });
      ids.set(name, reply.body.client.id);
    }
    await request(app.url, 'POST', `/v1/workspace/${c.workspaceId}/clients/${ids.get('Zoë')}/archive`, {
      token: c.token,
      headers: { 'If-Match': '"1"' },
    });
  });
  after(async () => app.destroy());

  const list = (kind: string, query = '') => request(app.url, 'GET', `/v1/workspace/${c.workspaceId}/${kind}${query}`, { token: c.token });
  const namesOf = (reply: { body: Record<string, { name: string }[]> }, key: string) => reply.body[key]!.map((x) => x.name);

  it('lists the active clients sorted by name (accents and case folded, Latin before Arabic), without the archived one', async () => {
    const reply = await list('clients');
    expect(reply.status, reply.text).to.equal(200);
    expect(namesOf(reply, 'clients')).to.deep.equal([
      'Ab',
      'Élodie',
      'elodie Durand',
      'John Doe',
      'أحمد',
      'احمد سالم',
      'بكر',
      'محمد',
      'مُحَمَّد علي',
    ]);
    expect(reply.body.nextCursor).to.equal(null);
    expect(reply.body.clients[0]).to.have.all.keys(
      'id',
      'workspaceId',
      'name',
      'email',
      'phone',
      'archived',
      'version',
      'createdAt',
      'updatedAt',
    );
  });

  it('includes the archived ones with includeArchived=true', async () => {
    const reply = await list('clients', '?includeArchived=true');
    expect(namesOf(reply, 'clients')).to.include('Zoë');
    expect(reply.body.clients.find((x: { name: string }) => x.name === 'Zoë').archived).to.equal(true);
  });

  it('searches a substring of the name, ignoring case, accents, harakat and hamza', async () => {
    const search = async (term: string) => namesOf(await list('clients', `?search=${encodeURIComponent(term)}`), 'clients');
    expect(await search('محمد')).to.deep.equal(['محمد', 'مُحَمَّد علي']);
    expect(await search('مُحمّد')).to.deep.equal(['محمد', 'مُحَمَّد علي']);
    expect(await search('احمد')).to.deep.equal(['أحمد', 'احمد سالم']);
    expect(await search('أحمد')).to.deep.equal(['أحمد', 'احمد سالم']);
    expect(await search('ELOD')).to.deep.equal(['Élodie', 'elodie Durand']);
    expect(await search('durand')).to.deep.equal(['elodie Durand']);
    expect(await search('zoe')).to.deep.equal([]);
    expect(namesOf(await list('clients', '?search=zoe&includeArchived=true'), 'clients')).to.deep.equal(['Zoë']);
  });

  it('pages with limit and cursor, each page after the last, the cursor bound to its filters', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const reply = await list('clients', `?limit=4${cursor ? `&cursor=${cursor}` : ''}`);
      expect(reply.status, reply.text).to.equal(200);
      seen.push(...namesOf(reply, 'clients'));
      cursor = reply.body.nextCursor;
    } while (cursor);
    expect(seen).to.deep.equal(namesOf(await list('clients'), 'clients'));
    const first = await list('clients', '?limit=2&search=d');
    expect(first.body.nextCursor).to.be.a('string');
    await expectRejected(
      app,
      'GET',
      `/v1/workspace/${c.workspaceId}/clients?limit=2&cursor=${first.body.nextCursor}`,
      { token: c.token },
      400,
      { paths: ['cursor'] },
    );
    await expectRejected(
      app,
      'GET',
      `/v1/workspace/${c.workspaceId}/staff?search=d&limit=2&cursor=${first.body.nextCursor}`,
      { token: c.token },
      400,
      { paths: ['cursor'] },
    );
  });

  it('filters services by scope', async () => {
    expect(namesOf(await list('services', '?scope=products'), 'services')).to.deep.equal(['Vitamin pack']);
    expect(namesOf(await list('services', '?scope=sessions'), 'services')).to.deep.equal(['Open-ended', 'استشارة طبية', 'فحص عام']);
    expect((await list('staff')).body).to.have.all.keys('staff', 'nextCursor');
  });

  it('rejects bad parameters in one 400, a token without .read (403), and an unknown workspace (404)', async () => {
    await expectRejected(
      app,
      'GET',
      `/v1/workspace/${c.workspaceId}/clients?limit=0&includeArchived=yes&scope=x&search=%20&cursor=!!`,
      { token: c.token },
      400,
      {
        paths: ['limit', 'includeArchived', 'scope', 'search'],
      },
    );
    await expectRejected(app, 'GET', `/v1/workspace/${c.workspaceId}/clients?cursor=abc`, { token: c.token }, 400, { paths: ['cursor'] });
    const token = app.token({ sub: 'x', workspaceId: c.workspaceId, permissions: ['services.read'] });
    await expectRejected(app, 'GET', `/v1/workspace/${c.workspaceId}/clients`, { token }, 403);
    const ghost = '0'.repeat(24);
    await expectRejected(
      app,
      'GET',
      `/v1/workspace/${ghost}/clients`,
      { token: app.token({ sub: 'x', workspaceId: ghost, permissions: ['clients.read'] }) },
      404,
    );
  });
});
