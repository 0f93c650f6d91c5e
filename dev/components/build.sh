#!/usr/bin/env bash
# Builds the real components the tests run against (kube-apiserver, etcd, istioctl, pstest, istio-sim) and the bench's baseline
# (kubectl) from the Go module proxy, each from its own pinned module beside this script (kubectl from kube-apiserver's,
# so both are the same Kubernetes version). Binaries are cached under .cache/components/<name>-<version>/
# so only a cold machine pays for the build. Prints the cache folder of each binary.
#
# Usage: dev/components/build.sh [name...]   (default: the five the tests need; kubectl only when named)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${COMPONENTS_CACHE:-$root/.cache/components}"
export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=readonly CGO_ENABLED=0

# version <module dir> <go module path>: the version the pinned go.mod requires.
version() { (cd "$here/$1" && go list -m -f '{{.Version}}' "$2"); }

# build <name> <go module> <package> [ldflags] [module dir, default <name>] [test: a `go test -c` binary]
build() {
  local name=$1 module=$2 package=$3 ldflags=${4:-} dir=${5:-$1} kind=${6:-}
  local v; v=$(version "$dir" "$module")
  # A test binary is the project's own code on top of the module: its sources are part of the cache key.
  if [ "$kind" = test ]; then v="$v-$(cd "$here/$dir" && cat go.mod go.sum ./*.go | sha256sum | cut -c1-12)"; fi
  local out="$cache/$name-$v/$name"
  if [ -x "$out" ]; then echo "$name $v: cached at $out" >&2; echo "$out"; return; fi
  echo "$name $v: building (first run only; kube-apiserver takes several minutes)..." >&2
  local start=$SECONDS
  mkdir -p "$(dirname "$out")"
  if [ "$kind" = test ]; then
    (cd "$here/$dir" && go test -c -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp" "$package")
  else
    (cd "$here/$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp" "$package")
  fi
  mv "$out.tmp" "$out"
  echo "$name $v: built in $((SECONDS - start))s" >&2
  echo "$out"
}

want=${*:-"etcd pstest istioctl istio-sim kube-apiserver"}
for name in $want; do
  case $name in
    etcd) build etcd go.etcd.io/etcd/server/v3 go.etcd.io/etcd/server/v3 ;;
    pstest) build pstest cloud.google.com/go/pubsub/v2 . ;;
    istioctl) build istioctl istio.io/istio istio.io/istio/istioctl/cmd/istioctl ;;
    # Istio's traffic simulator (pilot/pkg/simulation) on Istio's fake discovery server, same Istio as istioctl.
    istio-sim) build istio-sim istio.io/istio . "" istio-sim test ;;
    kube-apiserver | kubectl)
      kv=$(version kube-apiserver k8s.io/kubernetes); minor=$(echo "$kv" | cut -d. -f2)
      build "$name" k8s.io/kubernetes "k8s.io/kubernetes/cmd/$name" \
        "-X k8s.io/component-base/version.gitVersion=$kv -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
        kube-apiserver ;;
    *) echo "unknown component: $name" >&2; exit 2 ;;
  esac
done
