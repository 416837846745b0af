#!/usr/bin/env bash
# go_check.sh DIR [ARGS...]: builds the Go check in DIR (main.go) offline
# against Debian's packaged Go libraries (/usr/share/gocode, GOPATH mode, no
# network) and runs it with ARGS. Run under with_cluster.sh. A missing Go
# toolchain or library package is a failure, not a skip.
set -euo pipefail
SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DIR=${1:?check directory}
shift
declare -A NEEDS=(
	[sarama]="github.com/Shopify/sarama golang-github-shopify-sarama-dev"
	[kafkago]="github.com/segmentio/kafka-go golang-github-segmentio-kafka-go-dev"
)
command -v go >/dev/null || { echo "FAIL: go not installed (golang-go; deploy/install-deps.sh)" >&2; exit 1; }
read -r lib pkg <<<"${NEEDS[$DIR]:?unknown check $DIR}"
[[ -d /usr/share/gocode/src/$lib ]] ||
	{ echo "FAIL: $lib not installed ($pkg; deploy/install-deps.sh)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/src/$DIR-check"
cp "$SELF_DIR/$DIR/main.go" "$work/src/$DIR-check/"
export GO111MODULE=off GOPATH="$work:/usr/share/gocode" GOFLAGS='' GOPROXY=off
export GOCACHE=${GOCACHE:-${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/gregor-go-build}
# cgo warnings from the packaged zstd binding are not ours: keep them quiet
(cd "$work/src/$DIR-check" && go build -o "$work/check" . 2>"$work/build.log") ||
	{ cat "$work/build.log" >&2; echo "FAIL: building the $DIR check failed" >&2; exit 1; }
"$work/check" "$@"
