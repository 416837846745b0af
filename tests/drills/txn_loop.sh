#!/usr/bin/env bash
# txn_loop.sh N [FAULT...]: runs txn_check.sh under each fault (default:
# all six) N times, one after another, and prints a table: fault, runs,
# transactions committed / aborted / unknown, values checked, batches
# refused at produce-time verification, anomalies, failed runs. Each run's
# output is kept in a log dir; a failed run's cluster dir (with the
# history) is copied to DRILL_SAVE_DIR. Exits 1 if any run failed or found
# an anomaly (the drills suite runs it 10 times per fault).
# Env: GREGORD, DRILL_BIN_DIR, ACKED_BIN_DIR (default: build in the repo),
# TXN_CHECK_*.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
N=${1:-}
if ! [[ $N =~ ^[0-9]+$ ]] || ((N < 1 || N > 1000)); then
	echo "usage: txn_loop.sh N [FAULT...]" >&2
	exit 64
fi
shift
FAULTS=("$@")
((${#FAULTS[@]})) || FAULTS=(leader-kill coord-kill isolate zk-kill client-kill delay)
export GREGORD=${GREGORD:-$ROOT/build/broker/gregord}
export DRILL_BIN_DIR=${DRILL_BIN_DIR:-$ROOT/build/tests/drills}
export ACKED_BIN_DIR=${ACKED_BIN_DIR:-$ROOT/build/tests/lib}
export DRILL_SAVE_DIR=${DRILL_SAVE_DIR:-/tmp/gregor-drill-failures}
export GREGOR_SOURCE_ROOT=$ROOT
LOGS=$(mktemp -d "${TMPDIR:-/tmp}/gregor-txn-loop.XXXXXX")
echo "txn_loop.sh: logs in $LOGS, failed clusters saved to $DRILL_SAVE_DIR" >&2

declare -A RUNS COMMITTED ABORTED UNKNOWN VALUES REFUSED ANOMALIES FAILS
for f in "${FAULTS[@]}"; do
	RUNS[$f]=0 COMMITTED[$f]=0 ABORTED[$f]=0 UNKNOWN[$f]=0 VALUES[$f]=0 REFUSED[$f]=0
	ANOMALIES[$f]=0 FAILS[$f]=0
done
field() { sed -n "s/^TXN-CHECK-RESULT .* $1=\([0-9]*\).*/\1/p" "$2" | head -n 1; }
for ((i = 1; i <= N; i++)); do
	for f in "${FAULTS[@]}"; do
		log="$LOGS/$f-$i.log"
		rc=0
		timeout 900 bash "$HERE/txn_check.sh" "$f" >"$log" 2>&1 || rc=$?
		RUNS[$f]=$((RUNS[$f] + 1))
		c=$(field committed "$log") a=$(field aborted "$log") u=$(field unknown "$log")
		v=$(field values "$log") r=$(field refused "$log") x=$(field anomalies "$log")
		COMMITTED[$f]=$((COMMITTED[$f] + ${c:-0}))
		ABORTED[$f]=$((ABORTED[$f] + ${a:-0}))
		UNKNOWN[$f]=$((UNKNOWN[$f] + ${u:-0}))
		VALUES[$f]=$((VALUES[$f] + ${v:-0}))
		REFUSED[$f]=$((REFUSED[$f] + ${r:-0}))
		ANOMALIES[$f]=$((ANOMALIES[$f] + ${x:-0}))
		((rc == 0)) || FAILS[$f]=$((FAILS[$f] + 1))
		printf 'run %d %s: exit %d committed=%s aborted=%s values=%s anomalies=%s%s\n' "$i" "$f" \
			"$rc" "${c:-?}" "${a:-?}" "${v:-?}" "${x:-?}" \
			"$( ((rc == 0)) || printf ' (%s)' "$(grep -m1 'FAIL:' "$log" || echo "see $log")")" >&2
	done
done
printf '%-12s %5s %10s %8s %8s %9s %8s %10s %9s\n' fault runs committed aborted unknown values \
	refused anomalies failures
for f in "${FAULTS[@]}"; do
	printf '%-12s %5d %10d %8d %8d %9d %8d %10d %9d\n' "$f" "${RUNS[$f]}" "${COMMITTED[$f]}" \
		"${ABORTED[$f]}" "${UNKNOWN[$f]}" "${VALUES[$f]}" "${REFUSED[$f]}" "${ANOMALIES[$f]}" \
		"${FAILS[$f]}"
done
bad=0
for f in "${FAULTS[@]}"; do
	((FAILS[$f] == 0 && ANOMALIES[$f] == 0)) || bad=1
done
exit "$bad"
