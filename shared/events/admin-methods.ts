import type { AdminMethods } from '../products/product-module.js';
import { PRODUCT_MODULES, type Product } from '../products/registry.js';

/**
 * The admin methods of each product (its module's `adminMethods`), as they appear in `protoPayload.methodName` of
 * Admin Activity audit entries. Terraform's sink filter lists the same (a test checks that the two agree).
 */
export const ADMIN_METHODS: Readonly<Record<Product, AdminMethods>> = Object.fromEntries(
  PRODUCT_MODULES.map((m) => [m.id, m.adminMethods]),
) as Record<Product, AdminMethods>;

// A method name is a protobuf identifier; the longest of these APIs' is well under 64 characters, so a longer one is
// not ours.
const METHOD = /^(.+)\.([A-Za-z]{1,64})$/;

export type MethodKind =
  { kind: 'changes'; method: string } | { kind: 'no-change'; method: string } | { kind: 'unknown' };

/** Whether a method of `product`'s API changes instances, leaves them be, or is not one of its methods at all. */
export function classifyMethod(product: Product, methodName: string): MethodKind {
  const match = METHOD.exec(methodName);
  const methods = ADMIN_METHODS[product];
  if (!match?.[1] || !match[2] || !methods.interfaces.includes(match[1])) return { kind: 'unknown' };
  return methods.changing.includes(match[2])
    ? { kind: 'changes', method: match[2] }
    : { kind: 'no-change', method: match[2] };
}
