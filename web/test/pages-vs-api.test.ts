import { resolveRoute } from '../../services/gateway/src/domain/route-table';
import { PAGES, href, matchRoute } from '../src/routes';

describe("the web front's page addresses", () => {
  it.each(Object.entries(PAGES))(
    'when the page %s (%s) is opened or reloaded, then no service answers its address: the gateway serves the app',
    (_name, pattern) => {
      const example = pattern.replace(/:\w+/g, '1');
      expect(resolveRoute(example)).toBeUndefined();
      expect(example.startsWith('/api/')).toBe(false);
      expect(example.startsWith('/assets/')).toBe(false);
    },
  );

  it('when an address is built with href, then matchRoute finds the same page and parameters', () => {
    const url = href('seatMap', { concertId: 3, showtimeId: 17 });
    expect(url).toBe('/shows/3/17');
    expect(matchRoute(url)).toEqual({ page: 'seatMap', params: { concertId: '3', showtimeId: '17' } });
    expect(matchRoute('/shows/3/17/extra').page).toBe('notFound');
    expect(href('signIn', {}, { next: '/shows?x=1' })).toBe('/signin?next=%2Fshows%3Fx%3D1');
  });
});
