#!/usr/bin/env bash
# up.sh: from a fresh clone to a running local cluster in one command --
# install dependencies, build, start ZooKeeper and 3 brokers in ./cluster.
# Extra arguments go to 'cluster.sh up' (e.g. --brokers 5 --dir /tmp/c).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
deploy/install-deps.sh
[[ -f build/build.ninja ]] || meson setup build >/dev/null
ninja -C build
exec deploy/cluster.sh up "$@"
