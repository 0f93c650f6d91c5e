# The functions' rights in each synced cluster: Kubernetes RBAC and the admission policy (modules/cluster-rbac, from
# the same manifests the real-component tests bind). The root module installs them in the primary cluster through the
# default kubernetes provider; each further cluster (var.additional_clusters) gets them from a call of the same module
# in the calling configuration, with that cluster's own provider and cluster_rbac[NAME] (examples/basic does it for a
# second cluster).
#
# Why not one call per element of additional_clusters, here or in the caller:
#   - Terraform cannot choose a provider per element: a provider configuration is static, and `providers = {...}` in
#     a module call names one configuration for every instance of the call.
#   - OpenTofu (1.9 and later) can iterate provider configurations (`provider "kubernetes" { alias = "cluster",
#     for_each = ... }`, then `providers = { kubernetes = kubernetes.cluster[each.key] }`), but not for this module:
#     (1) it supports Terraform as well; (2) provider blocks belong in the root configuration, not in a called module
#     (https://opentofu.org/docs/language/modules/develop/providers/), so the loop would be the caller's anyway; and
#     (3) removing a cluster from the list would remove its provider instance in the same plan as its RBAC, while
#     OpenTofu needs that provider instance for one more plan/apply round to destroy what it made there
#     (https://opentofu.org/docs/language/meta-arguments/resource-provider). A caller on OpenTofu may still write
#     that loop over the cluster_endpoints and cluster_rbac outputs, keeping a removed cluster's provider one round.
#
# Every value the manifests are rendered from is known at plan (see modules/cluster-rbac): the identities are the
# emails derived from the account ids and the project (iam.tf), never the accounts' `email`.

locals {
  rbac_identities = { for who in ["sync", "resync"] : who => local.service_account_emails_at_plan[who] }
  # Per synced cluster, what modules/cluster-rbac installs there: the same identities and egress gateway everywhere,
  # the cluster's own Istio namespace.
  cluster_rbac = { for name, c in local.unique_clusters : name => {
    identities                = local.rbac_identities
    istio_namespace           = coalesce(c.istio_namespace, var.istio_namespace)
    egress_gateway_namespace  = var.egress_gateway_namespace
    egress_gateway_service    = var.egress_gateway_service
    owner_id                  = var.owner_id
    host_suffix               = var.service_entry_host_suffix
    export_to                 = var.service_entry_export_to
    egress_gateway_selector   = var.egress_gateway_selector
    gateway_port_range        = var.gateway_port_range
    gateway_ports_per_service = var.gateway_ports_per_service
    ambient_waypoint          = var.ambient_waypoint
    manage_rbac               = var.manage_kubernetes_rbac
    manage_admission_policy   = var.manage_admission_policy
    manage_access_crd         = var.manage_access_crd
  } }
}

module "primary_cluster_rbac" {
  source   = "./modules/cluster-rbac"
  settings = local.cluster_rbac[var.gke_cluster_name]
}

# The manifests were resources of this module before several clusters: an existing deployment keeps its RBAC and
# admission policy in place rather than deleting and re-creating them.
moved {
  from = kubernetes_manifest.rbac
  to   = module.primary_cluster_rbac.kubernetes_manifest.rbac
}
moved {
  from = kubernetes_manifest.admission_policy
  to   = module.primary_cluster_rbac.kubernetes_manifest.admission_policy
}
