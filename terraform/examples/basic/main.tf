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

# The kubernetes provider installs the functions' RBAC, as whoever runs terraform (they need RBAC admin rights), over
# the same endpoint the functions use. The DNS-based endpoint has a publicly trusted certificate: no CA.
locals {
  cluster = data.google_container_cluster.target
  kubernetes_hosts = {
    dns     = try(local.cluster.control_plane_endpoints_config[0].dns_endpoint_config[0].endpoint, "")
    private = try(local.cluster.private_cluster_config[0].private_endpoint, "")
    public  = local.cluster.endpoint
  }
}

provider "kubernetes" {
  host                   = "https://${local.kubernetes_hosts[var.gke_endpoint]}"
  token                  = data.google_client_config.current.access_token
  cluster_ca_certificate = var.gke_endpoint == "dns" ? null : base64decode(local.cluster.master_auth[0].cluster_ca_certificate)
}

module "memorystore_egress_sync" {
  source = "../.."

  project_id            = var.project_id
  region                = var.region
  gke_cluster_name      = var.gke_cluster_name
  gke_cluster_location  = var.gke_cluster_location
  gke_endpoint          = var.gke_endpoint
  vpc_connector         = var.vpc_connector
  memorystore_locations = var.memorystore_locations
  resync_invokers       = var.resync_invokers
  notification_channels = var.notification_channels
  labels                = var.labels
}
