import type { InstanceName } from '../products/instance-name.js';
import {
  ANNOTATION_INSTANCE_NAME,
  ISTIO_API_VERSION,
  LABEL_INSTANCE,
  LABEL_MANAGED_BY,
  LABEL_OWNER,
  APP_NAME,
  type IstioKind,
  type KubeObject,
  type ObjectOf,
} from '../model/k8s-object.js';
import type { SpecOf } from '../model/istio-specs.js';
import { instanceKey } from './names.js';
import type { RenderSettings } from './render-settings.js';

/** Every object of an instance carries the ownership labels and the instance's name, whatever it renders. */
export function metadata(instance: InstanceName, name: string, settings: RenderSettings): KubeObject['metadata'] {
  return {
    name,
    namespace: settings.istioNamespace,
    labels: { [LABEL_MANAGED_BY]: APP_NAME, [LABEL_OWNER]: settings.ownerId, [LABEL_INSTANCE]: instanceKey(instance) },
    annotations: { [ANNOTATION_INSTANCE_NAME]: instance.full },
  };
}

export function istioObject<K extends IstioKind>(
  kind: K,
  meta: KubeObject['metadata'],
  spec: SpecOf[K],
): ObjectOf<K, SpecOf[K]> {
  return { apiVersion: ISTIO_API_VERSION, kind, metadata: meta, spec };
}

/** One address as a ServiceEntry address or a destination subnet. */
export const cidr = (address: string): string => (address.includes(':') ? `${address}/128` : `${address}/32`);
