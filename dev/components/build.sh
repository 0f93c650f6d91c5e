#!/usr/bin/env bash
# Builds the real components the tests run against (kube-apiserver, etcd, istioctl, pstest, istio-sim) and the bench's
# baseline (kubectl) from the Go module proxy, all from one pinned module beside this script (go.mod): every component
# is built against the same version of each dependency they share (Kubernetes' API and client, gRPC, protobuf,
# OpenTelemetry...), so a package compiled for one is found in Go's build cache by the next. Binaries are cached under
# .cache/components/<name>-<version>-<hash of go.mod and go.sum>/, so only a cold machine pays for the build. Prints
# the path of each binary.
#
# etcd and kube-apiserver a user already has are taken instead of a build when they report the pinned version:
# ETCD_BIN / KUBE_APISERVER_BIN (an error when it reports another version), else `etcd` / `kube-apiserver` on PATH.
#
# Usage: dev/components/build.sh [name...]   (default: the five the tests need; kubectl only when named)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
cache="${COMPONENTS_CACHE:-$root/.cache/components}"
export GOTOOLCHAIN=local GOWORK=off GOFLAGS=-mod=readonly CGO_ENABLED=0

# version <go module path>: the version the pinned go.mod requires.
version() { (cd "$here" && go list -m -f '{{.Version}}' "$1"); }
# The dependencies' versions, part of every binary's cache key: a change of go.mod builds everything again.
pinned=$(cat "$here/go.mod" "$here/go.sum" | sha256sum | cut -c1-12)

# installed <name> <version> <what --version prints for it>: a binary the user already has, if it is that version.
installed() {
  local name=$1 v=$2 expected=$3 var bin reported
  var=$(echo "$name" | tr 'a-z-' 'A-Z_')_BIN
  bin=${!var:-}
  if [ -n "$bin" ]; then
    reported=$("$bin" --version 2>&1 | head -1) || true
    if [ "$reported" != "$expected" ]; then
      echo "$var=$bin reports '$reported', not the pinned '$expected' (unset $var to build $name $v)" >&2
      exit 2
    fi
  else
    bin=$(command -v "$name") || return 1
    reported=$("$bin" --version 2>&1 | head -1) || return 1
    if [ "$reported" != "$expected" ]; then
      echo "$name $v: $bin on PATH reports '$reported', building the pinned one" >&2
      return 1
    fi
  fi
  echo "$name $v: using $bin" >&2
  echo "$bin"
}

# build <name> <go module> <package> [ldflags] [kind] [package dir]
# kind: `test` for a `go test -c` binary, `own` for the project's own command, both in their package dir; both are the
# project's code on top of the module, so their sources are part of the cache key.
build() {
  local name=$1 module=$2 package=$3 ldflags=${4:-} kind=${5:-} dir=${6:-.}
  local v; v="$(version "$module")-$pinned"
  if [ -n "$kind" ]; then v="$v-$(cat "$here/$dir"/*.go | sha256sum | cut -c1-12)"; fi
  local out="$cache/$name-$v/$name"
  if [ -x "$out" ]; then echo "$name $v: cached at $out" >&2; echo "$out"; return; fi
  echo "$name $v: building (first run only; kube-apiserver takes several minutes)..." >&2
  local start=$SECONDS
  mkdir -p "$(dirname "$out")"
  if [ "$kind" = test ]; then
    # -vet=off: `go test` vets the package and, for vet's facts, every package it imports (all of Istio): about as
    # many vet runs as compiles, for a binary that is built, not tested.
    (cd "$here/$dir" && go test -c -vet=off -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp$$" "$package")
  else
    (cd "$here/$dir" && go build -trimpath -ldflags "-s -w $ldflags" -o "$out.tmp$$" "$package")
  fi
  mv "$out.tmp$$" "$out"
  echo "$name $v: built in $((SECONDS - start))s" >&2
  echo "$out"
}

want=${*:-"etcd pstest istioctl istio-sim kube-apiserver"}
for name in $want; do
  case $name in
    etcd)
      v=$(version go.etcd.io/etcd/server/v3)
      installed etcd "$v" "etcd Version: ${v#v}" || build etcd go.etcd.io/etcd/server/v3 go.etcd.io/etcd/server/v3 ;;
    # pstest's own main (its admin endpoint) on the pinned fake.
    pstest) build pstest cloud.google.com/go/pubsub/v2 . "" own pstest ;;
    istioctl) build istioctl istio.io/istio istio.io/istio/istioctl/cmd/istioctl ;;
    # Istio's traffic simulator (pilot/pkg/simulation) on Istio's fake discovery server, same Istio as istioctl; with
    # PILOT_ENABLE_AMBIENT=true, Istio's ambient index and a waypoint's generated config (ambient_test.go).
    istio-sim) build istio-sim istio.io/istio . "" test istio ;;
    kube-apiserver | kubectl)
      kv=$(version k8s.io/kubernetes); minor=$(echo "$kv" | cut -d. -f2)
      if [ "$name" = kube-apiserver ] && installed kube-apiserver "$kv" "Kubernetes $kv"; then continue; fi
      build "$name" k8s.io/kubernetes "k8s.io/kubernetes/cmd/$name" \
        "-X k8s.io/component-base/version.gitVersion=$kv -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" ;;
    *) echo "unknown component: $name" >&2; exit 2 ;;
  esac
done
