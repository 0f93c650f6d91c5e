# A complete deployment that keeps two GKE clusters in step: set the variables in terraform.tfvars (see
# terraform.tfvars.example), then
#   terraform init && terraform apply
# For one cluster only, drop second_cluster (and additional_clusters below), the kubernetes provider "second" and
# module "second_cluster_rbac". For a third, add the cluster to additional_clusters and a provider and a module call
# like those of the second.

provider "google" {
  project = var.project_id
  region  = var.region
}

data "google_client_config" "current" {}

module "memorystore_egress_sync" {
  source = "../.."

  project_id            = var.project_id
  region                = var.region
  gke_cluster_name      = var.gke_cluster_name
  gke_cluster_location  = var.gke_cluster_location
  gke_endpoint          = var.gke_endpoint
  additional_clusters   = [var.second_cluster]
  vpc_connector         = var.vpc_connector
  memorystore_locations = var.memorystore_locations
  resync_operators      = var.resync_operators
  notification_channels = var.notification_channels
  labels                = var.labels
}

# The kubernetes providers install the functions' RBAC, as whoever runs terraform (they need RBAC admin rights in
# each cluster), over the same endpoint the functions use (the module's cluster_endpoints output, known at plan; no
# CA for a DNS-based endpoint, whose certificate is publicly trusted). The default provider serves the primary
# cluster, whose RBAC the module installs itself.
provider "kubernetes" {
  host                   = module.memorystore_egress_sync.cluster_endpoints[var.gke_cluster_name].host
  token                  = data.google_client_config.current.access_token
  cluster_ca_certificate = module.memorystore_egress_sync.cluster_endpoints[var.gke_cluster_name].cluster_ca_certificate
}

provider "kubernetes" {
  alias                  = "second"
  host                   = module.memorystore_egress_sync.cluster_endpoints[var.second_cluster.name].host
  token                  = data.google_client_config.current.access_token
  cluster_ca_certificate = module.memorystore_egress_sync.cluster_endpoints[var.second_cluster.name].cluster_ca_certificate
}

# The same RBAC and admission policy in the second cluster, for the same identities.
module "second_cluster_rbac" {
  source    = "../../modules/cluster-rbac"
  providers = { kubernetes = kubernetes.second }
  settings  = module.memorystore_egress_sync.cluster_rbac[var.second_cluster.name]
}
