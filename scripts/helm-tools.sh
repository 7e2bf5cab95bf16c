#!/usr/bin/env bash
# Installs what the Helm chart's offline check needs, when missing (test/helm/chart.test.ts runs it), and prints
# the directory holding it. Everything is pinned here and kept in a cache shared by every checkout
# (BOXOFFICE_TOOLS_DIR, default ~/.cache/boxoffice-tools), so a fresh clone on the same machine rebuilds nothing:
#   helm/<version>/helm         built from its Go module with `go install` (minutes on 2 cores, once)
#   python/                     a venv with kubernetes-validate (Kubernetes' JSON schemas) from PyPI
#   crds/<operator>-<version>/  the CRDs of CloudNativePG and KEDA, read from their Go modules
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS_DIR="${BOXOFFICE_TOOLS_DIR:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/boxoffice-tools}"
HELM_VERSION=v3.22.0
# What helm's own release build stamps in (its Makefile): the version, and the Kubernetes minor of its client-go
# (v0.37 -> 1.37), which `helm lint` checks deprecated APIs against and `helm template` assumes by default.
HELM_K8S_MINOR=37
CNPG_MODULE=github.com/cloudnative-pg/cloudnative-pg
CNPG_VERSION=v1.28.0
KEDA_MODULE=github.com/kedacore/keda/v2
KEDA_VERSION=v2.21.0
REQUIREMENTS="$ROOT/deploy/helm/tools/requirements.txt"

log() { printf '[helm-tools] %s\n' "$*" >&2; }
die() { printf '[helm-tools] ERROR: %s\n' "$*" >&2; exit 1; }

mkdir -p "$TOOLS_DIR"
# One installer at a time per cache: two checkouts testing at once must not build into the same directory.
exec 9>"$TOOLS_DIR/.lock"
flock 9

need_go() {
  command -v go >/dev/null || die "Go 1.24 or newer is needed to build helm and read the operators' CRDs (https://go.dev/dl)"
}

helm_bin="$TOOLS_DIR/helm/$HELM_VERSION/helm"
if [ ! -x "$helm_bin" ]; then
  need_go
  log "go install helm.sh/helm/v3/cmd/helm@$HELM_VERSION (once per machine; a few minutes on 2 cores)"
  started=$SECONDS
  build_dir="$(mktemp -d "$TOOLS_DIR/helm-build.XXXXXX")"
  ldflags="-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
  for package in pkg/lint/rules pkg/chartutil; do
    ldflags+=" -X helm.sh/helm/v3/$package.k8sVersionMajor=1 -X helm.sh/helm/v3/$package.k8sVersionMinor=$HELM_K8S_MINOR"
  done
  GOBIN="$build_dir" GOFLAGS=-buildvcs=false go install -ldflags "$ldflags" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
  mkdir -p "$(dirname "$helm_bin")"
  mv "$build_dir/helm" "$helm_bin"
  rmdir "$build_dir"
  log "helm $HELM_VERSION built in $((SECONDS - started)) s"
fi

venv="$TOOLS_DIR/python"
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ] || ! cmp -s "$REQUIREMENTS" "$stamp"; then
  command -v python3 >/dev/null || die "python3 is needed for kubernetes-validate"
  log "python venv with $(grep -m1 '^kubernetes-validate' "$REQUIREMENTS")"
  rm -rf "$venv"
  if ! python3 -m venv "$venv" >&2; then
    [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null || die "python3 -m venv failed; install python3-venv"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends python3-venv >/dev/null
    python3 -m venv "$venv" >&2
  fi
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS" >&2
  cp "$REQUIREMENTS" "$stamp"
fi

# go mod download fetches a module's zip into the module cache; the CRDs are plain files inside it.
fetch_crds() { # name module version files...
  local name="$1" module="$2" version="$3"
  shift 3
  local target="$TOOLS_DIR/crds/$name-$version"
  [ -f "$target/.complete" ] && return
  need_go
  log "CRDs of $module@$version"
  local dir
  dir="$(cd "$TOOLS_DIR" && GOFLAGS=-mod=mod go mod download -json "$module@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [ -d "$dir" ] || die "go mod download $module@$version gave no directory"
  mkdir -p "$target"
  local file
  for file in "$@"; do
    [ -f "$dir/$file" ] || die "$module@$version has no $file"
    cp "$dir/$file" "$target/"
  done
  touch "$target/.complete"
}
fetch_crds cloudnative-pg "$CNPG_MODULE" "$CNPG_VERSION" config/crd/bases/postgresql.cnpg.io_clusters.yaml
fetch_crds keda "$KEDA_MODULE" "$KEDA_VERSION" config/crd/bases/keda.sh_scaledobjects.yaml

echo "$TOOLS_DIR"
