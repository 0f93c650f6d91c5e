export { startControlPlane, type ControlPlane } from './start-control-plane.js';
export { bindRbac, createEgressGatewayFixtures, egressGatewayAnalyzeInputs, createAll } from './fixtures.js';
export { loadKubeconfig, writeKubeconfig } from './kubeconfig.js';
