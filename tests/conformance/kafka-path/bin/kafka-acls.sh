#!/usr/bin/env bash
# kafka-acls.sh stand-in for librdkafka's tests 0115/0119: run-one.sh points
# KAFKA_PATH at this tree and KAFKA_ACLS at the kafka-acls binary built from
# ../kafka-acls.c, which sends the one ACL those tests add as a CreateAcls.
set -euo pipefail
[[ -x ${KAFKA_ACLS:-} ]] || { echo "kafka-acls.sh (gregor shim): KAFKA_ACLS is not set to an executable" >&2; exit 2; }
exec "$KAFKA_ACLS" "$@"
