import { uniqueSuffix } from '@boxoffice/testing';
import { Balancer } from '../../src/domain/balancer';
import { BoundedCache } from '../../src/domain/bounded-cache';
import { publicPathFor, resolveRoute } from '../../src/domain/route-table';

describe('route table', () => {
  it.each([
    ['/api/items', 'item', '/'],
    ['/api/items/', 'item', '/'],
    ['/api/items/7?x=1', 'item', '/7?x=1'],
    ['/api/items?offset=0&limit=5', 'item', '/?offset=0&limit=5'],
    ['/api/inventory/lock', 'item', '/api/inventory/lock'],
    ['/api/alarms', 'alarm', '/'],
    ['/api/notification/send', 'alarm', '/api/notification/send'],
    ['/api/notifications', 'alarm', '/api/notifications'],
    ['/api/users/login', 'user', '/login'],
    ['/api/users/visit', 'user', '/visit'],
    ['/tokens', 'queue', '/tokens'],
    ['/.well-known/jwks.json', 'queue', '/.well-known/jwks.json'],
    ['/tokens/stream?token=x', 'queue', '/tokens/stream?token=x'],
    ['/rooms', 'queue', '/rooms'],
    ['/admin/rooms/default', 'queue', '/admin/rooms/default'],
    ['/admin/roomsx', 'ticket', '/admin/roomsx'],
    ['/concerts/1/2', 'ticket', '/concerts/1/2'],
    ['/events/abc', 'ticket', '/events/abc'],
    ['/reservations', 'ticket', '/reservations'],
    ['/admin/concerts', 'ticket', '/admin/concerts'],
    ['/point_history', 'payment', '/point_history'],
    ['/api/orders/create', 'payment', '/api/orders/create'],
    ['/api/payment/process', 'payment', '/api/payment/process'],
  ])('when %s is asked, then %s answers it as %s', (url, service, upstreamUrl) => {
    expect(resolveRoute(url)).toEqual({ service, upstreamUrl });
  });

  it.each(['/internal/tickets/1', '/api/items/internal/tickets/1', '/nowhere', '/eventsx', '/api/itemsx'])(
    'when %s is asked, then nothing public answers it',
    (url) => {
      expect(resolveRoute(url)).toBeUndefined();
    },
  );

  it.each([
    ['/api/items/%37', 'item', '/7'],
    ['/api/items//7/./', 'item', '/7'],
    ['/api/items/x/../7?limit=%2F', 'item', '/7?limit=%2F'],
    ['/%65vents/abc', 'ticket', '/events/abc'],
    ['/events/a%20b', 'ticket', '/events/a%20b'],
    ['/api/users/%C3%A9', 'user', '/%C3%A9'],
  ])(
    'when %s is asked, then the decoded, normalised path routes it and %s gets exactly %s',
    (url, service, upstream) => {
      expect(resolveRoute(url)).toEqual({ service, upstreamUrl: upstream });
    },
  );

  it.each([
    '/%69nternal/items',
    '/%49NTERNAL/items',
    '//internal/items',
    '/api/items/%69nternal/items?ids=1',
    '/api/items/%49nTeRnAl/items',
    '/api/items//internal/items',
    '/api/items/../../internal/items',
    '/api/items/./internal/items',
    '/tickets/../internal/tickets/1',
    '/api/items/%2e%2e/%2e%2e/internal/items',
    '/api/items/INTERNAL/items',
  ])('when the internal path %s is asked in disguise, then nothing public answers it', (url) => {
    expect(resolveRoute(url)).toBeUndefined();
  });

  it.each([
    ['/api/items/%2Finternal%2Fitems', /encoded slash/],
    ['/api/items/%2finternal', /encoded slash/],
    ['/api/items/..%5Cinternal', /encoded slash/],
    ['/api/items\\..\\internal', /backslash/],
    ['/api/items/%2569nternal', /twice/],
    ['/api/items/%zz', /not validly percent-encoded/],
    ['/api/items/%C3', /not validly percent-encoded/],
    ['/api/items/%00', /control character/],
    ['/api/items/a#b', /fragment/],
    ['/../internal/items', /above the root/],
    ['http://evil/internal/items', /must be a path/],
  ])('when %s is ambiguous, then it is refused, not guessed at', (url, reason) => {
    const resolved = resolveRoute(url);
    expect(resolved && 'refused' in resolved ? resolved.refused : resolved).toMatch(reason);
  });

  it('when a path comes again, then the remembered decision is the same and the query is the new one', () => {
    const path = `/api/items/${uniqueSuffix()}`;
    expect(resolveRoute(`${path}?a=1`)).toEqual({ service: 'item', upstreamUrl: `${path.slice(10)}?a=1` });
    expect(resolveRoute(`${path}?b=2`)).toEqual({ service: 'item', upstreamUrl: `${path.slice(10)}?b=2` });
    expect(resolveRoute(path)).toEqual({ service: 'item', upstreamUrl: path.slice(10) });
    for (let i = 0; i < 2; i++) {
      expect(resolveRoute('/api/items/%2569nternal?x=1')).toEqual({ refused: expect.stringMatching(/twice/) });
      expect(resolveRoute('/api/items/%69nternal/items?x=1')).toBeUndefined();
    }
  });

  it('when a path is too long to be remembered, then it is decided the same way', () => {
    const long = `/api/items/${'a'.repeat(300)}`;
    expect(resolveRoute(`${long}?q`)).toEqual({ service: 'item', upstreamUrl: `/${'a'.repeat(300)}?q` });
    expect(resolveRoute(`/api/items/${'a'.repeat(300)}/%2e%2e/%2e%2e/%2e%2e/internal/x`)).toBeUndefined();
  });

  it('when a service documents a path, then the merged document shows its public path', () => {
    expect(publicPathFor('user', '/login')).toBe('/api/users/login');
    expect(publicPathFor('user', '/')).toBe('/api/users');
    expect(publicPathFor('item', '/api/inventory/lock')).toBe('/api/inventory/lock');
    expect(publicPathFor('item', '/{item_id}')).toBe('/api/items/{item_id}');
    expect(publicPathFor('ticket', '/internal/tickets/{id}')).toBeUndefined();
    expect(publicPathFor('queue', '/admin/rooms/{room_id}')).toBe('/admin/rooms/{room_id}');
    expect(publicPathFor('queue', '/rooms')).toBe('/rooms');
  });
});

describe('bounded cache', () => {
  it('when it is full, then the least recently used entry goes first and a hit is not computed again', () => {
    const cache = new BoundedCache<string>(2);
    const computed: string[] = [];
    const upper = (key: string) => {
      computed.push(key);
      return key.toUpperCase();
    };
    expect([cache.get('a', upper), cache.get('b', upper), cache.get('a', upper)]).toEqual(['A', 'B', 'A']);
    cache.get('c', upper); // evicts b, the least recently used
    expect([cache.get('a', upper), cache.get('b', upper)]).toEqual(['A', 'B']);
    expect(computed).toEqual(['a', 'b', 'c', 'b']);
    expect(cache.size).toBe(2);
  });
});

describe('balancer', () => {
  it('when instances are up, then requests rotate over them', () => {
    const balancer = new Balancer(['a', 'b', 'c']);
    expect([balancer.order()[0], balancer.order()[0], balancer.order()[0], balancer.order()[0]]).toEqual([
      'a',
      'b',
      'c',
      'a',
    ]);
  });

  it('when an instance failed, then it is tried last until its cool-down ends', () => {
    let now = 1_000;
    const balancer = new Balancer(['a', 'b'], 2_000, () => now);
    balancer.markDown('a');
    expect(balancer.order()).toEqual(['b', 'a']);
    expect(balancer.order()).toEqual(['b', 'a']);
    now += 2_001;
    expect(balancer.order()).toEqual(['a', 'b']);
  });
});
