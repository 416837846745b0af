# shellcheck shell=bash
# podman_env.sh (sourced): podman settings that work on these machines
# (rootful podman 4.3 without systemd): runc as the runtime, cgroupfs, events
# to a file, and default ulimits the JVM and brokers need. Written once to a
# cache folder that lives as long as the machine (GREGOR_COMPOSE_CACHE).
GREGOR_COMPOSE_CACHE=${GREGOR_COMPOSE_CACHE:-/var/cache/gregor-compose}
mkdir -p "$GREGOR_COMPOSE_CACHE"
cat >"$GREGOR_COMPOSE_CACHE/containers.conf.new" <<'CONF'
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
CONF
mv "$GREGOR_COMPOSE_CACHE/containers.conf.new" "$GREGOR_COMPOSE_CACHE/containers.conf"
export CONTAINERS_CONF="$GREGOR_COMPOSE_CACHE/containers.conf"
