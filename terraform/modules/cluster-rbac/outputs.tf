output "rbac_objects" {
  description = "The Roles and RoleBindings installed, as KIND/NAMESPACE/NAME; empty when settings.manage_rbac is false."
  value       = sort([for m in values(local.rbac_manifests) : "${m.kind}/${m.metadata.namespace}/${m.metadata.name}"])
}

output "admission_policies" {
  description = "Names of the ValidatingAdmissionPolicies (with bindings of the same names) installed; empty when settings.manage_admission_policy is false."
  value       = sort([for m in values(local.admission_policy_documents) : m.metadata.name if m.kind == "ValidatingAdmissionPolicy"])
}

output "access_rbac_objects" {
  description = "The ClusterRoles and ClusterRoleBindings that let the identities read MemorystoreAccess declarations, as KIND/NAME."
  value       = sort([for m in values(local.access_rbac_manifests) : "${m.kind}/${m.metadata.name}"])
}
