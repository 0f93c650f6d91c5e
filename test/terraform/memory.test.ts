import { parse } from '@cdktf/hcl2json';
import {
  block,
  loadModule,
  resource,
  TERRAFORM_DIR,
  type TerraformModule,
} from '../../dev/terraform/load-terraform.js';

/**
 * Each enabled product's client library stays in every invocation's heap: with all four, a resync at 256Mi dies of
 * heap exhaustion at 3,000 instances of each (npm run bench:memory, docs/performance.md). The module chooses the size
 * from the products when it is left unset, and warns of 256Mi with several.
 */
let tf: TerraformModule;
beforeAll(async () => {
  tf = await loadModule(TERRAFORM_DIR);
});

test('unset, the memory is 256Mi for one product and 512Mi for more, and the functions and the heap ceiling use it', () => {
  expect(tf.variables['function_memory']!['default']).toBeNull();
  expect(tf.locals['function_memory']).toBe(
    '${coalesce(var.function_memory, length(var.memorystore_products) > 1 ? "512Mi" : "256Mi")}',
  );
  for (const name of ['sync', 'resync'])
    expect(block(resource(tf, 'google_cloudfunctions2_function', name), 'service_config')['available_memory']).toBe(
      '${local.function_memory}',
    );
  const environment = tf.locals['function_environment'] as Record<string, string>;
  expect(environment['NODE_OPTIONS']).toContain('local.heap_ceiling_mib[local.function_memory]');
  // The module reads the chosen size everywhere, never the variable itself.
  const readers = Object.entries(tf.files).filter(([, text]) => text.includes('var.function_memory'));
  expect(readers.map(([file]) => file).sort()).toEqual(['memory.tf', 'variables.tf']);
});

test('256Mi with several products is warned of at plan, naming the variable and the figure', async () => {
  const parsed = (await parse('memory.tf', tf.files['memory.tf']!)) as {
    check?: Record<string, Array<{ assert: Array<{ condition: string; error_message: string }> }>>;
  };
  const assert = parsed.check?.['memory_for_products']?.[0]?.assert[0];
  expect(assert?.condition).toBe('${!(local.function_memory == "256Mi" && length(var.memorystore_products) > 1)}');
  expect(assert?.error_message).toMatch(/function_memory = \\?"256Mi\\?".*3,000 instances of each/);
});
