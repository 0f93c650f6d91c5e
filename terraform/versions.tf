terraform {
  required_version = ">= 1.5"

  required_providers {
    google = {
      source = "hashicorp/google"
      # 6.11.0 is the first release with control_plane_endpoints_config on the google_container_cluster data source
      # (the DNS-based endpoint); CI validates against 6.11.0 and the newest 6.x, and shows 6.10.0 lacks it.
      version = ">= 6.11, < 8.0"
    }
    archive = {
      source  = "hashicorp/archive"
      version = ">= 2.4, < 3.0"
    }
    kubernetes = {
      source  = "hashicorp/kubernetes"
      version = ">= 2.23, < 4.0"
    }
  }
}
