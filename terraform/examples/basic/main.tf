# A complete deployment: set the variables in terraform.tfvars (see terraform.tfvars.example), then
#   terraform init && terraform apply

provider "google" {
  project = var.project_id
  region  = var.region
}

data "google_client_config" "current" {}

data "google_container_cluster" "target" {
  project  = var.project_id
  name     = var.gke_cluster_name
  location = var.gke_cluster_location
}

# The kubernetes provider installs the functions' RBAC, as whoever runs terraform (they need RBAC admin rights).
provider "kubernetes" {
  host                   = "https://${data.google_container_cluster.target.endpoint}"
  token                  = data.google_client_config.current.access_token
  cluster_ca_certificate = base64decode(data.google_container_cluster.target.master_auth[0].cluster_ca_certificate)
}

module "memorystore_egress_sync" {
  source = "../.."

  project_id            = var.project_id
  region                = var.region
  gke_cluster_name      = var.gke_cluster_name
  gke_cluster_location  = var.gke_cluster_location
  memorystore_locations = var.memorystore_locations
  resync_invokers       = var.resync_invokers
  notification_channels = var.notification_channels
}
