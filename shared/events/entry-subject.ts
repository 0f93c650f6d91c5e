import { instanceNamed, type InstanceName } from '../products/instance-name.js';
import { PRODUCT_INFO, productModule, type Product } from '../products/registry.js';

/**
 * What an audit entry is about: the instance, or only the project and location of the change. Real entries need not
 * carry the request (AuditLog may trim it) and a long-running operation's last entry may carry little more than its
 * `@type`, so each place a name can appear is read in turn.
 * https://cloud.google.com/logging/docs/reference/audit/auditlog/rest/Shared.Types/AuditLog
 */

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);
const child = (parent: Json, key: string): Json => (isObject(parent[key]) ? parent[key] : {});

/** A relative name, also when given as a full resource name (`//redis.googleapis.com/projects/...`). */
const relative = (name: unknown): string => (str(name) ?? '').replace(/^\/\/[^/]+\//, '');

/** A create's entry may name the parent and carry the id in the request (every product's create request has both). */
function createdInstance(product: Product, payload: Json): InstanceName | undefined {
  const request = child(payload, 'request');
  const parent = str(request['parent']) ?? relative(payload['resourceName']);
  const { idField, collection } = PRODUCT_INFO[product];
  const id = str(request[idField]);
  return id && /^projects\/[^/]+\/locations\/[^/]+$/.test(parent)
    ? instanceNamed(product, `${parent}/${collection}/${id}`)
    : undefined;
}

/** The instance the monitored resource names, in the location the entry names. */
function resourceInstance(product: Product, entry: Json, payload: Json): InstanceName | undefined {
  const resource = child(entry, 'resource');
  // The monitored resource that names a product's instance, and its id label, for products that have one.
  const known = productModule(product).monitoredResource;
  const id = known && resource['type'] === known.type ? str(child(resource, 'labels')[known.idLabel]) : undefined;
  const where = id ? locationOf(entry, payload) : undefined;
  return id && where
    ? instanceNamed(
        product,
        `projects/${where.project}/locations/${where.location}/${PRODUCT_INFO[product].collection}/${id}`,
      )
    : undefined;
}

/** The instance an entry is about, as the product's identity: its resourceName, its create request, its resource. */
export function entryInstance(product: Product, entry: Json, payload: Json): InstanceName | undefined {
  return (
    instanceNamed(product, relative(payload['resourceName'])) ??
    createdInstance(product, payload) ??
    resourceInstance(product, entry, payload)
  );
}

const LOCATION = /^projects\/([^/]+)\/locations\/([^/]+)(?:\/|$)/;

/** The project and location of the monitored resource's labels; the project is the log's own when they name none. */
function resourcePlace(entry: Json): { project: string; location: string } | undefined {
  const labels = child(child(entry, 'resource'), 'labels');
  const logProject = /^projects\/([^/]+)\//.exec(str(entry['logName']) ?? '')?.[1];
  const project = str(labels['project_id']) ?? str(labels['resource_container']) ?? logProject;
  const location = str(labels['region']) ?? str(labels['location']);
  return project && location ? { project, location } : undefined;
}

/**
 * Where the change happened, from what names a location: the resourceName (a parent or collection), the request's
 * parent or name, the operation's name (`projects/P/locations/L/operations/...`), or the monitored resource.
 */
export function locationOf(entry: Json, payload: Json): { project: string; location: string } | undefined {
  const request = child(payload, 'request');
  const names = [payload['resourceName'], request['parent'], request['name'], child(entry, 'operation')['id']];
  for (const name of names) {
    const match = LOCATION.exec(relative(name));
    if (match?.[1] && match[2]) return { project: match[1], location: match[2] };
  }
  return resourcePlace(entry);
}
