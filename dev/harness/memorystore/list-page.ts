import { locationOf } from './instance-store.js';

export interface ListRequest {
  readonly pageSize: number;
  readonly pageToken: string;
}

export interface Unreachable {
  readonly locations: ReadonlySet<string>;
  /**
   * Also put the documented placeholder entry for each unreachable region in an aggregated list (name
   * `projects/P/locations/L/instances/-`, status message "location not available for ListInstances").
   */
  readonly placeholders: boolean;
}

export type ListPage = { instances: object[]; nextPageToken: string; unreachable: string[] } | { error: string };

// The page size the service uses when none is asked for, and the most it returns (cloud_redis.proto).
const DEFAULT_PAGE_SIZE = 1000;

// Page tokens are opaque to callers; here one holds the last name returned, so a page never repeats or skips an
// instance that was listed before, even when instances come and go between pages.
const encodeToken = (name: string): string => Buffer.from(`after:${name}`).toString('base64url');
const decodeToken = (token: string): string | undefined => {
  const text = Buffer.from(token, 'base64url').toString('utf8');
  return text.startsWith('after:') ? text.slice('after:'.length) : undefined;
};

/**
 * One page of ListInstances. `parent` is `projects/P/locations/L`; L = `-` lists every region (an aggregated list).
 * Instances of an unreachable region are left out and the region is named in `unreachable`.
 */
export function listPage(
  all: readonly { readonly name: string }[],
  parent: string,
  unreachable: Unreachable,
  request: ListRequest,
): ListPage {
  const location = locationOf(parent);
  const after = request.pageToken ? decodeToken(request.pageToken) : '';
  if (after === undefined) return { error: `invalid page_token: ${request.pageToken}` };
  if (request.pageSize < 0) return { error: 'page_size must not be negative' };
  const inScope = (l: string): boolean => location === '-' || l === location;
  const lost = [...unreachable.locations].filter(inScope).sort();
  const placeholders =
    location === '-' && unreachable.placeholders
      ? lost.map((l) => ({
          name: `${parent.replace(/\/locations\/-$/, `/locations/${l}`)}/instances/-`,
          statusMessage: 'location not available for ListInstances',
        }))
      : [];
  const matching = [
    ...all.filter(
      (i) =>
        i.name.startsWith(`${parent.split('/locations/')[0]}/`) &&
        inScope(locationOf(i.name)) &&
        !unreachable.locations.has(locationOf(i.name)),
    ),
    ...placeholders,
  ]
    .filter((i) => i.name > after)
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const size = Math.min(request.pageSize || DEFAULT_PAGE_SIZE, DEFAULT_PAGE_SIZE);
  const page = matching.slice(0, size);
  const last = page[page.length - 1];
  return {
    instances: page,
    nextPageToken: matching.length > size && last ? encodeToken(last.name) : '',
    unreachable: lost.map((l) => `${parent.split('/locations/')[0]}/locations/${l}`),
  };
}
