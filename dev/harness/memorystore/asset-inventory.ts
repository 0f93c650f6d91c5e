import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { status } from '@grpc/grpc-js';
import { sendGrpcError, sendJson } from '../google-rest.js';
import { locationOf } from './instance-store.js';

/**
 * A local Cloud Asset Inventory answering `searchAllResources` over REST, as the documented REST shape has it:
 * `GET /v1/{scope}:searchAllResources` with `query`, repeated `assetTypes`, `pageSize`, `pageToken`, `orderBy` and
 * `readMask` (https://cloud.google.com/asset-inventory/docs/reference/rest/v1/TopLevel/searchAllResources), answering
 * `{results: ResourceSearchResult[], nextPageToken}` with the fields of asset_service.proto and assets.proto
 * (google.cloud.asset.v1, as @google-cloud/asset 6.3 ships them). It serves the local Memorystore API's instances:
 * Google ships no emulator, so this stands in, on the same local port, under `/cloudasset.googleapis.com/v1/`.
 */

/** Where a project sits: its number (search results name projects by number), its folders and organization. */
export interface ProjectPlace {
  readonly number: string;
  /** Every folder above the project, nearest first, `folders/N`. */
  readonly folders: readonly string[];
  /** `organizations/N`, if any. */
  readonly organization?: string;
}

/** One resource as the inventory indexes it: its product's relative name and what a search reads of it. */
export interface IndexedResource {
  readonly assetType: string;
  readonly serviceName: string;
  readonly name: string;
  readonly state: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly displayName?: string;
}

export interface InventoryOptions {
  /** Each project's place; a project not named here is under no folder or organization. */
  readonly hierarchy: Readonly<Record<string, ProjectPlace>>;
  /** The resources indexed now. */
  readonly resources: () => readonly IndexedResource[];
  /** Scopes the caller holds `cloudasset.assets.searchAllResources` on; unset, every scope. */
  readonly grantedScopes?: readonly string[];
  /** How long a page token is honoured (default one hour); an older one is refused as invalid. */
  readonly tokenLifetimeMs?: number;
  readonly now?: () => number;
}

/**
 * "Page size is capped at 500 even if a larger value is given. If set to zero or a negative value, server will pick
 * an appropriate default" (asset_service.proto): the default is not documented; 100 is taken here.
 */
const MAX_PAGE_SIZE = 500;
const DEFAULT_PAGE_SIZE = 100;

/** Types the search accepts, so an `assetTypes` pattern matching none is INVALID_ARGUMENT as documented. */
const SEARCHABLE_TYPES = [
  'redis.googleapis.com/Instance',
  'redis.googleapis.com/Cluster',
  'memorystore.googleapis.com/Instance',
  'memcache.googleapis.com/Instance',
  'compute.googleapis.com/Instance',
  'compute.googleapis.com/Network',
  'cloudresourcemanager.googleapis.com/Project',
];

/** The fields returned when no readMask is given (asset_service.proto, SearchAllResourcesRequest.read_mask). */
const DEFAULT_FIELDS = [
  'name',
  'assetType',
  'project',
  'folders',
  'organization',
  'displayName',
  'description',
  'location',
  'labels',
  'tags',
  'effectiveTags',
  'networkTags',
  'kmsKeys',
  'createTime',
  'updateTime',
  'state',
  'additionalAttributes',
  'parentFullResourceName',
  'parentAssetType',
];
const ALL_FIELDS = [...DEFAULT_FIELDS, 'versionedResources', 'attachedResources', 'relationships', 'enrichments'];

class Refusal extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

const projectOf = (name: string): string => name.split('/')[1] ?? '';

/** The fields of a ResourceSearchResult the index can fill; the rest are left out, as a proto3 JSON default is. */
function resultOf(
  resource: IndexedResource,
  place: ProjectPlace | undefined,
  project: string,
): Record<string, unknown> {
  return {
    name: `//${resource.serviceName}/${resource.name}`,
    assetType: resource.assetType,
    ...(place ? { project: `projects/${place.number}` } : {}),
    ...(place?.folders.length ? { folders: place.folders } : {}),
    ...(place?.organization ? { organization: place.organization } : {}),
    ...(resource.displayName ? { displayName: resource.displayName } : {}),
    location: locationOf(resource.name),
    ...(resource.labels && Object.keys(resource.labels).length > 0 ? { labels: resource.labels } : {}),
    state: resource.state,
    parentFullResourceName: `//cloudresourcemanager.googleapis.com/projects/${project}`,
    parentAssetType: 'cloudresourcemanager.googleapis.com/Project',
  };
}

/** Whether a resource lies under the scope: `projects/ID`, `projects/NUMBER`, `folders/N` or `organizations/N`. */
function inScope(scope: string, project: string, place: ProjectPlace | undefined): boolean {
  if (scope.startsWith('projects/')) return scope === `projects/${project}` || scope === `projects/${place?.number}`;
  if (scope.startsWith('folders/')) return place?.folders.includes(scope) ?? false;
  return place?.organization === scope;
}

/**
 * The part of the query language served here: terms joined by spaces (AND), each `field:value` (a word of the field,
 * or its prefix with `*`) or `field=value` (the whole field), on `name`, `location`, `state`, `displayName` or
 * `labels.KEY` (https://cloud.google.com/asset-inventory/docs/query-syntax). Anything else is refused.
 */
function queryFilter(query: string): (result: Record<string, unknown>) => boolean {
  const terms = query.split(/\s+/).filter((t) => t !== '');
  const tests = terms.map((term) => {
    const match = /^(name|location|state|displayName|labels\.[A-Za-z0-9_-]+)([:=])([^\s]+)$/.exec(term);
    if (!match) throw new Refusal(status.INVALID_ARGUMENT, `query term not served locally: ${term}`);
    const [, field, op, value] = match as unknown as [string, string, string, string];
    return (result: Record<string, unknown>): boolean => {
      const raw = field.startsWith('labels.')
        ? (result['labels'] as Record<string, string> | undefined)?.[field.slice('labels.'.length)]
        : result[field];
      if (typeof raw !== 'string') return false;
      if (op === '=') return raw === value;
      // Words of a resource name are its path segments (`name:instance1` in the proto's examples).
      const words = raw.split(/[\s/]+/).filter((w) => w !== '');
      const wanted = value.toLowerCase();
      return wanted.endsWith('*')
        ? words.some((w) => w.toLowerCase().startsWith(wanted.slice(0, -1)))
        : words.some((w) => w.toLowerCase() === wanted);
    };
  });
  return (result) => tests.every((t) => t(result));
}

/** An `assetTypes` entry is an RE2 pattern matched against the whole type; one that matches no type is refused. */
function typeFilter(patterns: readonly string[]): (type: string) => boolean {
  if (patterns.length === 0) return () => true;
  const compiled = patterns.map((p) => {
    let re: RegExp;
    try {
      re = new RegExp(`^(?:${p})$`);
    } catch {
      throw new Refusal(status.INVALID_ARGUMENT, `invalid asset type pattern: ${p}`);
    }
    if (!SEARCHABLE_TYPES.some((t) => re.test(t)))
      throw new Refusal(status.INVALID_ARGUMENT, `asset type ${p} matches no supported asset type`);
    return re;
  });
  return (type) => compiled.some((re) => re.test(type));
}

function readMaskFields(mask: string | null): readonly string[] {
  if (mask === null || mask === '') return DEFAULT_FIELDS;
  if (mask.trim() === '*') return ALL_FIELDS;
  const fields = mask.split(',').map((f) => f.trim());
  const unknown = fields.find((f) => !ALL_FIELDS.includes(f));
  if (unknown) throw new Refusal(status.INVALID_ARGUMENT, `invalid field path in read_mask: ${unknown}`);
  return fields;
}

/**
 * Page tokens are opaque to callers. Here one holds the last name returned, a digest of the request's other
 * parameters ("must be identical to those in the previous call") and when it was issued.
 */
const requestDigest = (params: URLSearchParams, scope: string): string =>
  createHash('sha256')
    .update(JSON.stringify([scope, ...[...params].filter(([k]) => k !== 'pageToken').sort()]))
    .digest('base64url')
    .slice(0, 16);

function search(options: InventoryOptions, scope: string, params: URLSearchParams): object {
  if (!/^(projects\/[^/]+|folders\/[0-9]+|organizations\/[0-9]+)$/.test(scope))
    throw new Refusal(status.INVALID_ARGUMENT, `invalid scope: ${scope}`);
  if (options.grantedScopes && !options.grantedScopes.includes(scope))
    throw new Refusal(
      status.PERMISSION_DENIED,
      `The caller does not have permission cloudasset.assets.searchAllResources on ${scope}`,
    );
  const now = options.now?.() ?? Date.now();
  const digest = requestDigest(params, scope);
  const token = params.get('pageToken') ?? '';
  let after = '';
  if (token !== '') {
    const [issued, tokenDigest, name] = Buffer.from(token, 'base64url').toString('utf8').split('\n');
    if (tokenDigest !== digest || name === undefined)
      throw new Refusal(status.INVALID_ARGUMENT, 'Invalid page token: it belongs to another request');
    if (now - Number(issued) > (options.tokenLifetimeMs ?? 3_600_000))
      throw new Refusal(status.INVALID_ARGUMENT, 'Invalid page token: expired, search again from the first page');
    after = name;
  }
  const types = typeFilter(params.getAll('assetTypes'));
  const matches = queryFilter(params.get('query') ?? '');
  const fields = readMaskFields(params.get('readMask'));
  const asked = Number(params.get('pageSize') ?? 0);
  const size = asked > 0 ? Math.min(asked, MAX_PAGE_SIZE) : DEFAULT_PAGE_SIZE;
  const found = options
    .resources()
    .filter((r) => types(r.assetType))
    .map((r) => {
      const project = projectOf(r.name);
      const place = options.hierarchy[project];
      return inScope(scope, project, place) ? resultOf(r, place, project) : undefined;
    })
    .filter((r): r is Record<string, unknown> => r !== undefined && matches(r))
    .filter((r) => (r['name'] as string) > after)
    .sort((a, b) => ((a['name'] as string) < (b['name'] as string) ? -1 : 1));
  const page = found.slice(0, size);
  const last = page.at(-1)?.['name'] as string | undefined;
  return {
    results: page.map((r) => Object.fromEntries(fields.filter((f) => f in r).map((f) => [f, r[f]]))),
    ...(found.length > size && last
      ? { nextPageToken: Buffer.from(`${now}\n${digest}\n${last}`).toString('base64url') }
      : {}),
  };
}

/** What the local inventory has answered: a bench counts its pages. */
export interface InventoryCounts {
  searches: number;
}

/** Answers `GET /cloudasset.googleapis.com/v1/{scope}:searchAllResources`; `counts` counts the pages served. */
export function answerInventory(
  options: InventoryOptions,
  counts: InventoryCounts,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const url = new URL(request.url ?? '/', 'http://local');
  const match = /^\/cloudasset\.googleapis\.com\/v1\/(.+):searchAllResources$/.exec(url.pathname);
  if (request.method !== 'GET' || !match?.[1])
    return sendGrpcError(response, status.NOT_FOUND, `${request.method} ${url.pathname} is not served locally`);
  try {
    counts.searches++;
    sendJson(response, 200, JSON.stringify(search(options, decodeURIComponent(match[1]), url.searchParams)));
  } catch (error) {
    if (!(error instanceof Refusal)) throw error;
    sendGrpcError(response, error.code, error.message);
  }
}
