/* The broker status file, gregord.status in the broker's log dir: what
 * `gregorctl health` cannot learn from ZooKeeper alone -- which broker this
 * is, the broker epoch it registered with (the czxid of /brokers/ids/<id>),
 * whether it is shutting down, and its process (pid and start time, so a
 * file left by a killed broker never vouches for a new process that got the
 * same pid, as PID 1 in a restarted container does). gregord rewrites it whenever one
 * of these changes (within a second); readers compare it with ZooKeeper. */
#ifndef GREGOR_COORD_HEALTH_H
#define GREGOR_COORD_HEALTH_H

#include <stddef.h>
#include <stdint.h>

#define HEALTH_FILE_NAME "gregord.status"

enum health_state { HEALTH_STARTING, HEALTH_RUNNING, HEALTH_SHUTTING_DOWN, HEALTH_STOPPED };

struct health_status {
	int64_t pid;
	int64_t start_time;        /* /proc/<pid>/stat starttime (clock ticks) */
	int32_t broker_id;
	int64_t broker_epoch;      /* -1 until registered */
	enum health_state state;
	char zk_connect[1024];     /* zookeeper.connect, chroot included */
};

const char *health_state_name(enum health_state s);
/* The start time of process pid (field 22 of /proc/<pid>/stat); 0, or -1
 * if there is no such process. */
int health_proc_start(int64_t pid, int64_t *start_time);
/* DIR/gregord.status into out; 0, or -1 if it does not fit. */
int health_path(const char *dir, char *out, size_t outlen);
/* Writes the file atomically (a temporary beside it, renamed over it), so a
 * reader sees the old or the new status, never a mix. 0 or -errno. */
int health_write(const char *path, const struct health_status *st);
/* Reads and checks the file; 0, or -1 with the reason in err. */
int health_read(const char *path, struct health_status *out, char *err, size_t errlen);

#endif
