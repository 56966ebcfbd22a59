// The audit page: who changed what and when, newest first, paginated, filtered by actor, action, target and
// time (a plain GET form, so a filtered view is a link). The same reader as GET /api/v1/audit.
import type { Hono } from 'hono';
import { queryString } from '../../../../views/components/format.ts';
import { type AuditFilterValues, AuditPage } from '../../../../views/pages/audit-page.tsx';
import { type AdminKit, chromeFor, pageParam } from '../../../admin/page.ts';
import { listAuditEntries } from '../../../audit/list-audit.ts';
import type { AppBindings } from '../../../http/types.ts';
import { AuditListQuerySchema } from '../audit.schemas.ts';

const AUDIT_PAGE_SIZE = 25;

/** `datetime-local` (no zone; the page says UTC) → ISO, or undefined for anything else. */
function utcFromLocalInput(value: string): string | undefined {
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d)?$/.test(value)) return undefined;
  const date = new Date(`${value.length === 16 ? `${value}:00` : value}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function registerAuditPage(admin: Hono<AppBindings>, kit: AdminKit) {
  admin.get('/audit', async (c) => {
    const page = pageParam(c.req.query('page'));
    const text = (name: string, max: number) => (c.req.query(name) ?? '').trim().slice(0, max);
    const values: AuditFilterValues = {
      actor: text('actor', 120),
      action: text('action', 64),
      target_type: text('target_type', 64),
      target_id: text('target_id', 128),
      from: text('from', 19),
      to: text('to', 19),
    };
    const parsed = AuditListQuerySchema.parse({
      page,
      page_size: AUDIT_PAGE_SIZE,
      actor: values.actor || undefined,
      action: values.action || undefined,
      target_type: values.target_type || undefined,
      target_id: values.target_id || undefined,
      from: utcFromLocalInput(values.from),
      to: utcFromLocalInput(values.to),
    });
    const { page: _page, page_size: _size, ...filters } = parsed;
    const db = c.var.deps.db.app;
    const [{ items, total }, actions] = await Promise.all([
      listAuditEntries(db.drizzle, page, AUDIT_PAGE_SIZE, filters),
      db.query<{ action: string }>('select distinct action from audit_log order by action limit 200'),
    ]);
    const dropped = (['from', 'to'] as const).filter((key) => values[key] && !filters[key]);
    return c.html(
      <AuditPage
        chrome={await chromeFor(c)}
        assetVersion={kit.assetVersion}
        entries={items}
        filters={values}
        actions={actions.map((row) => row.action)}
        problem={dropped.length ? `Ignored ${dropped.join(' and ')}: not a date and time.` : undefined}
        links={{
          page,
          pageSize: AUDIT_PAGE_SIZE,
          total,
          href: (p) => `/admin/audit${queryString({ ...values, page: p })}`,
        }}
      />,
    );
  });
}
