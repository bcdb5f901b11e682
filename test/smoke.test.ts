import { expect } from 'chai';
import { createCatalog } from './support/catalog.js';
import { request } from './support/http.js';
import { startTestApp, type TestApp } from './support/testApp.js';

describe('the seed example, end to end', () => {
  let app: TestApp;
  before(async () => {
    app = await startTestApp();
  });
  after(async () => app.destroy());

  it('creates a 90-minute session from services of 30 and 60 minutes', async () => {
    const c = await createCatalog(app);
    const reply = await request(app.url, 'POST', `/v1/workspace/${c.workspaceId}/sessions`, {
      token: c.token,
      body: { name: 'Consultation Session', clientId: c.clientId, serviceIds: [c.consultationId, c.checkupId], staffId: c.staffId, date: '2024-01-20T10:00:00Z', startTime: '10:00' },
    });
    expect(reply.status, reply.text).to.equal(201);
    expect(reply.body.session.durationMinutes).to.equal(90);
    expect(reply.body.session.endTime).to.equal('11:30');
    expect(reply.body.session.serviceNames).to.deep.equal(['استشارة طبية', 'فحص عام']);
  });
});
