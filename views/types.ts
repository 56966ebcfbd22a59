// Plain data the admin views receive. Views import types only: no database, scheduler or registry.
export type { AuditEntry as AuditEntryView } from '../src/audit/list-audit.ts';
export type { Job, Run } from '../src/features/jobs/jobs.schemas.ts';

export interface AdminUser {
  subject: string;
  role: 'viewer' | 'operator' | 'admin';
}

/** What the signed-in user may do; views hide controls the server would refuse anyway. */
export interface Permissions {
  /** enable/disable, run now, retry (operator and up) */
  operate: boolean;
  /** create, edit, archive/unarchive (admin) */
  administer: boolean;
}

export interface PageChrome {
  user: AdminUser;
  can: Permissions;
  csrfToken: string;
  /** A one-line confirmation after a redirect (PRG), e.g. "Job saved". */
  notice?: string | undefined;
}

export interface PageLinks {
  page: number;
  pageSize: number;
  total: number;
  /** The href of a given page, keeping the other filters. */
  href: (page: number) => string;
}

export interface CronPreviewView {
  valid: boolean;
  reason: string | null;
  description: string | null;
  timezone: string;
  next: { local: string; utc: string }[];
}

/** A registered job function and its kwargs as JSON Schema (from its zod schema). */
export interface FunctionView {
  key: string;
  description: string;
  args_schema: Record<string, unknown>;
}

export type {
  Channel as AlertChannelView,
  Delivery as AlertDeliveryView,
  Incident as AlertIncidentView,
} from '../src/features/alerts/alerts.schemas.ts';
export type { Dashboard as DashboardView } from '../src/features/dashboard/dashboard.schemas.ts';
