#!/usr/bin/env bash
# Terraform checks that need tools from outside npm. The HCL wiring checks run in `npm test`.
#
# `terraform validate` is not run: it needs the hashicorp/google provider, which cannot be had here (the Terraform
# registry and GitHub releases are unreachable, and the Go module proxy serves no google provider newer than v1.20.0,
# since its v6 tags lack a /v6 module path). checkov, the static security scanner, runs instead.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.cache/checkov-venv
if [ ! -x "$venv/bin/checkov" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "checkov==3.3.30"
fi
# --skip-download keeps it offline (it would otherwise fetch policy metadata from its vendor).
"$venv/bin/checkov" --directory terraform --framework terraform --skip-download --quiet --compact
