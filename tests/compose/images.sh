#!/usr/bin/env bash
# images.sh: everything the compose test needs before `up`, on a machine with
# no Docker engine and no image registry: a containers.conf that works here
# (runc, cgroupfs, file events, ulimits; exported as CONTAINERS_CONF by
# podman_env.sh), a debian:bookworm-slim base made with debootstrap, a
# stand-in for the official zookeeper image, a kcat client image and the
# Gregor image. Images stay
# in podman's store as the cache: the base is built once per machine, the
# zookeeper image again only when its files change, the Gregor image through
# podman's layer cache. Prints how long each step took.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
# shellcheck source=tests/compose/podman_env.sh
. "$here/podman_env.sh"

BASE=docker.io/library/debian:bookworm-slim
ZK_IMAGE=${ZK_IMAGE:-docker.io/library/zookeeper:3.8}
GREGOR_IMAGE=${GREGOR_IMAGE:-localhost/gregor:latest}
CLIENT_IMAGE=${CLIENT_IMAGE:-localhost/gregor-test-client:latest}

step() { printf 'images.sh: %s (%ds)\n' "$1" "$((SECONDS - t0))" >&2; }

# debootstrap's minbase, apt lists and caches dropped, imported as the tag
# the Dockerfiles name. Built in a temporary folder, removed afterwards.
build_base() {
	podman image exists "$BASE" && return 0
	local dir
	dir=$(mktemp -d /var/tmp/gregor-rootfs.XXXXXX)
	# shellcheck disable=SC2064
	trap "rm -rf '$dir'" RETURN
	debootstrap --variant=minbase bookworm "$dir" http://deb.debian.org/debian >/dev/null ||
		{ echo "images.sh: debootstrap failed" >&2; return 1; }
	cat >"$dir/etc/apt/sources.list" <<'SRC'
deb http://deb.debian.org/debian bookworm main
deb http://deb.debian.org/debian bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
SRC
	rm -rf "$dir"/var/lib/apt/lists/* "$dir"/var/cache/apt/*.bin "$dir"/var/cache/apt/archives/*.deb
	tar -C "$dir" -c . | podman import --change 'CMD ["bash"]' - "$BASE" >/dev/null
}

# build_hashed IMAGE DIR: rebuilt only when DIR's files changed (their hash
# is a label on the image).
build_hashed() {
	local sum have
	sum=$(cat "$2"/* | sha256sum | cut -c1-16)
	have=$(podman image inspect --format '{{index .Labels "gregor.source"}}' "$1" 2>/dev/null || true)
	[[ $have == "$sum" ]] && return 0
	podman build -q --label "gregor.source=$sum" -t "$1" "$2" >/dev/null
}

# Through podman's layer cache: only the layers after a changed source
# file are built again. --format docker keeps the HEALTHCHECK.
build_gregor() {
	podman build -q --format docker -t "$GREGOR_IMAGE" -f "$root/deploy/Dockerfile" "$root" >/dev/null
}

t0=$SECONDS
build_base
step "base image $BASE ready"
build_hashed "$ZK_IMAGE" "$here/zookeeper"
step "zookeeper stand-in $ZK_IMAGE ready"
build_hashed "$CLIENT_IMAGE" "$here/client"
step "client $CLIENT_IMAGE ready"
build_gregor
step "gregor image $GREGOR_IMAGE ready"
