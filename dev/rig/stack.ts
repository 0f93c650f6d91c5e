import { accessCrdPath, controlPlaneBinaries, istioCrdPath } from '../harness/control-plane/binaries.js';
import { startControlPlane, type ControlPlane } from '../harness/control-plane/index.js';
import { buildInBackground, componentPath } from '../harness/process.js';
import { startPubSubServer } from '../harness/pubsub/pstest-server.js';
import { startTokenIssuer, type TokenIssuer } from '../harness/id-tokens.js';

/**
 * The CRD bundles a local cluster gets, as the deployment's cluster has them: Istio's, and the MemorystoreAccess
 * declarations Terraform installs. A CRD the project comes to rely on is one more bundle here.
 */
const crdBundles = (): string[] => [istioCrdPath(), accessCrdPath()];

export interface RigClusterOptions {
  /** Users that get a token: the functions' identity and whoever a run acts as. */
  readonly users: readonly string[];
  /** An apiserver audit policy, for counting requests (the bench). */
  readonly auditPolicy?: string;
}

/** A real kube-apiserver on etcd with the deployment's CRDs. */
export function startRigCluster(options: RigClusterOptions): Promise<ControlPlane> {
  return startControlPlane({
    users: options.users,
    crdBundles: crdBundles(),
    ...(options.auditPolicy ? { auditPolicy: options.auditPolicy } : {}),
  });
}

export interface RigStack {
  readonly controlPlane: ControlPlane;
  /** `127.0.0.1:port` of the Pub/Sub server. */
  readonly pubsubHost: string;
  /** The local identity-token issuer, when asked for. */
  readonly issuer?: TokenIssuer;
  stop(): Promise<void>;
}

export type IstioTool = 'istioctl' | 'istio-sim';

export interface RigStackOptions extends RigClusterOptions {
  readonly issuer?: boolean;
  /** Istio's tools the run calls (default: both). */
  readonly istioTools?: readonly IstioTool[];
  /**
   * Build the tools while the stack starts and the run's first steps go on; their first call waits for the build. For
   * a run that does not time its steps (the demo, which needs the simulator only for its routing steps).
   */
  readonly istioToolsInBackground?: boolean;
}

/**
 * The stack every local deployment shares: the cluster, the Pub/Sub server and (`issuer`) an identity-token issuer.
 * Every component is built first (first run only: minutes), so no build runs inside a test's or a phase's time, unless
 * the run asks for Istio's tools in the background.
 */
export async function startRigStack(options: RigStackOptions): Promise<RigStack> {
  const tools = options.istioTools ?? ['istioctl', 'istio-sim'];
  if (options.istioToolsInBackground) {
    // All components come from one Go module (dev/components/go.mod): most of what Istio's tools compile, the control
    // plane's build has compiled already. So they build after it, from Go's cache, not beside it compiling the same
    // packages twice.
    controlPlaneBinaries();
    componentPath('pstest');
    tools.forEach((tool) => void buildInBackground(tool));
  } else {
    tools.forEach((tool) => componentPath(tool));
    componentPath('pstest'); // etcd, kube-apiserver: at their start
  }
  const [controlPlane, pubsub, issuer] = await Promise.all([
    startRigCluster(options),
    startPubSubServer(),
    options.issuer ? startTokenIssuer() : Promise.resolve(undefined),
  ]);
  return {
    controlPlane,
    pubsubHost: pubsub.host,
    ...(issuer ? { issuer } : {}),
    async stop() {
      await issuer?.close();
      await Promise.allSettled([controlPlane.stop(), pubsub.stop()]);
    },
  };
}
