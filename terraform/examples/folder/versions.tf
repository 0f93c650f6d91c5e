terraform {
  required_version = ">= 1.5"

  required_providers {
    google = {
      source = "hashicorp/google"
      # 6.11.0 is the first release with control_plane_endpoints_config on the google_container_cluster data source
      # (the DNS-based endpoint); CI validates against 6.11.0 and the newest 6.x, and shows 6.10.0 lacks it. Capped
      # below 7.0: CI can check a release only against its real schema, which no published binding has for 7.x (the
      # CDK for Terraform bindings stop at 6.50.0), and a major release removes and renames fields. Raise the cap
      # once 7.x can be planned in CI.
      version = ">= 6.11, < 7.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.23, < 4.0"
    }
  }
}
