import type { Endpoint, EndpointRole } from '../model/instance.js';
import type { InstanceName } from '../products/instance-name.js';
import type { KubeObject } from '../model/k8s-object.js';
import { cidr, istioObject as object, metadata } from './istio-object.js';
import { endpointHost, objectName, serviceEntryName, servicePortProtocolName, subsetName } from './names.js';
import { gatewayServerName } from './port-names.js';
import { egressGatewayHost, type RenderSettings } from './render-settings.js';

/** An endpoint with the egress gateway port allocated to it (egress-gateway mode only). */
export interface RoutedEndpoint extends Endpoint {
  readonly gatewayPort: number;
}

/**
 * One ServiceEntry per endpoint, as Istio's egress docs declare a TCP service outside the mesh: a stable host, the
 * address (TCP needs one, IST0134), STATIC resolution to the instance IP.
 * https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
function renderServiceEntry(instance: InstanceName, endpoint: Endpoint, settings: RenderSettings): KubeObject {
  return object('ServiceEntry', metadata(instance, serviceEntryName(instance, endpoint.role), settings), {
    hosts: [endpointHost(instance, endpoint.role, settings.hostSuffix)],
    addresses: [cidr(endpoint.address)],
    ports: [{ number: endpoint.port, name: servicePortProtocolName(instance), protocol: 'TCP' }],
    location: 'MESH_EXTERNAL',
    resolution: 'STATIC',
    endpoints: [{ address: endpoint.address }],
    exportTo: [...settings.exportTo],
  });
}

/**
 * Gateway, DestinationRule and VirtualService that send the instance's traffic through the egress gateway, following
 * https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/#egress-gateway-for-tcp-traffic.
 * Plain TCP cannot be told apart by destination at the gateway, so each endpoint has its own gateway port.
 */
function renderGatewayRoute(
  instance: InstanceName,
  endpoints: readonly RoutedEndpoint[],
  settings: RenderSettings,
): KubeObject[] {
  const name = objectName(instance);
  const host = (role: EndpointRole): string => endpointHost(instance, role, settings.hostSuffix);
  const gateway = object('Gateway', metadata(instance, name, settings), {
    selector: { ...settings.egressGateway.selector },
    servers: endpoints.map((e) => ({
      port: { number: e.gatewayPort, name: gatewayServerName(instance, e.role), protocol: 'TCP' },
      hosts: [host(e.role)],
    })),
  });
  const destinationRule = object('DestinationRule', metadata(instance, name, settings), {
    host: egressGatewayHost(settings),
    subsets: endpoints.map((e) => ({ name: subsetName(instance, e.role) })),
  });
  const virtualService = object('VirtualService', metadata(instance, name, settings), {
    hosts: endpoints.map((e) => host(e.role)),
    gateways: ['mesh', name],
    tcp: endpoints.flatMap((e) => [
      {
        match: [{ gateways: ['mesh'], destinationSubnets: [cidr(e.address)], port: e.port }],
        route: [
          {
            destination: {
              host: egressGatewayHost(settings),
              subset: subsetName(instance, e.role),
              port: { number: e.gatewayPort },
            },
          },
        ],
      },
      {
        match: [{ gateways: [name], port: e.gatewayPort }],
        route: [{ destination: { host: host(e.role), port: { number: e.port } } }],
      },
    ]),
  });
  return [gateway, destinationRule, virtualService];
}

/** `direct` mode: ServiceEntries only, so sidecars may reach the instance themselves. */
export function renderDirect(
  instance: InstanceName,
  endpoints: readonly Endpoint[],
  settings: RenderSettings,
): KubeObject[] {
  return endpoints.map((e) => renderServiceEntry(instance, e, settings));
}

/** `egress-gateway` mode: ServiceEntries, then Gateway, DestinationRule and VirtualService. */
export function renderEgress(
  instance: InstanceName,
  endpoints: readonly RoutedEndpoint[],
  settings: RenderSettings,
): KubeObject[] {
  return [...renderDirect(instance, endpoints, settings), ...renderGatewayRoute(instance, endpoints, settings)];
}
