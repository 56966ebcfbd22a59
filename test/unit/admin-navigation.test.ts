// The admin UI's redirect targets (`next`, `return_to`) stay on its own pages: no open redirect.
import { describe, expect, it } from 'vitest';
import { safeAdminPath, withNotice } from '../../src/admin/navigation.ts';

describe('safeAdminPath', () => {
  it('keeps admin paths with their query', () => {
    expect(safeAdminPath('/admin/jobs?q=a&page=2')).toBe('/admin/jobs?q=a&page=2');
    expect(safeAdminPath('/admin')).toBe('/admin');
  });

  it.each([
    'https://evil.example/admin',
    '//evil.example/admin',
    '/\\evil.example',
    '/admin\\..\\x',
    '/admin/../api/v1/users',
    '/administrator',
    'javascript:alert(1)',
    '/admin/login',
    '/admin/ jobs',
    '',
    undefined,
  ])('falls back for %s', (candidate) => {
    expect(safeAdminPath(candidate)).toBe('/admin/jobs');
  });

  it('adds the notice code for the page after a redirect', () => {
    expect(withNotice('/admin/jobs?q=a', 'enabled')).toBe('/admin/jobs?q=a&done=enabled');
  });
});
