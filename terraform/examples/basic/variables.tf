variable "project_id" {
  description = "Project with the Memorystore instances, the GKE cluster and the functions."
  type        = string
}

variable "region" {
  description = "Region of the functions."
  type        = string
  default     = "us-central1"
}

variable "gke_cluster_name" {
  description = "The primary GKE cluster running Istio with outboundTrafficPolicy REGISTRY_ONLY."
  type        = string
}

variable "gke_cluster_location" {
  description = "Region or zone of the GKE cluster."
  type        = string
}

variable "second_cluster" {
  description = "A second GKE cluster kept in step with the first: name, location, and optionally project (default project_id), endpoint (dns, private or public; default gke_endpoint), sync_mode, gateway_bridge (ambient mode's), istio_namespace and networks (the VPC networks its pods reach; default its own)."
  type = object({
    name            = string
    location        = string
    project         = optional(string)
    endpoint        = optional(string)
    sync_mode       = optional(string)
    gateway_bridge  = optional(bool)
    istio_namespace = optional(string)
    networks        = optional(list(string))
  })
}

variable "memorystore_locations" {
  description = "Regions whose instances are synced; [\"-\"] means all."
  type        = list(string)
  default     = ["-"]
}

variable "resync_operators" {
  description = "People (user: or group:) who may call resync by hand, as the operator account, e.g. [\"user:alice@example.com\"]."
  type        = list(string)
  default     = []
}

variable "notification_channels" {
  description = "Monitoring notification channels for the dead-letter alert."
  type        = list(string)
  default     = []
}

variable "gke_endpoint" {
  description = "Control-plane endpoint the functions (and this configuration's kubernetes providers) use: dns (recommended), private or public; second_cluster may choose its own."
  type        = string
  default     = "dns"
}

variable "vpc_connector" {
  description = "Serverless VPC Access connector for gke_endpoint = \"private\"."
  type        = string
  default     = null
}

variable "labels" {
  description = "Labels for every resource that takes them."
  type        = map(string)
  default     = {}
}
