locals {
  # What a resync holds grows with the instances of every enabled product together: with all four, a dry-run resync at
  # 256Mi fits 3,000 instances of each and dies of heap exhaustion at 4,000; with Redis alone, 5,000 fit
  # (docs/performance.md, `npm run bench:memory`).
  function_memory = coalesce(var.function_memory, length(var.memorystore_products) > 1 ? "512Mi" : "256Mi")
}

# A warning, not a refusal: how far 256Mi goes depends on the number of instances, which a plan cannot know.
check "memory_for_products" {
  assert {
    condition     = !(local.function_memory == "256Mi" && length(var.memorystore_products) > 1)
    error_message = "function_memory = \"256Mi\" with ${length(var.memorystore_products)} products (${join(", ", var.memorystore_products)}): with all four, a resync at 256Mi fits about 3,000 instances of each and dies of heap exhaustion beyond; leave function_memory unset (512Mi) unless the project holds far fewer (docs/performance.md)."
  }
}
