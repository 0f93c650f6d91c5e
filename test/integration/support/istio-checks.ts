import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { egressGatewayAnalyzeInputs } from '../../../dev/harness/control-plane/index.js';
import { istioctlAnalyze, istioctlValidate, writeYamlDocs } from '../../../dev/harness/istioctl/index.js';
import type { KubeObject } from '../../../shared/model/k8s-object.js';
import type { SyncRig } from './sync-rig.js';

/**
 * istioctl validate and analyze over every Istio object the functions wrote in the rig's namespace, with the egress
 * gateway Pod and Service as the installer has them (so the analyzers can match selectors and ports).
 */
export async function checkWithIstioctl(rig: SyncRig) {
  // Only what istioctl reads: the server's metadata and the status stay out of the files.
  const objects = [...(await rig.cluster.istioObjects()).values()].map(
    (o) =>
      ({
        apiVersion: o.apiVersion,
        kind: o.kind,
        metadata: { name: o.metadata.name, namespace: o.metadata.namespace },
        spec: o.spec,
      }) as KubeObject,
  );
  const dir = mkdtempSync(join(tmpdir(), 'rendered-'));
  const rendered = writeYamlDocs(dir, objects);
  const validation = await istioctlValidate([rendered]);
  const gateway = join(dir, 'gateway.yaml');
  writeFileSync(gateway, egressGatewayAnalyzeInputs(rig.namespace, await rig.cluster.gatewayPorts()));
  const analysis = await istioctlAnalyze([rendered, gateway]);
  return { objects, validation, analysis };
}
