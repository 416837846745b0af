#!/bin/sh
# Entrypoint of the Gregor image. "gregord --env" (the default command) reads
# KAFKA_<KEY> variables the way Kafka's images do (KAFKA_BROKER_ID -> broker.id;
# "_" -> ".", "__" -> "_", "___" -> "-"; KAFKA_<KEY>_FILE reads the value from
# a file); an unknown key is warned about, a bad value stops the container
# with a message naming the variable. Any other command (gregorctl, sh) runs
# as given. exec: gregord is PID 1 and gets the SIGTERM of `docker stop`.
set -eu
if [ "${1:-}" = gregord ] && [ "${2:-}" = --env ]; then
	dir=${KAFKA_LOG_DIRS:-${KAFKA_LOG_DIR:-/var/lib/gregor/data}}
	mkdir -p "$dir" 2>/dev/null || true
	if [ ! -w "$dir" ]; then
		echo "docker-entrypoint.sh: log dir $dir is not writable by uid $(id -u);" \
			"mount a volume there owned by uid $(id -u), or a named volume" >&2
		exit 1
	fi
fi
exec "$@"
