# Kubernetes RBAC for the functions' identities, from the same manifest the real-component tests bind. GKE names a
# Google service account user by its email. The manifest is rendered once per identity; each copy's Roles and
# RoleBindings get the identity's name as a suffix, so the two never overwrite each other.
#
# kubernetes_manifest asks the cluster about each manifest while planning, so every manifest must be known then:
# one rendered from a value known only after apply is unknown as a whole, and the plan stops ("API did not recognize
# GroupVersionKind from manifest"). The emails therefore come from the account ids and the project, which are known
# (iam.tf), not from the accounts' `email`, which google < 6.13 leaves unknown until the account exists. The CI plan
# check plans the old wiring against the provider floor and expects exactly that failure.

locals {
  rbac_template = "${path.module}/kubernetes/rbac.yaml.tftpl"
  rbac_values = {
    istio_namespace          = var.istio_namespace
    egress_gateway_namespace = var.egress_gateway_namespace
    egress_gateway_service   = var.egress_gateway_service
    # The audit outbox ConfigMap (shared/audit/audit-outbox.ts outboxName): one per deployment.
    audit_outbox = "memorystore-egress-sync-audit-outbox-${lower(replace(var.owner_id, "_", "-"))}"
  }
  rbac_users = var.manage_kubernetes_rbac ? { for who in ["sync", "resync"] : who => local.service_account_emails_at_plan[who] } : {}
  # for_each keys must be known when planning and the emails are not yet: the documents are listed from a rendering
  # with a stand-in user, and each identity's own rendering supplies the values.
  rbac_shapes = [for d in split("\n---\n", templatefile(local.rbac_template, merge(local.rbac_values, { sync_user = "user@example.com" }))) : yamldecode(d)]
  rbac_documents = merge([
    for who, email in local.rbac_users : {
      for i, shape in local.rbac_shapes : "${who}/${shape.kind}/${shape.metadata.name}" => {
        who      = who
        manifest = yamldecode(split("\n---\n", templatefile(local.rbac_template, merge(local.rbac_values, { sync_user = email })))[i])
      }
    }
  ]...)
}

resource "kubernetes_manifest" "rbac" {
  for_each = local.rbac_documents
  manifest = merge(each.value.manifest, {
    metadata = merge(each.value.manifest.metadata, { name = "${each.value.manifest.metadata.name}-${each.value.who}" })
    }, each.value.manifest.kind == "RoleBinding" ? {
    roleRef = merge(each.value.manifest.roleRef, { name = "${each.value.manifest.roleRef.name}-${each.value.who}" })
  } : {})
}

# The admission policy that limits what the same identities may write, beyond RBAC: on the egress gateway Service only
# ports named as the project names them, on the Istio kinds only objects labelled as this deployment's (see
# kubernetes/admission-policy.yaml.tftpl). One policy and binding per kind of object, naming both identities. Policies
# are cluster-wide objects, so their names carry the owner id: two deployments in one cluster keep theirs apart.
locals {
  admission_policy_template = "${path.module}/kubernetes/admission-policy.yaml.tftpl"
  admission_policy_name     = "memorystore-egress-sync-${lower(replace(var.owner_id, "_", "-"))}"
  admission_policy_values = merge(local.rbac_values, {
    policy_name = local.admission_policy_name
    owner_id    = var.owner_id
    sync_user   = local.service_account_emails_at_plan["sync"]
    resync_user = local.service_account_emails_at_plan["resync"]
  })
  # Filtered with `if`, not a conditional: the documents differ in shape, so `cond ? {...} : {}` has no single type.
  admission_policy_documents = {
    for d in split("\n---\n", templatefile(local.admission_policy_template, local.admission_policy_values)) : "${yamldecode(d).kind}/${yamldecode(d).metadata.name}" => yamldecode(d)
    if var.manage_admission_policy
  }
}

resource "kubernetes_manifest" "admission_policy" {
  for_each = local.admission_policy_documents
  manifest = each.value
}
