#!/usr/bin/env bash
# Installs the pinned OPA CLI into .tools/bin with the Go toolchain. Idempotent: a second
# run with the right version already installed does nothing. Only the Go module proxy is used.
set -euo pipefail
OPA_VERSION="${OPA_VERSION:-v1.22.2}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
bin="$root/.tools/bin"
opa="$bin/opa"
# No pipes from `opa version` into an early-exiting reader (grep -q, head): under pipefail the
# writer's SIGPIPE would fail the script.
installed_version() { [ -x "$opa" ] && "$opa" version 2>/dev/null || true; }
if grep -q "^Version: ${OPA_VERSION#v}$" <<<"$(installed_version)"; then
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "kairos setup: the Go toolchain is needed to install OPA ${OPA_VERSION} (go install); install Go >= 1.26 and retry" >&2
  exit 1
fi
mkdir -p "$bin"
echo "kairos setup: installing OPA ${OPA_VERSION} into .tools/bin (one-time, a few minutes)" >&2
GOBIN="$bin" CGO_ENABLED=0 GOFLAGS="-trimpath" go install "github.com/open-policy-agent/opa@${OPA_VERSION}"
installed=$(installed_version)
echo "${installed%%$'\n'*}" >&2
