// Where the admin UI may send a browser after login or a form post: only its own pages. Anything else
// (another host, a scheme, `//host`, backslashes) falls back, so `next` can never become an open redirect.
export function safeAdminPath(candidate: string | undefined | null, fallback = '/admin/jobs'): string {
  if (!candidate || candidate.length > 2000) return fallback;
  if (!candidate.startsWith('/admin') || candidate.startsWith('//') || /[\\\s]/.test(candidate))
    return fallback;
  try {
    const url = new URL(candidate, 'http://admin.invalid');
    if (url.origin !== 'http://admin.invalid') return fallback;
    if (url.pathname !== '/admin' && !url.pathname.startsWith('/admin/')) return fallback;
    if (url.pathname === '/admin/login' || url.pathname === '/admin/logout') return fallback;
    return `${url.pathname}${url.search}${url.hash}`;
  } catch {
    return fallback;
  }
}

/** A path with `done=<code>` added, for the one-line notice after a redirect (PRG). */
export function withNotice(path: string, done: string): string {
  const url = new URL(path, 'http://admin.invalid');
  url.searchParams.set('done', done);
  return `${url.pathname}${url.search}${url.hash}`;
}

export const NOTICES: Record<string, string> = {
  created: 'Job created.',
  examples: 'Example jobs added, all disabled: open one, check it, and enable it to let it run.',
  saved: 'Changes saved.',
  enabled: 'Job enabled.',
  disabled: 'Job disabled.',
  run: 'Run queued: it appears below and updates as it runs.',
  retried: 'Retry queued.',
  archived: 'Job archived: it no longer runs.',
  unarchived: 'Job unarchived (it is disabled until you enable it).',
  'channel-created': 'Channel created.',
  'channel-tested': 'Test alert queued: it appears under the latest deliveries once sent.',
  'channel-enabled': 'Channel enabled.',
  'channel-disabled': 'Channel disabled: it receives no alerts until enabled again.',
  unlocked: 'User unlocked: they can log in again now.',
  'logged-out': 'You are logged out.',
};
