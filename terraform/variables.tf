variable "project_id" {
  description = "Project that hosts the functions and whose Memorystore for Redis instances are synced."
  type        = string
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", var.project_id))
    error_message = "project_id must be a project id (6-30 lowercase letters, digits or hyphens)."
  }
}

variable "region" {
  description = "Region of the functions, the scheduler job and the function source bucket."
  type        = string
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+$", var.region))
    error_message = "region must be a region such as us-central1."
  }
}

variable "name_prefix" {
  description = "Prefix of every resource name."
  type        = string
  default     = "memorystore-egress-sync"
  validation {
    condition     = can(regex("^[a-z][-a-z0-9]{2,28}$", var.name_prefix))
    error_message = "name_prefix must be 3-29 lowercase letters, digits or hyphens, starting with a letter."
  }
}

variable "source_dir" {
  description = "Repository root holding package.json, functions/ and shared/. The archive honours its .gcloudignore."
  type        = string
  default     = null
}

variable "runtime" {
  description = "Cloud Functions runtime; Node.js 22 or later (the Memorystore and Auth libraries need it)."
  type        = string
  default     = "nodejs22"
  validation {
    condition     = can(regex("^nodejs(2[2-9]|[3-9][0-9])$", var.runtime))
    error_message = "runtime must be nodejs22 or later."
  }
}

variable "instance_label_selector" {
  description = "Only instances whose Memorystore labels match get egress configuration (INSTANCE_LABEL_SELECTOR), e.g. \"mesh-egress=enabled\"; empty: every instance."
  type        = string
  default     = ""
  validation {
    condition     = can(regex("^(\\s*(![a-z][a-z0-9_-]{0,62}|[a-z][a-z0-9_-]{0,62}((!=|==?)[a-z0-9_-]{0,63})?)\\s*(,|$))*$", var.instance_label_selector))
    error_message = "instance_label_selector must be comma-separated key=value, key!=value, key or !key, with Memorystore label keys and values."
  }
}

variable "memorystore_products" {
  description = "Memorystore products whose instances are synced (MEMORYSTORE_PRODUCTS): keys of the table in products.tf (redis, the default, and the others it lists); a plan refuses any other. Each needs its API enabled and gets its viewer role and its admin methods in the Logging sink."
  type        = list(string)
  default     = ["redis"]
  validation {
    condition     = length(var.memorystore_products) > 0
    error_message = "memorystore_products must list one or more products."
  }
}

variable "memorystore_locations" {
  description = "Regions whose instances are synced; [\"-\"] means all regions."
  type        = list(string)
  default     = ["-"]
  validation {
    condition     = length(var.memorystore_locations) > 0 && alltrue([for l in var.memorystore_locations : can(regex("^(-|[a-z]+-[a-z]+[0-9]+)$", l))])
    error_message = "memorystore_locations must list regions such as us-central1, or be [\"-\"]."
  }
}

variable "gke_cluster_name" {
  description = "Name of the primary GKE cluster whose Istio egress configuration is managed; also its name in SYNC_CLUSTERS and in audit records."
  type        = string
  validation {
    # GKE's own rule for cluster names, which also makes them the DNS labels of at most 40 characters SYNC_CLUSTERS takes.
    condition     = can(regex("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$", var.gke_cluster_name))
    error_message = "gke_cluster_name must be a GKE cluster name: a lowercase letter, then at most 39 lowercase letters, digits or hyphens, not ending with a hyphen."
  }
}

variable "gke_cluster_location" {
  description = "Location (region or zone) of the GKE cluster."
  type        = string
  validation {
    condition     = can(regex("^[a-z]+-[a-z]+[0-9]+(-[a-z])?$", var.gke_cluster_location))
    error_message = "gke_cluster_location must be a region (us-central1) or a zone (us-central1-a)."
  }
}

variable "gke_cluster_networks" {
  description = "VPC networks (projects/P/global/networks/N) the primary cluster's pods reach; an instance on none of them is not written to it. null: the cluster's own GKE network. Add the networks its pods reach besides (through VPN or Network Connectivity Center, say)."
  type        = list(string)
  default     = null
  validation {
    condition     = var.gke_cluster_networks == null || length(coalesce(var.gke_cluster_networks, [])) > 0 && alltrue([for n in coalesce(var.gke_cluster_networks, []) : can(regex("^projects/[a-z0-9][-a-z0-9.:]*[a-z0-9]/global/networks/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", n))])
    error_message = "gke_cluster_networks: null, or at least one network, each projects/PROJECT/global/networks/NETWORK."
  }
}

variable "gke_endpoint" {
  description = "Which control-plane endpoint the functions call: dns (the DNS-based endpoint, *.gke.goog, reached with IAM from anywhere; recommended), private (the private IP, through vpc_connector) or public (the cluster's public IP endpoint)."
  type        = string
  default     = "dns"
  validation {
    condition     = contains(["dns", "private", "public"], var.gke_endpoint)
    error_message = "gke_endpoint must be dns, private or public."
  }
}

variable "additional_clusters" {
  description = "Further GKE clusters the same functions keep in step, after the primary one: name (also its name in SYNC_CLUSTERS and audit records), location, and optionally project (default project_id), endpoint (dns, private or public; default gke_endpoint), sync_mode (default sync_mode), gateway_bridge (ambient mode only; default ambient_gateway_bridge), istio_namespace (default istio_namespace) and networks (the VPC networks its pods reach, as gke_cluster_networks; default its own GKE network). Their RBAC is installed by calling modules/cluster-rbac once per cluster with its own kubernetes provider and cluster_rbac[name] (docs/design.md: several clusters)."
  type = list(object({
    name            = string
    location        = string
    project         = optional(string)
    endpoint        = optional(string)
    sync_mode       = optional(string)
    gateway_bridge  = optional(bool)
    istio_namespace = optional(string)
    networks        = optional(list(string))
  }))
  default = []
  validation {
    condition     = alltrue([for c in var.additional_clusters : can(regex("^[a-z]([-a-z0-9]{0,38}[a-z0-9])?$", c.name))]) && length(distinct([for c in var.additional_clusters : c.name])) == length(var.additional_clusters)
    error_message = "additional_clusters: each name must be a GKE cluster name (a lowercase letter, then at most 39 lowercase letters, digits or hyphens, not ending with a hyphen), and no name may appear twice."
  }
  validation {
    condition     = alltrue([for c in var.additional_clusters : can(regex("^[a-z]+-[a-z]+[0-9]+(-[a-z])?$", c.location)) && (c.project == null || can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", c.project)))])
    error_message = "additional_clusters: location must be a region (us-central1) or a zone (us-central1-a), and project, when given, a project id."
  }
  validation {
    condition = alltrue([for c in var.additional_clusters : (
      (c.endpoint == null || can(regex("^(dns|private|public)$", c.endpoint))) &&
      (c.sync_mode == null || can(regex("^(egress-gateway|direct|ambient)$", c.sync_mode))) &&
      (c.istio_namespace == null || can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", c.istio_namespace))) &&
      (c.networks == null || length(coalesce(c.networks, [])) > 0) &&
      alltrue([for n in coalesce(c.networks, []) : can(regex("^projects/[a-z0-9][-a-z0-9.:]*[a-z0-9]/global/networks/[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", n))])
    )])
    error_message = "additional_clusters: endpoint must be dns, private or public; sync_mode egress-gateway, direct or ambient; istio_namespace a Kubernetes namespace name; networks at least one projects/PROJECT/global/networks/NETWORK."
  }
}

variable "vpc_connector" {
  description = "Serverless VPC Access connector (projects/P/locations/R/connectors/C) both functions send traffic through; needed for gke_endpoint = \"private\". null: no VPC egress."
  type        = string
  default     = null
  validation {
    condition     = var.vpc_connector == null || can(regex("^projects/[^/]+/locations/[^/]+/connectors/[^/]+$", var.vpc_connector))
    error_message = "vpc_connector must be projects/PROJECT/locations/REGION/connectors/NAME."
  }
}

variable "vpc_egress" {
  description = "Which traffic goes through vpc_connector: PRIVATE_RANGES_ONLY (the private control plane; Google APIs stay direct) or ALL_TRAFFIC."
  type        = string
  default     = "PRIVATE_RANGES_ONLY"
  validation {
    condition     = contains(["PRIVATE_RANGES_ONLY", "ALL_TRAFFIC"], var.vpc_egress)
    error_message = "vpc_egress must be PRIVATE_RANGES_ONLY or ALL_TRAFFIC."
  }
}

variable "sync_mode" {
  description = "egress-gateway: ServiceEntry, Gateway, DestinationRule, VirtualService and an egress gateway Service port per endpoint. direct: ServiceEntry only. ambient: ServiceEntry labelled istio.io/use-waypoint (ambient_waypoint), served by the waypoint the installer deployed in istio_namespace, and with access_mode = declared an AuthorizationPolicy on it."
  type        = string
  default     = "egress-gateway"
  validation {
    condition     = contains(["egress-gateway", "direct", "ambient"], var.sync_mode)
    error_message = "sync_mode must be egress-gateway, direct or ambient."
  }
}

variable "ambient_waypoint" {
  description = "In ambient mode, the waypoint (its Gateway's name in istio_namespace) the ServiceEntries name in their istio.io/use-waypoint label. The waypoint and the namespace's enrolment are the installer's: nothing here writes them."
  type        = string
  default     = "waypoint"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.ambient_waypoint))
    error_message = "ambient_waypoint must be a Kubernetes object name (a DNS label)."
  }
}

variable "ambient_gateway_bridge" {
  description = "In ambient mode, keep each instance's egress gateway route (Gateway, DestinationRule, VirtualService, gateway port, and with access_mode = declared the gateway's AuthorizationPolicy) for pods still on sidecars, ending at the waypoint (istio.io/ingress-use-waypoint on the ServiceEntries), whose policy admits the declared callers and the egress gateway (egress_gateway_principal). The bridge of a move from egress-gateway to ambient mode: turn it off once no sidecar pod calls an instance. For every cluster in ambient mode that sets no gateway_bridge; true where no cluster is in ambient mode is refused at plan, as by the functions at start-up."
  type        = bool
  default     = false
}

variable "egress_gateway_principal" {
  description = "With ambient_gateway_bridge: the egress gateway's Istio principal (<trust domain>/ns/<namespace>/sa/<service account>), admitted by the waypoint's policies. Empty: <access_trust_domain>/ns/<egress_gateway_namespace>/sa/istio-egressgateway-service-account, as Istio's default install runs the gateway."
  type        = string
  default     = ""
  validation {
    condition     = var.egress_gateway_principal == "" || can(regex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?/ns/[a-z0-9][-a-z0-9]*/sa/[a-z0-9][-a-z0-9.]*$", var.egress_gateway_principal))
    error_message = "egress_gateway_principal must be empty or <trust domain>/ns/<namespace>/sa/<service account>."
  }
}

variable "sharded_node_ports" {
  description = "With sync_mode = direct, also declare a sharded target's node ports (TCP 11000-13047 on each of its PSC addresses, 32 ServiceEntries per target) so its clients can reach the nodes under REGISTRY_ONLY. Every sidecar then holds 2,048 listeners per address and 2,048 clusters per sharded target (docs/design.md: Memorystore products). No effect in egress-gateway mode."
  type        = bool
  default     = false
}

variable "istio_namespace" {
  description = "Namespace the Istio objects are written to."
  type        = string
  default     = "istio-system"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.istio_namespace))
    error_message = "istio_namespace must be a Kubernetes namespace name."
  }
}

variable "service_entry_host_suffix" {
  description = "DNS suffix of each instance's stable host name: <instance>.<region>.<project>.<suffix>."
  type        = string
  default     = "memorystore.internal"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$", var.service_entry_host_suffix))
    error_message = "service_entry_host_suffix must be a DNS name such as memorystore.internal."
  }
}

variable "service_entry_export_to" {
  description = "exportTo of the ServiceEntries: [\"*\"], [\".\"] or namespaces."
  type        = list(string)
  default     = ["*"]
  validation {
    condition     = length(var.service_entry_export_to) > 0 && alltrue([for n in var.service_entry_export_to : can(regex("^(\\*|\\.|~|[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)$", n))])
    error_message = "service_entry_export_to must list \"*\", \".\", \"~\" or namespace names."
  }
}

variable "egress_gateway_namespace" {
  description = "Namespace of the egress gateway Service."
  type        = string
  default     = "istio-system"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$", var.egress_gateway_namespace))
    error_message = "egress_gateway_namespace must be a Kubernetes namespace name."
  }
}

variable "egress_gateway_service" {
  description = "Name of the egress gateway Service; the functions add one port per Redis endpoint to it."
  type        = string
  default     = "istio-egressgateway"
  validation {
    condition     = can(regex("^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$", var.egress_gateway_service))
    error_message = "egress_gateway_service must be a Kubernetes Service name."
  }
}

variable "egress_gateway_selector" {
  description = "Pod labels of the egress gateway, used as the Gateway selector."
  type        = map(string)
  default     = { istio = "egressgateway" }
  validation {
    condition     = length(var.egress_gateway_selector) > 0
    error_message = "egress_gateway_selector needs at least one label."
  }
}

variable "gateway_port_range" {
  description = "Inclusive range from which each endpoint gets its own egress gateway port."
  type        = object({ from = number, to = number })
  default     = { from = 16000, to = 16999 }
  validation {
    condition     = var.gateway_port_range.from >= 1 && var.gateway_port_range.from <= var.gateway_port_range.to && var.gateway_port_range.to <= 65535
    error_message = "gateway_port_range needs 1 <= from <= to <= 65535."
  }
}

variable "gateway_ports_per_service" {
  description = "Gateway ports per Service (GATEWAY_PORTS_PER_SERVICE): the range is cut into blocks of this many, the first on the egress gateway Service, each later block on a Service of the deployment's own, <egress_gateway_service>-ports-<its first port> (one Service write is refused past about 5,000 ports). At most 1,000 Services of its own: the plan refuses a range that needs more."
  type        = number
  default     = 100
  validation {
    condition     = var.gateway_ports_per_service >= 1 && var.gateway_ports_per_service <= 2000 && floor(var.gateway_ports_per_service) == var.gateway_ports_per_service
    error_message = "gateway_ports_per_service needs a whole number from 1 to 2000."
  }
}

variable "owner_id" {
  description = "Identity of this deployment, written on every object it owns; deployments sharing a cluster need different ids."
  type        = string
  default     = "default"
  validation {
    condition     = can(regex("^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$", var.owner_id))
    error_message = "owner_id must be a valid Kubernetes label value."
  }
}

variable "max_prune_fraction" {
  description = "A resync that would delete more than this share of managed instances is refused unless called with force=true."
  type        = number
  default     = 0.5
  validation {
    condition     = var.max_prune_fraction >= 0 && var.max_prune_fraction <= 1
    error_message = "max_prune_fraction must be between 0 and 1."
  }
}

variable "access_mode" {
  description = "open: every namespace in service_entry_export_to may reach every synced instance (as before). declared: only the workloads a MemorystoreAccess declaration names may reach an instance (docs/least-access.md)."
  type        = string
  default     = "open"
  validation {
    condition     = contains(["open", "declared"], var.access_mode)
    error_message = "access_mode must be open or declared."
  }
}

variable "access_trust_domain" {
  description = "The mesh's trust domain: declared service accounts become the Istio principals <domain>/ns/<namespace>/sa/<account>."
  type        = string
  default     = "cluster.local"
  validation {
    condition     = can(regex("^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)*$", var.access_trust_domain))
    error_message = "access_trust_domain must be a DNS name (the mesh's trust domain, e.g. cluster.local or PROJECT.svc.id.goog)."
  }
}

variable "manage_access_crd" {
  description = "Install the MemorystoreAccess CustomResourceDefinition in each synced cluster. A CRD is cluster-wide: when two deployments share a cluster, let one of them install it."
  type        = bool
  default     = true
}

variable "port_quarantine_seconds" {
  description = "A freed egress gateway port is held back this long before another instance may get it (sidecars still routing to a deleted instance must not reach a new one). 0 frees ports at once."
  type        = number
  default     = 300
  validation {
    condition     = var.port_quarantine_seconds >= 0 && var.port_quarantine_seconds <= 86400
    error_message = "port_quarantine_seconds must be between 0 and 86400."
  }
}

variable "event_max_age_seconds" {
  description = "The event function drops events older than this (the scheduled resync repairs what they missed); bounds retries."
  type        = number
  default     = 3600
  validation {
    condition     = var.event_max_age_seconds >= 60 && var.event_max_age_seconds <= 86400
    error_message = "event_max_age_seconds must be between 60 and 86400 (Pub/Sub stops retrying after 24 hours anyway)."
  }
}

variable "cluster_deadline_seconds" {
  description = "One cluster's share of an event: past it, that cluster's part is published again to the events topic and retried alone. Keep it under sync_timeout_seconds (clusters are worked on 4 at once)."
  type        = number
  default     = 30
  validation {
    condition     = var.cluster_deadline_seconds >= 1 && var.cluster_deadline_seconds <= 540
    error_message = "cluster_deadline_seconds must be between 1 and 540 (the event function's longest timeout)."
  }
}

variable "kube_writes_in_flight" {
  description = "Writes to a cluster's apiserver in flight at once. 64 fills the 49 seats API Priority and Fairness gives the functions' identity (global-default) on an apiserver of the default size, with 300 more queued before any is refused; raise it for a larger control plane."
  type        = number
  default     = 64
  validation {
    condition     = var.kube_writes_in_flight >= 1 && var.kube_writes_in_flight <= 256 && floor(var.kube_writes_in_flight) == var.kube_writes_in_flight
    error_message = "kube_writes_in_flight must be a whole number from 1 to 256."
  }
}

variable "max_delivery_attempts" {
  description = "Deliveries of an event to the event function before it goes to the dead-letter topic."
  type        = number
  default     = 10
  validation {
    condition     = var.max_delivery_attempts >= 5 && var.max_delivery_attempts <= 100
    error_message = "max_delivery_attempts must be between 5 and 100 (Pub/Sub's limits)."
  }
}

variable "sync_max_instances" {
  description = "Upper bound on concurrent instances of the event function (reconciles are serialised on conflicts, so few are needed)."
  type        = number
  default     = 3
  validation {
    condition     = var.sync_max_instances >= 1 && var.sync_max_instances <= 100
    error_message = "sync_max_instances must be between 1 and 100."
  }
}

variable "sync_timeout_seconds" {
  description = "Timeout of the event function; also the push subscription's acknowledgement deadline."
  type        = number
  default     = 120
  validation {
    condition     = var.sync_timeout_seconds >= 10 && var.sync_timeout_seconds <= 540
    error_message = "sync_timeout_seconds must be between 10 and 540 (the event-driven maximum)."
  }
}

variable "resync_timeout_seconds" {
  description = "Timeout of the resync function."
  type        = number
  default     = 540
  validation {
    condition     = var.resync_timeout_seconds >= 10 && var.resync_timeout_seconds <= 3600
    error_message = "resync_timeout_seconds must be between 10 and 3600."
  }
}

variable "function_memory" {
  description = "Memory of each function. Unset: 256Mi with one product, 512Mi with more (a resync's heap grows with the instances of every product together; docs/performance.md)."
  type        = string
  default     = null
  validation {
    condition     = contains(["256Mi", "512Mi", "1Gi", "2Gi"], coalesce(var.function_memory, "256Mi"))
    error_message = "function_memory must be one of 256Mi, 512Mi, 1Gi, 2Gi: 128Mi is too small, Node and the functions' code take about 85 MiB idle before any work (docs/performance.md)."
  }
}

variable "resync_invokers" {
  description = "Service accounts (serviceAccount:EMAIL) that call resync with identity tokens of their own, besides the scheduler. People call it through the operator account: see resync_operators."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for m in var.resync_invokers : can(regex("^serviceAccount:[^@\\s]+@[^@\\s]+$", m))])
    error_message = "resync_invokers must be serviceAccount:EMAIL. A person's gcloud identity token carries gcloud's own audience and gcloud mints no other for a user, so resync would refuse it: list people (user: or group:) in resync_operators, and they call resync as the operator account."
  }
}

variable "resync_operators" {
  description = "Members (user:, group: or serviceAccount:) who may call resync by hand: they get roles/iam.serviceAccountTokenCreator on the operator account, which may invoke resync, and mint its identity token with `gcloud auth print-identity-token --impersonate-service-account=OPERATOR --audiences=URL --include-email` (docs/operations.md: calling resync)."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for m in var.resync_operators : can(regex("^(user|group|serviceAccount):[^@\\s]+@[^@\\s]+$", m))])
    error_message = "resync_operators must be user:EMAIL, group:EMAIL or serviceAccount:EMAIL."
  }
}

variable "resync_ingress" {
  description = "Ingress of the resync function. ALLOW_ALL lets operators call it from anywhere (IAM and the token check still apply); ALLOW_INTERNAL_ONLY admits the VPC and Cloud Scheduler of the same project only."
  type        = string
  default     = "ALLOW_ALL"
  validation {
    condition     = contains(["ALLOW_ALL", "ALLOW_INTERNAL_ONLY", "ALLOW_INTERNAL_AND_GCLB"], var.resync_ingress)
    error_message = "resync_ingress must be ALLOW_ALL, ALLOW_INTERNAL_ONLY or ALLOW_INTERNAL_AND_GCLB."
  }
}

variable "resync_schedule" {
  description = "Cron schedule (five fields) of the drift-repairing resync."
  type        = string
  default     = "*/15 * * * *"
  validation {
    condition     = length(split(" ", trimspace(var.resync_schedule))) == 5
    error_message = "resync_schedule must be a five-field cron expression, such as \"*/15 * * * *\"."
  }
}

variable "resync_time_zone" {
  description = "Time zone of resync_schedule."
  type        = string
  default     = "Etc/UTC"
  validation {
    condition     = can(regex("^[A-Za-z_]+(/[-A-Za-z0-9_+]+)*$", var.resync_time_zone))
    error_message = "resync_time_zone must be a tz database name such as Etc/UTC or Europe/Paris."
  }
}

variable "audit_topic_name" {
  description = "Name of the Pub/Sub topic that receives one message per audit record; null: <name_prefix>-audit."
  type        = string
  default     = null
  validation {
    condition     = var.audit_topic_name == null || can(regex("^[A-Za-z][-A-Za-z0-9_.~+%]{2,254}$", var.audit_topic_name)) && !startswith(lower(coalesce(var.audit_topic_name, "x")), "goog")
    error_message = "audit_topic_name must be a Pub/Sub topic name: 3-255 characters, starting with a letter, not with goog."
  }
}

variable "audit_required" {
  description = "When true, an invocation fails (and its event is retried) if an audit record can be neither published nor kept in the audit outbox ConfigMap."
  type        = bool
  default     = false
}

variable "bigquery_dataset_id" {
  description = "BigQuery dataset that keeps the audit records queryable; null: name_prefix with - written _."
  type        = string
  default     = null
  validation {
    # length() rather than {1,1024}: Terraform's regex engine (RE2) rejects repeat counts above 1000.
    condition     = var.bigquery_dataset_id == null || length(coalesce(var.bigquery_dataset_id, "x")) <= 1024 && can(regex("^[A-Za-z0-9_]+$", var.bigquery_dataset_id))
    error_message = "bigquery_dataset_id may hold letters, digits and underscores only."
  }
}

variable "bigquery_location" {
  description = "Location of the BigQuery dataset; null: the functions' region. A deployment made when the default was \"US\" must set \"US\" to keep its dataset (a dataset cannot move)."
  type        = string
  default     = null
}

variable "manage_kubernetes_rbac" {
  description = "Install the Kubernetes RBAC for the functions' identities (needs a configured kubernetes provider)."
  type        = bool
  default     = true
}

variable "manage_admission_policy" {
  description = "Install the ValidatingAdmissionPolicy that limits the functions' identities to their own ports on the egress gateway Service and their own Istio objects (kubernetes/admission-policy.yaml.tftpl; admissionregistration.k8s.io/v1, GKE 1.30 or later)."
  type        = bool
  default     = true
}

variable "notification_channels" {
  description = "Monitoring notification channel ids for the dead-letter alert."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for c in var.notification_channels : can(regex("^projects/[^/]+/notificationChannels/[0-9]+$", c))])
    error_message = "notification_channels must be ids such as projects/P/notificationChannels/123."
  }
}

variable "build_service_account" {
  description = "Service account (projects/P/serviceAccounts/EMAIL) that builds the functions; null: the module creates one with only what a build needs (build.tf). Either way it is granted log writing, the functions' image repository and read on the source bucket."
  type        = string
  default     = null
  validation {
    condition     = var.build_service_account == null || can(regex("^projects/[^/]+/serviceAccounts/[^/]+@[^/]+$", var.build_service_account))
    error_message = "build_service_account must be projects/PROJECT/serviceAccounts/EMAIL."
  }
}

variable "kms_key_name" {
  description = "Cloud KMS key for the Pub/Sub topics (customer-managed encryption); null keeps Google-managed keys."
  type        = string
  default     = null
  validation {
    condition     = var.kms_key_name == null || can(regex("^projects/[^/]+/locations/[^/]+/keyRings/[^/]+/cryptoKeys/[^/]+$", var.kms_key_name))
    error_message = "kms_key_name must be projects/P/locations/L/keyRings/R/cryptoKeys/K."
  }
}

variable "labels" {
  description = "Labels put on every resource that takes labels (functions, topics, subscriptions, bucket, dataset, table, alert policies)."
  type        = map(string)
  default     = {}
  validation {
    condition     = alltrue([for k, v in var.labels : can(regex("^[a-z][-_a-z0-9]{0,62}$", k)) && can(regex("^[-_a-z0-9]{0,63}$", v))])
    error_message = "labels: keys must start with a lowercase letter, and keys and values hold at most 63 lowercase letters, digits, - or _."
  }
}

variable "enable_apis" {
  description = "Enable the APIs the deployment uses (apis.tf); they are never disabled on destroy. false when they are managed elsewhere."
  type        = bool
  default     = true
}

variable "service_accounts" {
  description = "Existing service accounts to use instead of creating them, by role: sync and resync (the functions), push (event delivery), scheduler (scheduled resync), operator (what resync_operators call resync as). Emails; those left out are created."
  type = object({
    sync      = optional(string)
    resync    = optional(string)
    push      = optional(string)
    scheduler = optional(string)
    operator  = optional(string)
  })
  default = {}
  validation {
    condition     = alltrue([for email in values(var.service_accounts) : email == null || can(regex("^[^@\\s]+@[^@\\s]+\\.gserviceaccount\\.com$", email))])
    error_message = "service_accounts must hold service account emails (NAME@PROJECT.iam.gserviceaccount.com, or another *.gserviceaccount.com account)."
  }
}

variable "audit_partition_expiration_days" {
  description = "Days after which a day's audit rows are deleted from BigQuery; null keeps them forever."
  type        = number
  default     = null
  validation {
    condition     = var.audit_partition_expiration_days == null || try(var.audit_partition_expiration_days >= 1, false)
    error_message = "audit_partition_expiration_days must be at least 1, or null."
  }
}

variable "memorystore_projects" {
  description = "Projects whose Memorystore instances are synced (MEMORYSTORE_PROJECTS), e.g. the service projects of a Shared VPC; empty: project_id alone. Each gets a Logging sink to the events topic and each synced product's viewer role for the functions, unless memorystore_folder or memorystore_organization moves both there."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for p in var.memorystore_projects : can(regex("^[a-z][-a-z0-9]{4,28}[a-z0-9]$", p))])
    error_message = "memorystore_projects must list project ids (6-30 lowercase letters, digits or hyphens)."
  }
}

variable "memorystore_folder" {
  description = "Folder (folders/NUMBER) holding memorystore_projects: one aggregated Logging sink there (include_children) routes their audit entries, and the viewer roles are granted on the folder instead of in each project. With memorystore_projects empty, every project under the folder is synced (MEMORYSTORE_SCOPE): the resync finds the instances with Cloud Asset Inventory, and its identity gets roles/cloudasset.viewer on the folder. Null: a sink and the grants in each project."
  type        = string
  default     = null
  validation {
    condition     = var.memorystore_folder == null || can(regex("^folders/[0-9]+$", var.memorystore_folder))
    error_message = "memorystore_folder must be folders/NUMBER."
  }
}

variable "memorystore_organization" {
  description = "Organization (organizations/NUMBER) holding memorystore_projects, as memorystore_folder but at the organization (with memorystore_projects empty, every project in it); not together with memorystore_folder."
  type        = string
  default     = null
  validation {
    condition     = var.memorystore_organization == null || can(regex("^organizations/[0-9]+$", var.memorystore_organization))
    error_message = "memorystore_organization must be organizations/NUMBER."
  }
}
