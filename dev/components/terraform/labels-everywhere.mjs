// Every resource of the module whose type, in the google provider's real schema, takes `labels` (or, for alert
// policies, `user_labels`) must set it to var.labels. Reading the schema keeps the list of labelled types from going
// stale as resources are added.
//   node labels-everywhere.mjs <google schema.json> <terraform dir>
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import process, { argv, exit } from 'node:process';
import { parse } from '@cdktf/hcl2json';

const [schemaPath, dir] = argv.slice(2);
const schemas = JSON.parse(readFileSync(schemaPath, 'utf8')).resource_schemas;

/** The label argument a resource type takes, if any. */
function labelField(type) {
  const attributes = schemas[type]?.block.attributes ?? {};
  return ['labels', 'user_labels'].find((name) => attributes[name] && !attributes[name].computed);
}

const labelled = [];
for (const file of readdirSync(dir).filter((f) => f.endsWith('.tf'))) {
  const resources = (await parse(file, readFileSync(join(dir, file), 'utf8'))).resource ?? {};
  for (const [type, byName] of Object.entries(resources)) {
    const field = labelField(type);
    if (field)
      labelled.push(
        ...Object.entries(byName).map(([name, [block]]) => ({ at: `${type}.${name}.${field}`, value: block[field] })),
      );
  }
}
const missing = labelled.filter((r) => r.value !== '${var.labels}').map((r) => r.at);
if (missing.length > 0) {
  process.stderr.write(`these take labels but do not get var.labels: ${missing.join(', ')}\n`);
  exit(1);
}
process.stdout.write(`all ${labelled.length} resources that take labels get var.labels\n`);
