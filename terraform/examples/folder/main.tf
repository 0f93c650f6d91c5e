# Memorystore instances in several service projects of a Shared VPC, all under one folder, and the GKE cluster and the
# functions in a host or platform project: one aggregated Logging sink on the folder routes the listed projects'
# Memorystore audit entries to the events topic, and the functions may read instances anywhere under the folder.
# Set the variables in terraform.tfvars (see terraform.tfvars.example), then
#   terraform init && terraform apply
# With memorystore_projects empty, every project under the folder is synced: the resync finds the instances with Cloud
# Asset Inventory, and its identity gets roles/cloudasset.viewer on the folder.
# Whoever applies needs, on the folder, roles/logging.configWriter (the sink) and roles/resourcemanager.folderIamAdmin
# (the viewer grants), besides what the basic example needs in project_id.

provider "google" {
  project = var.project_id
  region  = var.region
}

data "google_client_config" "current" {}

module "memorystore_egress_sync" {
  source = "../.."

  project_id           = var.project_id
  region               = var.region
  gke_cluster_name     = var.gke_cluster_name
  gke_cluster_location = var.gke_cluster_location
  memorystore_projects = var.memorystore_projects
  memorystore_folder   = var.memorystore_folder
  memorystore_products = var.memorystore_products
  resync_operators     = var.resync_operators
  labels               = var.labels
}

# The functions' RBAC in the cluster, installed as whoever runs terraform, over the endpoint the functions use.
provider "kubernetes" {
  host                   = module.memorystore_egress_sync.cluster_endpoints[var.gke_cluster_name].host
  token                  = data.google_client_config.current.access_token
  cluster_ca_certificate = module.memorystore_egress_sync.cluster_endpoints[var.gke_cluster_name].cluster_ca_certificate
}
