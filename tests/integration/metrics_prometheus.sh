#!/usr/bin/env bash
# metrics_prometheus.sh: a real Prometheus server (Debian's package) scrapes
# a 3-broker cluster's metrics endpoints; through Prometheus's query API the
# test checks that the series exist and move: messages in per topic, the one
# active controller, consumer-group lag, and under-replicated partitions going
# to the expected count when a broker dies and back to 0 when it returns.
source "$(dirname "$0")/lib.sh"

PROMETHEUS=${PROMETHEUS:-/usr/bin/prometheus}
[[ -x $PROMETHEUS ]] || fail "prometheus not installed ($PROMETHEUS): deploy/install-deps.sh installs it"

T=pm
cluster_up 3
[[ -n $METRICS ]] || fail "cluster.sh up printed no METRICS= line"

work=$(mktemp -d)
on_exit "rm -rf '$work'"

# ---- Prometheus on a free port, scraping every broker each second
prom_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
targets=$(printf '%s\n' "${METRICS//,/$'\n'}" | sed -E "s#^http://([^/]+)/metrics#'\\1'#" | paste -sd,)
cat >"$work/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: gregor
    static_configs:
      - targets: [$targets]
EOF
"$PROMETHEUS" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/tsdb" \
	--web.listen-address="127.0.0.1:$prom_port" >"$work/prometheus.log" 2>&1 &
prom_pid=$!
on_exit "kill $prom_pid 2>/dev/null; wait $prom_pid 2>/dev/null"
prom_ready() { curl -sf "http://127.0.0.1:$prom_port/-/ready" >/dev/null; }
wait_until 60 "Prometheus ready" prom_ready

# query EXPR: the value of a scalar-like instant query ("" when empty).
query() {
	curl -sf -G "http://127.0.0.1:$prom_port/api/v1/query" --data-urlencode "query=$1" |
		python3 -c '
import json, sys
r = json.load(sys.stdin)["data"]["result"]
print(r[0]["value"][1] if r else "")'
}
# query_is EXPR VALUE: the query answers VALUE (numerically).
query_is() {
	local v
	v=$(query "$1") || return 1
	[[ -n $v ]] && python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) == float(sys.argv[2]) else 1)' "$v" "$2"
}
expect() {
	wait_until "$3" "Prometheus: $1 == $2" query_is "$1" "$2"
	note "Prometheus: $1 == $2"
}

expect 'count(up{job="gregor"} == 1)' 3 60
expect 'sum(kafka_controller_kafkacontroller_activecontrollercount)' 1 30

# ---- traffic: 5,000 records in, a group consumes them all and commits
seq -f 'm%05g' 1 5000 >"$work/in.txt"
kc -P -t "$T" -X acks=all -l "$work/in.txt" || fail "produce failed"
expect "sum(kafka_server_brokertopicmetrics_messagesin_total{topic=\"$T\"})" 5000 60
kc -C -G pmg -X auto.offset.reset=earliest -X enable.auto.commit=true \
	-X auto.commit.interval.ms=200 -e -q -o beginning "$T" >"$work/out.txt" ||
	fail "group consume failed"
[[ $(wc -l <"$work/out.txt") == 5000 ]] || fail "group read $(wc -l <"$work/out.txt") of 5000"
expect 'sum(kafka_consumergroup_lag{consumergroup="pmg"})' 0 60
expect 'sum(kafka_network_requestmetrics_requests_total{request="Produce"}) > bool 0' 1 30
expect 'max(kafka_network_requestmetrics_totaltimems_count{request="Fetch"}) > bool 0' 1 30
# the group stops consuming; 100 more records are its lag
seq -f 'late%03g' 1 100 | kc -P -t "$T" -X acks=all || fail "produce of 100 failed"
expect 'sum(kafka_consumergroup_lag{consumergroup="pmg"})' 100 60
expect "sum(kafka_server_brokertopicmetrics_bytesout_total{topic=\"$T\"}) > bool 0" 1 30

# ---- kill the controller: its partitions' replicas are missing until it returns
ctl=$(zk_get /controller | python3 -c 'import json,sys; print(json.load(sys.stdin)["brokerid"])')
# every partition has the killed broker among its replicas (RF 3 on 3 brokers)
n_parts=$(kc -L -J | python3 -c '
import json, sys
m = json.load(sys.stdin)
print(sum(1 for t in m["topics"] for p in t["partitions"] if int(sys.argv[1]) in [r["id"] for r in p["replicas"]]))' "$ctl")
((n_parts > 0)) || fail "no partition has broker $ctl as a replica"
note "killing controller $ctl (a replica of $n_parts partitions)"
cluster kill "$ctl"
expect 'sum(kafka_server_replicamanager_underreplicatedpartitions)' "$n_parts" 90
expect 'sum(kafka_controller_kafkacontroller_activecontrollercount)' 1 60
expect "count(up{job=\"gregor\"} == 0)" 1 30
cluster start "$ctl"
expect 'sum(kafka_server_replicamanager_underreplicatedpartitions)' 0 120
expect 'sum(kafka_controller_kafkacontroller_activecontrollercount)' 1 30
expect 'sum(kafka_server_replicamanager_isrexpands_total) > bool 0' 1 30
note "series exist and move as the cluster does"
