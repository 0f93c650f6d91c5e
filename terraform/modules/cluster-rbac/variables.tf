variable "settings" {
  description = "What to install in this cluster, as the root module's cluster_rbac output gives it for each cluster: the functions' identities (emails, known at plan), the cluster's Istio namespace, the egress gateway Service, the deployment's owner_id, the settings the admission policy holds the functions' writes to (host_suffix, export_to, egress_gateway_selector, gateway_port_range, ambient_waypoint: the functions' own), and whether to install the RBAC, the admission policy and the MemorystoreAccess CRD."
  type = object({
    identities                = object({ sync = string, resync = string })
    istio_namespace           = string
    egress_gateway_namespace  = string
    egress_gateway_service    = string
    owner_id                  = string
    host_suffix               = string
    export_to                 = list(string)
    egress_gateway_selector   = map(string)
    gateway_port_range        = object({ from = number, to = number })
    gateway_ports_per_service = optional(number, 1000)
    ambient_waypoint          = optional(string, "waypoint")
    manage_rbac               = bool
    manage_admission_policy   = bool
    manage_access_crd         = optional(bool, true)
  })
  validation {
    condition     = alltrue([for email in values(var.settings.identities) : can(regex("^[^@\\s]+@[^@\\s]+\\.gserviceaccount\\.com$", email))])
    error_message = "settings.identities must hold the functions' service account emails (GKE names a Google service account user by its email)."
  }
  validation {
    condition     = alltrue([for ns in [var.settings.istio_namespace, var.settings.egress_gateway_namespace] : can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", ns))])
    error_message = "settings.istio_namespace and settings.egress_gateway_namespace must be Kubernetes namespace names."
  }
}
