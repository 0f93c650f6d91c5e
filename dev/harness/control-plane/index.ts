export {
  DEFAULT_USERS,
  startControlPlane,
  type ControlPlane,
  type ControlPlaneOptions,
} from './start-control-plane.js';
export { applyManifests, createAll, parseManifests } from './manifests.js';
export {
  bindRbac,
  createEgressGatewayFixtures,
  egressGatewayAnalyzeInputs,
  renderRbac,
  type EgressGatewayOptions,
  type RbacOptions,
} from './fixtures.js';
export {
  admissionPolicyName,
  bindAdmissionPolicy,
  renderAdmissionPolicy,
  unbindAdmissionPolicy,
  type AdmissionPolicyOptions,
} from './admission-policy.js';
export { loadKubeconfig, writeKubeconfig } from './kubeconfig.js';
export { installCrds } from './install-crds.js';
export { outcome, type Outcome } from './outcome.js';
