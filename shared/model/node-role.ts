import { createHash } from 'node:crypto';
import type { EndpointRole } from './instance.js';

/** What a node's role starts with; port-names.ts codes it as `n` in Service port names. */
export const NODE_ROLE_PREFIX = 'node-';

/** The role of one Memcached node: its id hashed into a DNS label of fixed length, stable for the node's life. */
export function nodeRole(nodeId: string): EndpointRole {
  return `${NODE_ROLE_PREFIX}${createHash('sha256').update(nodeId).digest('hex').slice(0, 6)}`;
}
