import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { ControlPlane } from '../../dev/harness/control-plane/index.js';

/** What an event reads and writes: Services and the Istio kinds istiod watches. */
const WATCHED = [
  '/api/v1/services',
  '/apis/networking.istio.io/v1/serviceentries',
  '/apis/networking.istio.io/v1/gateways',
  '/apis/networking.istio.io/v1/destinationrules',
  '/apis/networking.istio.io/v1/virtualservices',
  '/apis/security.istio.io/v1/authorizationpolicies',
];

function list(controlPlane: ControlPlane, ca: Buffer, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(
      `${controlPlane.server}${path}?limit=1`,
      { ca, headers: { authorization: `Bearer ${controlPlane.adminToken}` } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve() : reject(new Error(`listing ${path} was answered ${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject).end();
  });
}

/**
 * Lists each kind an event touches once, as istiod's informers have long done in a cluster with Istio. A fresh
 * apiserver builds a custom resource's storage on its first request for it (`getOrCreateServingInfoFor`,
 * k8s.io/apiextensions-apiserver/pkg/apiserver/customresource_handler.go): on this machine the first reads of
 * Gateway, DestinationRule and VirtualService took 160-194 ms against 7-9 ms after. A cold-start bench measures the
 * function's start, not the apiserver's.
 */
export async function warmApiserver(controlPlane: ControlPlane): Promise<void> {
  const ca = readFileSync(join(controlPlane.dataDir, 'certs/apiserver.crt'));
  await Promise.all(WATCHED.map((path) => list(controlPlane, ca, path)));
}
