# The GKE clusters the functions keep in step: the primary (gke_cluster_name, in project_id) first, then
# additional_clusters. The functions get them all as SYNC_CLUSTERS, a JSON array in this order; each cluster's name
# there is its GKE name, which also names it in audit records.
locals {
  clusters = concat(
    [{
      name            = var.gke_cluster_name
      location        = var.gke_cluster_location
      project         = var.project_id
      endpoint        = var.gke_endpoint
      sync_mode       = tostring(null)
      gateway_bridge  = tobool(null)
      istio_namespace = tostring(null)
      networks        = var.gke_cluster_networks
    }],
    [for c in var.additional_clusters : {
      name            = c.name
      location        = c.location
      project         = coalesce(c.project, var.project_id)
      endpoint        = coalesce(c.endpoint, var.gke_endpoint)
      sync_mode       = c.sync_mode
      gateway_bridge  = c.gateway_bridge
      istio_namespace = c.istio_namespace
      networks        = c.networks
    }],
  )
  # Grouped (`...`), so that a name given twice reaches the precondition below instead of failing as a duplicate key.
  clusters_by_name = { for c in local.clusters : c.name => c... }
  unique_clusters  = { for name, same in local.clusters_by_name : name => same[0] }
  # A cluster's region: its location, less the zone letter of a zonal cluster (us-central1-a: us-central1).
  cluster_regions = { for name, c in local.unique_clusters : name => replace(c.location, "/-[a-z]$/", "") }
}

# Data sources are read while planning, so they must not depend on anything the plan creates (the API they use, GKE,
# is on in any project that has a cluster).
data "google_container_cluster" "synced" {
  for_each = local.unique_clusters
  project  = each.value.project
  name     = each.value.name
  location = each.value.location

  lifecycle {
    # The gateway bridge is ambient mode's (shared/config/parse-config.ts refuses it elsewhere at start-up).
    precondition {
      condition     = each.value.gateway_bridge != true || coalesce(each.value.sync_mode, var.sync_mode) == "ambient"
      error_message = "Cluster ${each.key} sets gateway_bridge = true in sync_mode ${coalesce(each.value.sync_mode, var.sync_mode)}: the gateway bridge goes with sync_mode = \"ambient\"."
    }
    precondition {
      condition     = !var.ambient_gateway_bridge || anytrue([for c in local.clusters : coalesce(c.sync_mode, var.sync_mode) == "ambient"])
      error_message = "ambient_gateway_bridge = true needs sync_mode = \"ambient\" (or a cluster of additional_clusters in ambient mode): the bridge keeps the egress gateway's route beside the waypoint."
    }
    precondition {
      condition     = length(local.clusters_by_name[each.key]) == 1
      error_message = "Cluster name ${each.key} is given ${length(local.clusters_by_name[each.key])} times (gke_cluster_name and additional_clusters): each synced cluster needs its own name, which names it in SYNC_CLUSTERS and in audit records."
    }
    # The DNS-based endpoint (*.gke.goog) "is accessible from the public internet", and allow_external_traffic
    # "controls whether user traffic is allowed over this endpoint" (container v1 DNSEndpointConfig,
    # https://cloud.google.com/dotnet/docs/reference/Google.Cloud.Container.V1/latest/Google.Cloud.Container.V1.ControlPlaneEndpointsConfig.Types.DNSEndpointConfig).
    postcondition {
      condition     = each.value.endpoint != "dns" || try(self.control_plane_endpoints_config[0].dns_endpoint_config[0].allow_external_traffic, false)
      error_message = "Cluster ${each.key} is reached by its DNS-based endpoint (gke_endpoint or its endpoint = \"dns\"), but it does not allow external traffic on its DNS-based control-plane endpoint, so the functions could not reach it. Allow it (gcloud container clusters update ${each.key} --location=${each.value.location} --project=${each.value.project} --enable-dns-access), or choose endpoint \"private\" with a vpc_connector."
    }
    postcondition {
      condition     = each.value.endpoint != "private" || try(self.private_cluster_config[0].private_endpoint, "") != ""
      error_message = "Cluster ${each.key} is reached by its private endpoint (endpoint = \"private\"), but it has no private endpoint."
    }
    # The connector is in the functions' region. A private control-plane endpoint is reached from another region
    # only when the cluster's control-plane global access is on ("whether master is accessible globally or not",
    # PrivateClusterMasterGlobalAccessConfig.enabled in the container v1 API,
    # https://cloud.google.com/dotnet/docs/reference/Google.Cloud.Container.V1/latest/Google.Cloud.Container.V1.PrivateClusterMasterGlobalAccessConfig).
    postcondition {
      condition     = each.value.endpoint != "private" || local.cluster_regions[each.key] == var.region || try(self.private_cluster_config[0].master_global_access_config[0].enabled, false)
      error_message = "Cluster ${each.key} is reached by its private endpoint from the functions' region ${var.region}, but it is in ${local.cluster_regions[each.key]} and its control plane has no global access, so it refuses clients of other regions. Turn it on (gcloud container clusters update ${each.key} --location=${each.value.location} --project=${each.value.project} --enable-master-global-access), or use endpoint \"dns\"."
    }
    precondition {
      condition     = each.value.endpoint != "private" || var.vpc_connector != null
      error_message = "Cluster ${each.key} is reached by its private endpoint (endpoint = \"private\"), which needs vpc_connector: the functions reach a private control-plane IP only through the VPC."
    }
  }
}

locals {
  # Per cluster, the endpoint its `endpoint` kind names and the CA to trust there: none for the DNS-based endpoint,
  # which is served with a publicly trusted certificate.
  cluster_hosts = { for name, cluster in data.google_container_cluster.synced : name => {
    dns     = try(cluster.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint, "")
    private = try(cluster.private_cluster_config[0].private_endpoint, "")
    public  = cluster.endpoint
  } }
  cluster_access = { for name, c in local.unique_clusters : name => {
    endpoint = local.cluster_hosts[name][c.endpoint]
    ca_cert  = c.endpoint == "dns" ? "" : data.google_container_cluster.synced[name].master_auth[0].cluster_ca_certificate
  } }

  # SYNC_CLUSTERS (shared/config/config-variables.ts): {name, endpoint, caCert, gke, networks} per cluster, endpoint and
  # caCert as the functions take a single cluster's (a host, and a base64 PEM or "" for system trust), with mode,
  # gatewayBridge and istioNamespace only where a cluster overrides SYNC_MODE, AMBIENT_GATEWAY_BRIDGE or ISTIO_NAMESPACE.
  sync_clusters = [for c in local.clusters : merge(
    { name = c.name, endpoint = local.cluster_access[c.name].endpoint, caCert = local.cluster_access[c.name].ca_cert },
    # The VPC networks its pods reach: as given, else its own. GKE reports the network by its relative name,
    # projects/P/global/networks/N (container v1 NetworkConfig.network), the form the Memorystore APIs use.
    { networks = coalesce(c.networks, [data.google_container_cluster.synced[c.name].network]) },
    # How GKE's audit entries name the cluster: a MemorystoreAccess declaration's entry reaches this cluster by it.
    { gke = "projects/${c.project}/locations/${c.location}/clusters/${c.name}" },
    { for key, value in { mode = c.sync_mode, istioNamespace = c.istio_namespace } : key => value if value != null },
    c.gateway_bridge == null ? {} : { gatewayBridge = c.gateway_bridge },
  )]
}
