#!/usr/bin/env bash
# loop.sh N [DRILL...]: runs every drill (or the named ones, e.g.
# leader_kill) N times, one after another, and prints a table: drill, runs,
# acknowledged (total), lost (total), failures. Each run's output is kept
# in a log dir; a failed run's cluster dir is copied to DRILL_SAVE_DIR.
# Env: GREGORD, DRILL_BIN_DIR, ACKED_BIN_DIR (default: build-drills in the repo).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
N=${1:-}
if ! [[ $N =~ ^[0-9]+$ ]] || ((N < 1 || N > 1000)); then
	echo "usage: loop.sh N [DRILL...]" >&2
	exit 64
fi
shift
DRILLS=("$@")
((${#DRILLS[@]})) || DRILLS=(leader_kill controller_kill leader_isolate leader_partition zk_kill
	rolling_restart min_isr txn_coord_kill)
export GREGORD=${GREGORD:-$ROOT/build-drills/broker/gregord}
export DRILL_BIN_DIR=${DRILL_BIN_DIR:-$ROOT/build-drills/tests/drills}
export ACKED_BIN_DIR=${ACKED_BIN_DIR:-$ROOT/build-drills/tests/lib}
export DRILL_SAVE_DIR=${DRILL_SAVE_DIR:-/tmp/gregor-drill-failures}
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/gregor-drill-loop.XXXXXX")
echo "loop.sh: logs in $LOGS, failed clusters saved to $DRILL_SAVE_DIR" >&2

declare -A ACKED LOST FAILS RUNS
for d in "${DRILLS[@]}"; do
	[[ -f $HERE/drill_$d.sh ]] || { echo "loop.sh: no drill $d" >&2; exit 64; }
	ACKED[$d]=0 LOST[$d]=0 FAILS[$d]=0 RUNS[$d]=0
done
for ((i = 1; i <= N; i++)); do
	for d in "${DRILLS[@]}"; do
		log="$LOGS/$d-$i.log"
		rc=0
		timeout 900 bash "$HERE/drill_$d.sh" >"$log" 2>&1 || rc=$?
		RUNS[$d]=$((RUNS[$d] + 1))
		a=$(sed -n 's/^DRILL-RESULT .* acknowledged=\([0-9]*\) .*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
		l=$(sed -n 's/^DRILL-RESULT .* lost=\([0-9]*\) .*/\1/p' "$log" | awk '{s += $1} END {print s + 0}')
		ACKED[$d]=$((ACKED[$d] + a))
		LOST[$d]=$((LOST[$d] + l))
		((rc == 0)) || FAILS[$d]=$((FAILS[$d] + 1))
		printf 'run %d %s: exit %d acknowledged=%d lost=%d%s\n' "$i" "$d" "$rc" "$a" "$l" \
			"$( ((rc == 0)) || printf ' (%s)' "$(grep -m1 'FAIL:' "$log" || echo "see $log")")" >&2
	done
done
printf '%-18s %5s %14s %6s %9s\n' drill runs acknowledged lost failures
for d in "${DRILLS[@]}"; do
	printf '%-18s %5d %14d %6d %9d\n' "$d" "${RUNS[$d]}" "${ACKED[$d]}" "${LOST[$d]}" "${FAILS[$d]}"
done
