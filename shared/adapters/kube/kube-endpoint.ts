/** TLS material of the connection to an apiserver, as node:tls takes it. */
export interface KubeTls {
  readonly ca?: Buffer;
  readonly cert?: Buffer;
  readonly key?: Buffer;
  readonly rejectUnauthorized?: boolean;
  readonly servername?: string;
}

/**
 * Where an apiserver is and how to be let in: all the HTTP client needs. A GKE cluster's endpoint is built from the
 * configuration and an ADC token alone, so the first event of a cold start does not load the Kubernetes client
 * library, which is only needed to read a kubeconfig.
 */
export interface KubeEndpoint {
  /** The apiserver's URL, with the path it is served under, if any (the Connect gateway has one). */
  readonly server: string;
  /** Read once, when the pooled connection is set up. */
  tls(): Promise<KubeTls>;
  /** The credential headers of one request: asked per request, since tokens expire while the process lives. */
  credentials(): Promise<Record<string, string>>;
}
