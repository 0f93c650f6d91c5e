# The functions' rights in one cluster: Kubernetes RBAC and the admission policy that limits them further, from the
# same manifests the real-component tests bind (../../kubernetes/*.yaml.tftpl). The root module calls this for the
# primary cluster with the default kubernetes provider; a configuration that syncs several clusters calls it once per
# further cluster, with that cluster's provider (docs/design.md: several clusters). A provider is chosen per module call, not
# per element of a list, so the call cannot loop over the clusters itself (the root module's kubernetes.tf says why).
#
# kubernetes_manifest asks the cluster about each manifest while planning, so every manifest must be known then:
# one rendered from a value known only after apply is unknown as a whole, and the plan stops ("API did not recognize
# GroupVersionKind from manifest"). The identities therefore arrive as emails derived from the account ids and the
# project (the root module's iam.tf), never as an account's `email` attribute, which google < 6.13 leaves unknown until
# the account exists. The CI plan check plans the old wiring against the provider floor and expects exactly that
# failure.

# RBAC, rendered once per identity. GKE names a Google service account user by its email. Each copy's Roles and
# RoleBindings get the identity's name as a suffix, so the two never overwrite each other.
locals {
  templates     = "${path.module}/../../kubernetes"
  rbac_template = "${local.templates}/rbac.yaml.tftpl"
  rbac_values = {
    istio_namespace          = var.settings.istio_namespace
    egress_gateway_namespace = var.settings.egress_gateway_namespace
    egress_gateway_service   = var.settings.egress_gateway_service
    # The audit outbox ConfigMap (shared/audit/audit-outbox.ts outboxName): one per deployment.
    audit_outbox  = "memorystore-egress-sync-audit-outbox-${lower(replace(var.settings.owner_id, "_", "-"))}"
    port_services = local.port_services_list
  }
  # The Services of the deployment's own holding the later blocks of the gateway port range, as the functions name
  # them (shared/config/gateway-services.ts); their rights are installed only when the range has more than one block.
  port_range = var.settings.gateway_port_range
  # The same names as a list of single-quoted strings: one literal that is both a YAML flow sequence (the RBAC's
  # resourceNames) and a CEL list (inside the admission policy's double-quoted expressions).
  port_services_list = "[${join(", ", [for name in local.port_services : "'${name}'"])}]"
  port_services      = [for k in range(1, ceil((local.port_range.to - local.port_range.from + 1) / var.settings.gateway_ports_per_service)) : "${var.settings.egress_gateway_service}-ports-${local.port_range.from + k * var.settings.gateway_ports_per_service}"]
  rbac_templates     = concat([local.rbac_template], length(local.port_services) > 0 ? ["${local.templates}/port-services-rbac.yaml.tftpl"] : [])
  rbac_text = { for who, email in merge({ shape = "user@example.com" }, var.settings.identities) : who => join("\n---\n", [
    for t in local.rbac_templates : trimsuffix(templatefile(t, merge(local.rbac_values, { sync_user = email })), "\n")
  ]) }
  rbac_users = { for who, email in var.settings.identities : who => email if var.settings.manage_rbac }
  # for_each keys must be known when planning, whatever the emails are: the documents are listed from a rendering
  # with a stand-in user, and each identity's own rendering supplies the values.
  rbac_shapes = [for d in split("\n---\n", local.rbac_text.shape) : yamldecode(d)]
  rbac_documents = merge([
    for who, email in local.rbac_users : {
      for i, shape in local.rbac_shapes : "${who}/${shape.kind}/${shape.metadata.name}" => {
        who      = who
        manifest = yamldecode(split("\n---\n", local.rbac_text[who])[i])
      }
    }
  ]...)
  rbac_manifests = { for key, d in local.rbac_documents : key => merge(d.manifest, {
    metadata = merge(d.manifest.metadata, { name = "${d.manifest.metadata.name}-${d.who}" })
    }, d.manifest.kind == "RoleBinding" ? {
    roleRef = merge(d.manifest.roleRef, { name = "${d.manifest.roleRef.name}-${d.who}" })
  } : {}) }
}

resource "kubernetes_manifest" "rbac" {
  for_each = local.rbac_manifests
  manifest = each.value
}

# The admission policy that limits what the same identities may write, beyond RBAC: on the egress gateway Service only
# ports named as the project names them, inside the gateway port range; on the Istio kinds only objects labelled as
# this deployment's, with the content the project renders (see kubernetes/admission-policy.yaml.tftpl). One policy and binding per kind of object, naming both identities. Policies
# are cluster-wide objects, so their names carry the owner id: two deployments in one cluster keep theirs apart.
locals {
  admission_policy_template = "${local.templates}/admission-policy.yaml.tftpl"
  admission_policy_name     = "memorystore-egress-sync-${lower(replace(var.settings.owner_id, "_", "-"))}"
  admission_policy_values = merge(local.rbac_values, {
    policy_name = local.admission_policy_name
    owner_id    = var.settings.owner_id
    sync_user   = var.settings.identities.sync
    resync_user = var.settings.identities.resync
  }, local.admission_params)
  # What the content rules compare with, rendered into their expressions: the functions' own settings, in the forms
  # they take them (SERVICE_ENTRY_EXPORT_TO and EGRESS_GATEWAY_SELECTOR comma-separated, GATEWAY_PORT_RANGE's ends).
  admission_params = {
    host_suffix             = var.settings.host_suffix
    export_to               = join(",", var.settings.export_to)
    ambient_waypoint        = var.settings.ambient_waypoint
    egress_gateway_selector = join(",", [for k, v in var.settings.egress_gateway_selector : "${k}=${v}"])
    gateway_port_from       = tostring(var.settings.gateway_port_range.from)
    gateway_port_to         = tostring(var.settings.gateway_port_range.to)
    port_services           = local.port_services_list
    # Where a ServiceEntry address or endpoint may lie: RFC 1918, RFC 6598 (100.64.0.0/10, which VPC subnets, and so
    # the Private Service Connect endpoints of Memorystore, may use: https://cloud.google.com/vpc/docs/subnets#valid-ranges)
    # and IPv6 unique local addresses (RFC 4193). The test harness uses the same list.
    address_ranges = "10.0.0.0/8,172.16.0.0/12,192.168.0.0/16,100.64.0.0/10,fc00::/7"
  }
  # Filtered with `if`, not a conditional: the documents differ in shape, so `cond ? {...} : {}` has no single type.
  admission_policy_documents = {
    for d in split("\n---\n", templatefile(local.admission_policy_template, local.admission_policy_values)) : "${yamldecode(d).kind}/${yamldecode(d).metadata.name}" => yamldecode(d)
    if var.settings.manage_admission_policy
  }
}

resource "kubernetes_manifest" "admission_policy" {
  for_each = local.admission_policy_documents
  manifest = each.value
}

# MemorystoreAccess declarations (docs/least-access.md): the CRD, and read rights on it for the same identities in
# every namespace (declarations live beside their workloads; which namespaces count is the functions' choice, by
# SERVICE_ENTRY_EXPORT_TO). Installed whatever ACCESS_MODE is, so teams can declare before the switch to `declared`.
locals {
  access_crd           = yamldecode(file("${local.templates}/memorystore-access-crd.yaml"))
  access_rbac_template = "${local.templates}/access-rbac.yaml.tftpl"
  # As for RBAC above: keys from a rendering with a stand-in user, each identity's copy suffixed with its name.
  access_rbac_shapes = [for d in split("\n---\n", templatefile(local.access_rbac_template, { sync_user = "user@example.com" })) : yamldecode(d)]
  access_rbac_manifests = merge([
    for who, email in local.rbac_users : {
      for i, shape in local.access_rbac_shapes : "${who}/${shape.kind}/${shape.metadata.name}" => merge(
        yamldecode(split("\n---\n", templatefile(local.access_rbac_template, { sync_user = email }))[i]),
        { metadata = merge(shape.metadata, { name = "${shape.metadata.name}-${who}" }) },
        shape.kind == "ClusterRoleBinding" ? { roleRef = merge(shape.roleRef, { name = "${shape.roleRef.name}-${who}" }) } : {},
      )
    }
  ]...)
}

resource "kubernetes_manifest" "access_crd" {
  count    = var.settings.manage_access_crd ? 1 : 0
  manifest = local.access_crd
}

resource "kubernetes_manifest" "access_rbac" {
  for_each = local.access_rbac_manifests
  manifest = each.value
}
