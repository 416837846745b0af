#!/usr/bin/env bash
# run.sh: the whole CI check -- install dependencies, build, run every
# registered test (unit + integration), then rebuild with AddressSanitizer
# and UBSan and run the unit suite again; the release build of the image's
# programs and the fuzz targets too. Non-zero exit if anything failed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
deploy/install-deps.sh
rc=0
[[ -f build/build.ninja ]] || meson setup build
ninja -C build
# What the container image builds (deploy/Dockerfile): gregord and gregorctl
# at -O3, where GCC finds warnings the default -O2 build does not
# (maybe-uninitialized after inlining); warnings are errors in every build.
[[ -f build-release/build.ninja ]] ||
	meson setup build-release --buildtype=release -Dtests=disabled -Dintegration=false
ninja -C build-release broker/gregord coord/gregorctl/gregorctl || rc=1
# The long suites (conformance, drills, bench) are run by hand, not here.
meson test -C build --no-suite conformance --no-suite drills --no-suite bench \
	--print-errorlogs || rc=1
[[ -f build-asan/build.ninja ]] || meson setup build-asan -Db_sanitize=address,undefined -Db_lundef=false
ninja -C build-asan
ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1} \
UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
	meson test -C build-asan --suite unit --print-errorlogs || rc=1
# The request decoder and the legacy message-set decoder under libFuzzer
# (clang), for a bounded time each (tests/fuzz/meson.build: a finding
# fails the test).
[[ -f build-fuzz/build.ninja ]] || CC=clang meson setup build-fuzz -Dfuzz=true -Dintegration=false
ninja -C build-fuzz tests/fuzz/fuzz_request tests/fuzz/fuzz_message_set
meson test -C build-fuzz --suite fuzz --print-errorlogs || rc=1
if ((rc != 0)); then
	echo "tests/run.sh: FAILED (see the logs above and build*/meson-logs/testlog.txt)" >&2
else
	echo "tests/run.sh: all passed" >&2
fi
exit "$rc"
