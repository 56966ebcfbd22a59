import { describe, expect, it } from 'vitest';
import { createPrincipalCache } from '../../src/features/auth/principal-cache.ts';
import type { Principal } from '../../src/http/principal.ts';

const alice: Principal = { subject: 'alice', role: 'admin', via: 'jwt' };

describe('principal cache', () => {
  it('keeps a principal until its TTL or the token expiry, whichever comes first', () => {
    let clock = 1_000;
    const cache = createPrincipalCache(5_000, () => clock);
    cache.set('t1', { principal: alice, username: 'alice', tokenExpiresAt: 100_000 }, cache.generation);
    cache.set('t2', { principal: alice, username: 'alice', tokenExpiresAt: 3_000 }, cache.generation);
    expect(cache.get('t1')).toEqual(alice);
    expect(cache.get('t2')).toEqual(alice);
    clock = 3_000;
    expect(cache.get('t2')).toBeUndefined();
    expect(cache.get('t1')).toEqual(alice);
    clock = 6_000;
    expect(cache.get('t1')).toBeUndefined();
  });

  it('forgets every token of a user at once, whatever the case of the name', () => {
    const cache = createPrincipalCache();
    cache.set('t1', { principal: alice, username: 'Alice', tokenExpiresAt: Date.now() + 60_000 }, 0);
    cache.set(
      't2',
      { principal: { ...alice, subject: 'bob' }, username: 'bob', tokenExpiresAt: Date.now() + 60_000 },
      0,
    );
    cache.forgetUser('alice');
    expect(cache.get('t1')).toBeUndefined();
    expect(cache.get('t2')?.subject).toBe('bob');
  });

  it('drops what a lookup read when a user changed while it ran', () => {
    const cache = createPrincipalCache();
    const seen = cache.generation;
    cache.forgetUser('alice'); // the user was disabled between the lookup and the store
    cache.set('t1', { principal: alice, username: 'alice', tokenExpiresAt: Date.now() + 60_000 }, seen);
    expect(cache.get('t1')).toBeUndefined();
  });
});
