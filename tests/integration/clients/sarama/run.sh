#!/usr/bin/env bash
# run.sh MODE: builds sarama/main.go offline against Debian's sarama 1.22
# (golang-github-shopify-sarama-dev in /usr/share/gocode, GOPATH mode, no
# network) and runs it in MODE (default | v2_1). Run under with_cluster.sh.
# A missing Go toolchain or sarama package is a failure, not a skip.
set -euo pipefail
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
MODE=${1:?mode}
command -v go >/dev/null || { echo "FAIL: go not installed (golang-go; deploy/install-deps.sh)" >&2; exit 1; }
[[ -d /usr/share/gocode/src/github.com/Shopify/sarama ]] ||
	{ echo "FAIL: sarama not installed (golang-github-shopify-sarama-dev; deploy/install-deps.sh)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/sarama-check"
cp "$SELF_DIR/main.go" "$work/src/sarama-check/"
export GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOFLAGS= GOPROXY=off
export GOCACHE=${GOCACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/gregor-go-build}
# cgo warnings from the packaged zstd binding are not ours: keep them quiet
(cd "$work/src/sarama-check" && go build -o "$work/sarama-check" . 2>"$work/build.log") ||
	{ cat "$work/build.log" >&2; echo "FAIL: building the sarama check failed" >&2; exit 1; }
"$work/sarama-check" "$MODE"
