variable "project_id" {
  description = "Project of the functions and the GKE cluster (a Shared VPC host or platform project)."
  type        = string
}

variable "region" {
  description = "Region of the functions."
  type        = string
  default     = "us-central1"
}

variable "gke_cluster_name" {
  description = "The GKE cluster running Istio with outboundTrafficPolicy REGISTRY_ONLY."
  type        = string
}

variable "gke_cluster_location" {
  description = "Region or zone of the GKE cluster."
  type        = string
}

variable "memorystore_projects" {
  description = "The service projects whose Memorystore instances are synced, all under memorystore_folder; empty: every project under the folder, found with Cloud Asset Inventory."
  type        = list(string)
  default     = []
}

variable "memorystore_folder" {
  description = "The folder holding memorystore_projects, folders/NUMBER."
  type        = string
}

variable "memorystore_products" {
  description = "Memorystore products whose instances are synced."
  type        = list(string)
  default     = ["redis"]
}

variable "resync_operators" {
  description = "People (user: or group:) who may call resync by hand, as the operator account."
  type        = list(string)
  default     = []
}

variable "labels" {
  description = "Labels for every resource that takes them."
  type        = map(string)
  default     = {}
}
