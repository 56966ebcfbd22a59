// HTML output escapes user data. The admin UI (views/) lands from another branch; until then this renders a
// hono/jsx row like the admin's jobs table with the corpus's hostile job names and run output, through a
// Hono route, and checks nothing arrives as markup. Point it at views/components once they exist.
import { Hono } from 'hono';
import type { FC } from 'hono/jsx';
import { describe, expect, it } from 'vitest';
import { defaultContentSecurityPolicy } from '../../src/http/content-security-policy.ts';
import { HTML_INJECTIONS, SQL_INJECTIONS } from './fuzz-corpus.ts';

interface JobView {
  name: string;
  description: string;
  lastOutput: unknown;
}

const JobRow: FC<{ job: JobView }> = ({ job }) => (
  <tr data-name={job.name} title={job.description}>
    <td>
      <a href={`/admin/jobs/${encodeURIComponent(job.name)}`}>{job.name}</a>
    </td>
    <td>
      <pre>{JSON.stringify(job.lastOutput)}</pre>
    </td>
  </tr>
);

describe('HTML escaping of user data', () => {
  it('renders hostile job names, descriptions and run output as text, never as markup', async () => {
    const app = new Hono();
    app.use(defaultContentSecurityPolicy());
    app.get('/row/:index', (c) => {
      const value = [...HTML_INJECTIONS, ...SQL_INJECTIONS][Number(c.req.param('index'))]!;
      return c.html(
        <table>
          <tbody>
            <JobRow job={{ name: value, description: value, lastOutput: { message: value } }} />
          </tbody>
        </table>,
      );
    });
    const all = [...HTML_INJECTIONS, ...SQL_INJECTIONS];
    for (const [index, value] of all.entries()) {
      const response = await app.request(`/row/${index}`);
      const html = await response.text();
      expect(response.headers.get('Content-Security-Policy')).toContain("script-src 'self'");
      expect(html, value).not.toMatch(/<script|<img|<svg|<\/textarea/i);
      // Exactly the markup of the row itself: table, tbody, tr, two td, a, pre: no element injected by the value.
      expect(html.match(/<[a-z]+[\s>]/gi)?.length, value).toBe(7);
      if (value.includes('<')) expect(html, value).toContain('&lt;');
      if (value.includes('"')) expect(html, value).toContain('&quot;');
    }
  });
});
