#!/usr/bin/env bash
# drill_rolling_restart.sh (drill 5): `gregorctl drill rolling-restart`:
# restart every broker in turn with SIGTERM (controlled shutdown, cluster.sh
# stop) under an acks=all load, waiting for the full ISR between brokers; no
# produce may fail beyond retriable errors and no acknowledged write may be
# lost. Here also: every broker exited cleanly on SIGTERM.
source "$(dirname "$0")/drill_lib.sh"

T=dr5
NP=6
drill_up
drill_topic "$T" "$NP"
drill_run rolling-restart --topic "$T" --rate 300 --warmup 5 --timeout 90
for b in 1 2 3; do
	n=$(grep -c 'gregord exited with status 0' "$CLUSTER_DIR/logs/broker-$b.log" || true)
	((n >= 1)) || fail "broker $b did not exit cleanly on SIGTERM"
done
