# The Memorystore products the functions can sync, one entry each, keyed as in var.memorystore_products (the same ids
# as shared/products/registry.ts; a test checks that the two agree): the product's admin API, enabled with
# enable_apis; the viewer role the functions get to read its instances (get, list); and the Admin Activity methods
# the Logging sink routes to the events topic, in every API version. Export, backups, maintenance and parameter
# changes change nothing the mesh needs; Get/List are Data Access entries, so the functions' own reads never come back.
# https://cloud.google.com/memorystore/docs/redis/audit-logs, https://cloud.google.com/memorystore/docs/memcached/audit-logs
locals {
  products = {
    redis = {
      service     = "redis.googleapis.com"
      viewer_role = "roles/redis.viewer"
      interfaces  = ["google.cloud.redis.v1.CloudRedis", "google.cloud.redis.v1beta1.CloudRedis", "google.cloud.redis.v1alpha1.CloudRedis"]
      changing    = ["CreateInstance", "UpdateInstance", "DeleteInstance", "FailoverInstance", "UpgradeInstance", "ImportInstance"]
    }
    valkey = {
      service     = "memorystore.googleapis.com"
      viewer_role = "roles/memorystore.viewer"
      interfaces  = ["google.cloud.memorystore.v1.Memorystore", "google.cloud.memorystore.v1beta.Memorystore"]
      changing    = ["CreateInstance", "UpdateInstance", "DeleteInstance"]
    }
    memcached = {
      service     = "memcache.googleapis.com"
      viewer_role = "roles/memcache.viewer"
      interfaces  = ["google.cloud.memcache.v1.CloudMemcache", "google.cloud.memcache.v1beta2.CloudMemcache"]
      changing    = ["CreateInstance", "UpdateInstance", "DeleteInstance", "UpgradeInstance", "ApplySoftwareUpdate"]
    }
    # Redis Cluster's redis.clusters.get and .list are in roles/redis.viewer too: granted once (iam.tf).
    redis-cluster = {
      service     = "redis.googleapis.com"
      viewer_role = "roles/redis.viewer"
      interfaces  = ["google.cloud.redis.cluster.v1.CloudRedisCluster", "google.cloud.redis.cluster.v1beta1.CloudRedisCluster", "google.cloud.redis.cluster.v1alpha1.CloudRedisCluster"]
      changing    = ["CreateCluster", "UpdateCluster", "DeleteCluster"]
    }
  }
  # The entries of the synced products. One this table does not know is left out here and refused by the sink's
  # precondition (pubsub.tf), with a message naming the variable: a variable's validation may not read a local.
  synced_products  = [for p in distinct(var.memorystore_products) : local.products[p] if contains(keys(local.products), p)]
  unknown_products = [for p in distinct(var.memorystore_products) : p if !contains(keys(local.products), p)]
}
