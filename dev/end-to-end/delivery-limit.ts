import { join } from 'node:path';
import { REPO_ROOT } from '../harness/process.js';
import { loadModule } from '../terraform/load-terraform.js';

/**
 * The deliveries an event gets before the push subscription dead-letters it, as the Terraform module sets it by
 * default (`max_delivery_attempts`): the bound every event must converge within.
 */
export async function deliveryLimit(): Promise<number> {
  const variable = (await loadModule(join(REPO_ROOT, 'terraform'))).variables['max_delivery_attempts'];
  const limit = variable?.['default'];
  if (typeof limit !== 'number') throw new Error('terraform: variable max_delivery_attempts has no numeric default');
  return limit;
}
