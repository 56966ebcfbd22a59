// hono's typed client (hc) against the app served over real HTTP: log in, manage a token, upload, list,
// download. Request and response types come from the routes' zod schemas (ApiRoutes).
import { hc } from 'hono/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiRoutes } from '../../src/api/index.ts';
import { ADMIN, startTestApi, type TestApi } from '../support/api-app.ts';
import { serveOnLoopback } from '../support/serve-app.ts';

describe('typed client round trip', () => {
  let api: TestApi;
  let server: { url: string; close: () => Promise<void> };

  beforeAll(async () => {
    api = await startTestApi();
    server = await serveOnLoopback(api.app.fetch);
  });
  afterAll(async () => {
    await server?.close();
    await api?.close();
  });

  it('logs in, creates an API token, uploads and lists files with it', async () => {
    const anonymous = hc<ApiRoutes>(`${server.url}${api.config.apiPrefix}`);
    // The route takes a form or JSON; hc types the two as one intersection, so name the form alone.
    const credentials = { form: { username: ADMIN.username, password: ADMIN.password } };
    const login = await anonymous.auth.token.$post(
      credentials as Parameters<typeof anonymous.auth.token.$post>[0],
    );
    expect(login.status).toBe(200);
    if (login.status !== 200) return;
    const { access_token } = await login.json();

    const asAdmin = hc<ApiRoutes>(`${server.url}${api.config.apiPrefix}`, {
      headers: { Authorization: `Bearer ${access_token}` },
    });
    const created = await asAdmin.tokens.$post({ json: { name: 'hc-operator', role: 'operator' } });
    expect(created.status).toBe(201);
    if (created.status !== 201) return;
    const { token, role } = await created.json();
    expect(role).toBe('operator');

    const asOperator = hc<ApiRoutes>(`${server.url}${api.config.apiPrefix}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    const me = await asOperator.auth.me.$get();
    expect(me.status).toBe(200);
    if (me.status === 200) expect((await me.json()).subject).toBe('token:hc-operator');

    // The upload is streamed multipart; hc's typing stops at the plain schema, so send it as a form body.
    const form = new FormData();
    form.append('file', new Blob(['typed client says hello\n'], { type: 'text/plain' }), 'hello.txt');
    const uploaded = await fetch(`${server.url}${api.config.apiPrefix}/files`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form,
    });
    expect(uploaded.status).toBe(201);

    const listed = await asOperator.files.$get({ query: { limit: '10' } });
    expect(listed.status).toBe(200);
    if (listed.status !== 200) return;
    const page = await listed.json();
    expect(page.items.map((file) => file.name)).toContain('hello.txt');
    const id = page.items[0]!.id;
    const meta = await asOperator.files[':id'].$get({ param: { id } });
    expect(meta.status).toBe(200);
    const content = await asOperator.files[':id'].content.$get({ param: { id }, header: {} });
    expect(await content.text()).toBe('typed client says hello\n');
  });
});
