#!/usr/bin/env bash
# node_test.sh: installs the pinned Node client libraries (package.json here)
# into a cache dir under the build tree once, then runs SCRIPT.mjs against a
# fresh cluster through with_cluster.sh.  No node/npm or a failed install is
# a failure (no skips).
#
#   node_test.sh DEPS_DIR SCRIPT.mjs [with_cluster.sh options]
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DEPS_DIR=${1:?deps dir}
SCRIPT=${2:?script}
shift 2

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "node_test: FAIL: node/npm not installed" >&2
	exit 1
fi

mkdir -p "$DEPS_DIR"
# Reinstall only when the pinned versions change.
if ! cmp -s "$SELF_DIR/package.json" "$DEPS_DIR/package.json" ||
	[[ ! -f $DEPS_DIR/.installed ]]; then
	rm -f "$DEPS_DIR/.installed"
	cp "$SELF_DIR/package.json" "$DEPS_DIR/package.json"
	if ! timeout 300 npm install --prefix "$DEPS_DIR" --no-audit --no-fund \
		--loglevel=error >"$DEPS_DIR/npm-install.log" 2>&1; then
		echo "node_test: FAIL: npm install failed (see $DEPS_DIR/npm-install.log)" >&2
		tail -n 5 "$DEPS_DIR/npm-install.log" >&2
		exit 1
	fi
	touch "$DEPS_DIR/.installed"
fi

export NODE_DEPS_DIR=$DEPS_DIR
exec "$SELF_DIR/with_cluster.sh" "$@" -- node "$SELF_DIR/$SCRIPT"
