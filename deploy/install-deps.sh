#!/usr/bin/env bash
# install-deps.sh: installs every Debian 12 package Gregor needs to build,
# run and test. Idempotent and quiet: does nothing (not even apt-get update)
# when all packages are already installed.
set -euo pipefail

PKGS=(
	meson ninja-build pkg-config gcc clang
	libzookeeper-mt-dev check libssl-dev openssl librdkafka-dev
	zlib1g-dev libsnappy-dev liblz4-dev libzstd-dev
	zookeeper default-jre-headless
	kcat python3 tcpdump shellcheck procps
	# deploy/zkq.py, the scripts' and tests' ZooKeeper client
	python3-kazoo
	iproute2 nftables
	prometheus curl
	# tests/bench/suite.sh draws the latency plot of BENCHMARKS.md
	gnuplot-nox
	# the Kafka clients the integration tests run (tests/integration/clients)
	python3-kafka python3-confluent-kafka
	golang-go golang-github-shopify-sarama-dev golang-github-segmentio-kafka-go-dev
	burrow rsyslog rsyslog-kafka
	# the compose suite: rootful podman with runc, CNI networks with name
	# resolution (dnsname), podman-compose to run the compose file,
	# docker-compose to validate it, debootstrap for the base image
	podman buildah runc containernetworking-plugins
	golang-github-containernetworking-plugin-dnsname
	podman-compose docker-compose debootstrap
)
# nodejs/npm may come from elsewhere (e.g. NodeSource, which conflicts with
# Debian's npm): only install Debian's when either command is missing.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
	PKGS+=(nodejs npm)
fi

missing=()
for p in "${PKGS[@]}"; do
	if [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null) != "install ok installed" ]]; then
		missing+=("$p")
	fi
done
((${#missing[@]} == 0)) && exit 0

SUDO=()
if ((EUID != 0)); then
	command -v sudo >/dev/null 2>&1 || { echo "install-deps.sh: need root (or sudo) to install: ${missing[*]}" >&2; exit 1; }
	SUDO=(sudo)
fi
echo "install-deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
# Quiet on success; the full apt output on failure.
run_quiet() {
	local out
	out=$("$@" 2>&1) || { printf '%s\n' "$out" >&2; echo "install-deps.sh: failed: $*" >&2; exit 1; }
}
run_quiet "${SUDO[@]}" apt-get update -q
run_quiet "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
