import type { InstanceAccess } from '../model/access.js';
import type { Endpoint, EndpointRole } from '../model/instance.js';
import type { InstanceName } from '../products/instance-name.js';
import type { KubeObject } from '../model/k8s-object.js';
import { cidr, istioObject as object, metadata } from './istio-object.js';
import { endpointHost, objectName, serviceEntryName, servicePortProtocolName, subsetName } from './names.js';
import { gatewayServerName } from './port-names.js';
import { portServiceHost } from '../config/gateway-services.js';
import type { RenderSettings } from './render-settings.js';
import { accessAnnotations, accessExportTo, renderAuthorizationPolicy } from './render-access.js';

/** An endpoint with the egress gateway port allocated to it (egress-gateway mode only). */
export interface RoutedEndpoint extends Endpoint {
  readonly gatewayPort: number;
}

/**
 * One ServiceEntry per endpoint, as Istio's egress docs declare a TCP service outside the mesh: a stable host, the
 * address (TCP needs one, IST0134), STATIC resolution to the instance IP.
 * https://istio.io/latest/docs/reference/config/networking/service-entry/
 */
function renderServiceEntry(
  instance: InstanceName,
  endpoint: Endpoint,
  settings: RenderSettings,
  access?: InstanceAccess,
): KubeObject {
  const meta = metadata(instance, serviceEntryName(instance, endpoint.role), settings);
  return object('ServiceEntry', access ? accessAnnotations(meta, access) : meta, {
    hosts: [endpointHost(instance, endpoint.role, settings.hostSuffix)],
    addresses: [cidr(endpoint.address)],
    ports: [{ number: endpoint.port, name: servicePortProtocolName(instance), protocol: 'TCP' }],
    location: 'MESH_EXTERNAL',
    resolution: 'STATIC',
    endpoints: [{ address: endpoint.address }],
    exportTo: access ? accessExportTo(access, settings) : [...settings.exportTo],
  });
}

/**
 * Gateway, DestinationRule and VirtualService that send the instance's traffic through the egress gateway, following
 * https://istio.io/latest/docs/tasks/traffic-management/egress/egress-gateway/#egress-gateway-for-tcp-traffic.
 * Plain TCP cannot be told apart by destination at the gateway, so each endpoint has its own gateway port.
 * With access declared, the sidecar → gateway leg is Istio mutual TLS, as Istio's recipe for TCP egress through a
 * gateway with mutual TLS does it (a subset with ISTIO_MUTUAL and the endpoint's host as SNI, a TLS server with
 * ISTIO_MUTUAL on the gateway): the gateway then knows each caller's identity and its policy can check it.
 * https://istio.io/latest/blog/2018/egress-mongo/#direct-tcp-egress-traffic-through-an-egress-gateway-with-mutual-tls
 */
export function renderGatewayRoute(
  instance: InstanceName,
  endpoints: readonly RoutedEndpoint[],
  settings: RenderSettings,
  access?: InstanceAccess,
): KubeObject[] {
  const name = objectName(instance);
  const host = (role: EndpointRole): string => endpointHost(instance, role, settings.hostSuffix);
  const exportTo = access ? { exportTo: accessExportTo(access, settings) } : {};
  const mutual = { mode: 'ISTIO_MUTUAL' } as const;
  const gateway = object('Gateway', metadata(instance, name, settings), {
    selector: { ...settings.egressGateway.selector },
    servers: endpoints.map((e) => ({
      port: { number: e.gatewayPort, name: gatewayServerName(instance, e.role), protocol: access ? 'TLS' : 'TCP' },
      hosts: [host(e.role)],
      ...(access ? { tls: mutual } : {}),
    })),
  });
  // The allocator keeps an instance's gateway ports on one Service (gateway-services.ts): one rule holds its subsets.
  const destinationRule = object('DestinationRule', metadata(instance, name, settings), {
    host: portServiceHost(settings, endpoints[0]?.gatewayPort ?? settings.gatewayPortRange.from),
    subsets: endpoints.map((e) => ({
      name: subsetName(instance, e.role),
      ...(access ? { trafficPolicy: { tls: { ...mutual, sni: host(e.role) } } } : {}),
    })),
    // Not narrowed: every instance's rule is for the same host, and Istio does not merge rules of one host whose
    // exportTo differ, so a sidecar would be routed to a subset it never got. The rule grants nothing by itself.
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
              host: portServiceHost(settings, e.gatewayPort),
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
    ...exportTo,
  });
  const policy = access
    ? [
        renderAuthorizationPolicy(
          instance,
          endpoints.map((e) => e.gatewayPort),
          access,
          settings,
        ),
      ]
    : [];
  return [gateway, destinationRule, virtualService, ...policy];
}

/**
 * `direct` mode: ServiceEntries only, so sidecars may reach the instance themselves. With `access` (declared mode)
 * they are exported only to the declaring namespaces and the egress gateway's.
 */
export function renderDirect(
  instance: InstanceName,
  endpoints: readonly Endpoint[],
  settings: RenderSettings,
  access?: InstanceAccess,
): KubeObject[] {
  return endpoints.map((e) => renderServiceEntry(instance, e, settings, access));
}

/**
 * `egress-gateway` mode: ServiceEntries, then Gateway, DestinationRule and VirtualService; with `access` (declared
 * mode) Istio mutual TLS to the gateway, narrowed exportTo, and an AuthorizationPolicy last.
 */
export function renderEgress(
  instance: InstanceName,
  endpoints: readonly RoutedEndpoint[],
  settings: RenderSettings,
  access?: InstanceAccess,
): KubeObject[] {
  return [
    ...renderDirect(instance, endpoints, settings, access),
    ...renderGatewayRoute(instance, endpoints, settings, access),
  ];
}
