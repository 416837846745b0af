#!/usr/bin/env bash
# suite-mark.sh start|end RUNS_DIR: brackets a conformance suite run. 'start'
# records the time; 'end' prints the suite's total wall time, the run dirs
# kept by failed tests since the start, and fails if any gregord or
# ZooKeeper process started under RUNS_DIR is still alive (run-one.sh must
# leave nothing running). It only reports such processes, never kills them.
set -euo pipefail

say() { printf 'suite-mark.sh: %s\n' "$*"; }

MODE=${1:-}
RUNS=${2:-}
[[ ($MODE == start || $MODE == end) && -n $RUNS ]] ||
	{ say "usage: suite-mark.sh start|end RUNS_DIR" >&2; exit 2; }
mkdir -p "$RUNS"
# Clusters name their files by the path run-one.sh was given, which may go
# through a symlinked cache; match both spellings.
RUNS_GIVEN=$(cd "$RUNS" && pwd -L)
RUNS=$(cd "$RUNS" && pwd -P)
STAMP="$RUNS/.suite-start"

if [[ $MODE == start ]]; then
	date +%s >"$STAMP"
	say "suite started $(date '+%F %T')"
	exit 0
fi

rc=0
start=$(cat "$STAMP" 2>/dev/null || true)
if [[ $start =~ ^[0-9]+$ ]]; then
	total=$(($(date +%s) - start))
	say "conformance suite total time: ${total}s ($((total / 60))m$((total % 60))s)"
	# Run dirs are removed on pass/skip, so the newer ones are failures.
	kept=$(find "$RUNS" -mindepth 1 -maxdepth 1 -type d -newer "$STAMP" -printf '%f\n' | sort | tr '\n' ' ')
	say "run dirs kept by failed tests: ${kept:-none}"
else
	say "no start mark in $RUNS (was rdkafka-suite-start skipped?)"
fi

# Any process whose command line names a file under RUNS was started by a
# run-one.sh cluster (gregord server.properties, ZooKeeper zoo.cfg).
left=()
for d in /proc/[0-9]*; do
	pid=${d#/proc/}
	[[ $pid == "$$" ]] && continue
	cmd=$( { tr '\0\n\t' '   ' <"$d/cmdline"; } 2>/dev/null) || continue
	[[ $cmd == *"$RUNS/"* || $cmd == *"$RUNS_GIVEN/"* ]] || continue
	[[ $cmd != *suite-mark.sh* ]] || continue
	left+=("$pid")
	say "left running: pid $pid: ${cmd:0:200}"
done
if ((${#left[@]})); then
	say "FAIL: ${#left[@]} process(es) from conformance runs still alive"
	rc=1
else
	say "no gregord/ZooKeeper process from conformance runs left running"
fi
exit "$rc"
