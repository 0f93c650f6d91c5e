# Kubernetes RBAC for the functions' identities: the same manifest the real-stack tests bind. GKE names a Google
# service account user by its email.

locals {
  rbac_documents = var.manage_kubernetes_rbac ? {
    for pair in setproduct(["sync", "resync"], range(4)) : "${pair[0]}/${pair[1]}" => yamldecode(split("\n---\n", templatefile("${path.module}/kubernetes/rbac.yaml.tftpl", {
      istio_namespace          = var.istio_namespace
      egress_gateway_namespace = var.egress_gateway_namespace
      egress_gateway_service   = var.egress_gateway_service
      sync_user                = pair[0] == "sync" ? google_service_account.sync.email : google_service_account.resync.email
    }))[pair[1]])
  } : {}
}

resource "kubernetes_manifest" "rbac" {
  # Each identity gets its own copy of the Roles and bindings, named after it.
  for_each = local.rbac_documents
  manifest = merge(each.value, {
    metadata = merge(each.value.metadata, { name = "${each.value.metadata.name}-${split("/", each.key)[0]}" })
    }, each.value.kind == "RoleBinding" ? {
    roleRef = merge(each.value.roleRef, { name = "${each.value.roleRef.name}-${split("/", each.key)[0]}" })
  } : {})
}
