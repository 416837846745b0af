#!/usr/bin/env bash
# kafka-topics.sh stand-in for librdkafka's tests: run-one.sh points
# KAFKA_PATH at this tree so test_kafka_topics() (0045, 0052, 0077) can
# create, alter and delete topics. Only what those tests pass is accepted;
# each call becomes one gregorctl (ZooKeeper-direct) command.
#   kafka-topics.sh --zookeeper ZK (--create|--alter|--delete) --topic T
#                   [--partitions N] [--replication-factor R] [--config k=v]...
# Env: GREGORCTL (the gregorctl binary). Exit: gregorctl's, 2 on bad usage.
set -euo pipefail

die() { printf 'kafka-topics.sh (gregor shim): %s\n' "$*" >&2; exit 2; }

[[ -x ${GREGORCTL:-} ]] || die "GREGORCTL is not set to an executable"
zk='' op='' topic='' parts='' rf=''
configs=()
while (($#)); do
	case $1 in
	--zookeeper) zk=${2:-}; shift ;;
	--create | --alter | --delete) [[ -z $op ]] || die "two operations"; op=${1#--} ;;
	--topic) topic=${2:-}; shift ;;
	--partitions) parts=${2:-}; shift ;;
	--replication-factor) rf=${2:-}; shift ;;
	--config) configs+=(--config "${2:-}"); shift ;;
	*) die "unsupported argument '$1'" ;;
	esac
	shift
done
[[ -n $zk ]] || die "--zookeeper is required (--bootstrap-server is not supported)"
[[ -n $op && -n $topic ]] || die "need one of --create/--alter/--delete and --topic"

g=("$GREGORCTL" --zookeeper "$zk" topics)
case $op in
create)
	[[ $parts =~ ^[0-9]+$ && $rf =~ ^[0-9]+$ ]] || die "--create needs --partitions and --replication-factor"
	exec "${g[@]}" create --topic "$topic" --partitions "$parts" \
		--replication-factor "$rf" "${configs[@]+"${configs[@]}"}" ;;
alter)
	[[ $parts =~ ^[0-9]+$ && ${#configs[@]} -eq 0 ]] || die "--alter supports only --partitions"
	exec "${g[@]}" alter --topic "$topic" --partitions "$parts" ;;
delete)
	exec "${g[@]}" delete --topic "$topic" ;;
esac
