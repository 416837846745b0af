#!/usr/bin/env bash
# fetch-and-build.sh: fetches Debian bookworm's librdkafka 2.0.2 source with
# a private apt configuration (never touching /etc or the system lists) and
# builds its static library and tests/test-runner under a cache directory.
# Idempotent: a finished build (stamp file) is reused.
#
#   fetch-and-build.sh [CACHE_DIR]     (default: build/conformance-cache)
# Env: RDK_CONFORMANCE_SSL=1 builds with OpenSSL (SSL, SASL SCRAM and
# OAUTHBEARER) for the tests.txt lines with cluster=tls|secure; its stamp
# differs, so give it its own CACHE_DIR (a plaintext cache would be rebuilt).
# Prints the path of the source tree's tests/ directory on stdout.
set -euo pipefail

SELF_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
REPO_ROOT=$(cd "$SELF_DIR/../.." && pwd -P)
VERSION=2.0.2
DEB_VERSION=2.0.2-1
# Bumped whenever the build recipe changes, so old builds are redone.
RECIPE=2
SSL=${RDK_CONFORMANCE_SSL:-0}
[[ $SSL == 0 || $SSL == 1 ]] || { echo "fetch-and-build.sh: RDK_CONFORMANCE_SSL must be 0 or 1" >&2; exit 1; }
FLAVOUR=""
((SSL == 0)) || FLAVOUR=-ssl
CACHE=${1:-${RDK_CONFORMANCE_CACHE:-$REPO_ROOT/build/conformance-cache}}

say() { printf 'fetch-and-build.sh: %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

mkdir -p "$CACHE"
CACHE=$(cd "$CACHE" && pwd -P)
SRC="$CACHE/librdkafka-$VERSION"
STAMP="$CACHE/built-$DEB_VERSION-r$RECIPE$FLAVOUR.stamp"
LOCK="$CACHE/.lock"

# Serialise concurrent callers (meson may start several run-one.sh).
exec 9>"$LOCK"
flock -w 1800 9 || die "could not lock $LOCK within 30 minutes"

# kafka-acls (../kafka-acls.c, for kafka-path/bin/kafka-acls.sh) against
# this librdkafka; remade whenever its source is newer. Not part of the
# stamp: a change to it never rebuilds librdkafka.
build_acls_tool() {
	local out="$CACHE/kafka-acls" src="$SELF_DIR/kafka-acls.c"
	[[ -x $out && $out -nt $src ]] && return 0
	cc -std=c11 -Wall -Wextra -Werror -O2 -I"$SRC/src" -o "$out" "$src" \
		-L"$SRC/src" -Wl,-rpath,"$SRC/src" -lrdkafka >&2 ||
		die "cannot build $out"
}

if [[ -f $STAMP && -x $SRC/tests/test-runner ]]; then
	build_acls_tool
	printf '%s\n' "$SRC/tests"
	exit 0
fi

# The Debian mirror this machine already uses (deb822 or one-line format).
mirror_url() {
	local f url
	for f in /etc/apt/sources.list.d/*.sources; do
		[[ -f $f ]] || continue
		url=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) if ($i ~ /\/debian\/?$/) { print $i; exit } }' "$f")
		[[ -n $url ]] && { printf '%s' "$url"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[[ -f $f ]] || continue
		url=$(awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^https?:.*\/debian\/?$/) { print $i; exit } }' "$f")
		[[ -n $url ]] && { printf '%s' "$url"; return; }
	done
	printf '%s' "http://deb.debian.org/debian"
}

APT_DIR="$CACHE/apt"
APT_OPTS=(
	-o "Dir::Etc::SourceList=$APT_DIR/sources.list"
	-o "Dir::Etc::SourceParts=/dev/null"
	-o "Dir::State::Lists=$APT_DIR/lists"
	-o "Dir::Cache=$APT_DIR/cache"
	-o "APT::Sandbox::User=root"
	-o "Acquire::Languages=none"
)

fetch_source() {
	local url keyring=/usr/share/keyrings/debian-archive-keyring.gpg
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial" "$CACHE/dl"
	url=$(mirror_url)
	printf 'deb-src [signed-by=%s] %s bookworm main\n' "$keyring" "$url" >"$APT_DIR/sources.list"
	say "apt-get update (private lists, deb-src $url bookworm)"
	apt-get "${APT_OPTS[@]}" -qq update >&2
	say "apt-get source librdkafka=$DEB_VERSION"
	rm -rf "$SRC"
	(cd "$CACHE/dl" && apt-get "${APT_OPTS[@]}" -q source --download-only "librdkafka=$DEB_VERSION" >&2)
	dpkg-source --no-copy -x "$CACHE/dl/librdkafka_$DEB_VERSION.dsc" "$SRC" >&2
}

# Debian -dev packages librdkafka's configure probes for and the
# test-runner links with (rapidjson: tests 0053/0110 check the statistics
# JSON with it, else skip); installed only when missing.
install_deps() {
	local pkg missing=()
	local pkgs=(zlib1g-dev libzstd-dev liblz4-dev rapidjson-dev g++ make python3)
	((SSL == 0)) || pkgs+=(libssl-dev)
	for pkg in "${pkgs[@]}"; do
		dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep 'install ok installed' >/dev/null || missing+=("$pkg")
	done
	((${#missing[@]} == 0)) && return 0
	say "installing ${missing[*]}"
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
}

build() {
	local jobs
	jobs=$(nproc 2>/dev/null || echo 2)
	cd "$SRC"
	# Plaintext by default: the conformance cluster speaks PLAINTEXT. The
	# SSL build (SASL SCRAM needs only OpenSSL) serves the --tls/--secure
	# clusters; never GSSAPI (Gregor has no Kerberos).
	local ssl_opt=--disable-ssl
	((SSL == 0)) || ssl_opt=--enable-ssl
	say "configure ($ssl_opt)"
	./configure --no-download "$ssl_opt" --disable-gssapi \
		--disable-curl >"$CACHE/configure.log" 2>&1 ||
		{ tail -n 40 "$CACHE/configure.log" >&2; die "configure failed (see $CACHE/configure.log)"; }
	say "make -C src (librdkafka.a)"
	make -j"$jobs" -C src >"$CACHE/make-src.log" 2>&1 ||
		{ tail -n 40 "$CACHE/make-src.log" >&2; die "make -C src failed"; }
	make -j"$jobs" -C src-cpp >"$CACHE/make-src-cpp.log" 2>&1 ||
		{ tail -n 40 "$CACHE/make-src-cpp.log" >&2; die "make -C src-cpp failed"; }
	say "make -C tests build (test-runner)"
	make -j"$jobs" -C tests build >"$CACHE/make-tests.log" 2>&1 ||
		{ tail -n 40 "$CACHE/make-tests.log" >&2; die "make -C tests build failed"; }
	[[ -x tests/test-runner ]] || die "tests/test-runner was not produced"
}

start=$SECONDS
install_deps
[[ -f $SRC/tests/test.c ]] || fetch_source
build
printf 'built %s in %ss\n' "$DEB_VERSION" "$((SECONDS - start))" >"$STAMP"
build_acls_tool
say "done in $((SECONDS - start))s"
printf '%s\n' "$SRC/tests"
