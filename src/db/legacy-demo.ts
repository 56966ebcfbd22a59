// A small schema for the embedded legacy DB, created on its first start so legacy features have
// something to show locally. It runs on the raw client: this is the demo database's own bootstrap,
// never done against a real legacy server.
import type { SqlClient } from './client.ts';

/** The demo tables and rows (exported so tests can build the same schema on a real server). */
export const LEGACY_DEMO_SCHEMA: readonly string[] = [
  `create table customers (
    id serial primary key,
    name text not null,
    email text not null unique,
    created_at timestamptz not null default now()
  )`,
  `create table orders (
    id serial primary key,
    customer_id integer not null references customers(id),
    amount numeric(10, 2) not null,
    status text not null default 'new',
    created_at timestamptz not null default now()
  )`,
  `insert into customers (name, email) values
    ('Kim Minji', 'minji@example.com'),
    ('Lee Jun', 'jun@example.com'),
    ('Park Sora', 'sora@example.com')`,
  `insert into orders (customer_id, amount, status) values
    (1, 120.50, 'paid'), (1, 35.00, 'new'), (2, 980.00, 'paid'), (3, 12.75, 'cancelled')`,
];

export async function ensureLegacyDemoSchema(client: SqlClient): Promise<boolean> {
  if (client.kind !== 'pglite') throw new Error('the legacy demo schema is only for the embedded database');
  const existing = await client.query<{ present: boolean }>(
    "select to_regclass('public.customers') is not null as present",
  );
  if (existing[0]?.present) return false;
  await client.transaction(async (tx) => {
    for (const statement of LEGACY_DEMO_SCHEMA) await tx.query(statement);
  });
  return true;
}
