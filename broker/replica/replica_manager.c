/* Replica manager: partitions keyed by their directory name. */
#include "broker/replica/replica_manager.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "broker/broker.h"
#include "broker/replica/fetcher.h"
#include "broker/replica/hw.h"
#include "broker/replica/isr.h"
#include "broker/replica/partition_load.h"
#include "broker/storage/checkpoint.h"
#include "broker/topic_config.h"
#include "broker/txn/producer_state_manager.h"
#include "common/log.h"
#include "common/check.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"

#define HW_CHECKPOINT_FILE "replication-offset-checkpoint"
#define LSO_CHECKPOINT_FILE "log-start-offset-checkpoint"

/* Splits log.dirs into rm->dirs; 0 or -1. */
static int dirs_parse(struct replica_manager *rm, const char *list)
{
	for (const char *p = list; p && *p && rm->ndirs < RM_MAX_DIRS;) {
		size_t n = strcspn(p, ",");
		if (n > 0 && !(rm->dirs[rm->ndirs++].path = strndup(p, n)))
			return -1;
		p += n + (p[n] == ',');
	}
	return rm->ndirs > 0 ? 0 : -1;
}

struct replica_manager *rm_new(struct broker *b, const char *log_dirs,
			       const struct log_config *lcfg)
{
	struct replica_manager *rm = calloc(1, sizeof *rm);
	if (!rm)
		return NULL;
	rm->b = b;
	rm->lcfg = *lcfg;
	strmap_init(&rm->parts);
	if (dirs_parse(rm, log_dirs) < 0) {
		for (int d = 0; d < rm->ndirs; d++)
			free(rm->dirs[d].path);
		free(rm);
		return NULL;
	}
	rm->log_dir = rm->dirs[0].path;
	return rm;
}

int rm_partition_offline(const struct replica_manager *rm, const struct partition *p)
{
	return p->dir >= 0 && p->dir < rm->ndirs && rm->dirs[p->dir].offline;
}

static void partition_free(struct replica_manager *rm, struct partition *p)
{
	if (p->wake_pending) /* freed inside a batch: off its wake list */
		for (struct partition **pp = &rm->wake_list; *pp; pp = &(*pp)->wake_next)
			if (*pp == p) {
				*pp = p->wake_next;
				break;
			}
	purg_key_release(&p->waiters);
	if (p->fetcher)
		fetcher_remove(p->fetcher, p);
	free(p->rstate);
	/* idempotence: a snapshot at the LEO before the clean close */
	if (p->log)
		partition_close_log(p, 1);
	free(p->topic);
	free(p->replicas);
	free(p->isr);
	free(p);
}

void rm_free(struct replica_manager *rm)
{
	if (!rm)
		return;
	isr_stop(rm);
	loop_timer_stop(rm->b->loop, &rm->hw_timer);
	rm_checkpoint_high_watermarks(rm);
	rm_checkpoint_log_start_offsets(rm);
	fetchers_free(rm);
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&rm->parts, &i, &k, &v);) {
		/* nothing more is written into an offline dir: no producer
		 * snapshot (its log is left for recovery, partition_set_offline) */
		if (rm_partition_offline(rm, v))
			partition_drop_state(v);
		partition_free(rm, v);
	}
	strmap_free(&rm->parts);
	for (int d = 0; d < rm->ndirs; d++) {
		free(rm->dirs[d].path);
		free(rm->dirs[d].written[RM_CKPT_HW]);
		free(rm->dirs[d].written[RM_CKPT_LOG_START]);
	}
	free(rm);
}

/* "<topic>-<index>", the partition map's key (and the log directory's
 * name). Built by hand: rm_get runs several times for every produce and
 * fetch, and snprintf was 3-4 % of a broker's CPU at 10,000 acks=all
 * requests a second. The name's bytes are taken as they are (a name with
 * a NUL in it matches no partition). */
static int part_key(char *buf, size_t cap, const char *topic, int32_t tlen, int32_t index)
{
	if (tlen < 0 || !topic)
		return -1;
	char digits[12];
	int nd = 0;
	uint32_t u = index < 0 ? 0u - (uint32_t)index : (uint32_t)index;
	do {
		digits[nd++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (index < 0)
		digits[nd++] = '-';
	size_t n = (size_t)tlen + 1 + (size_t)nd;
	if (n >= cap)
		return -1;
	memcpy(buf, topic, (size_t)tlen);
	buf[tlen] = '-';
	for (int i = 0; i < nd; i++)
		buf[(size_t)tlen + 1 + (size_t)i] = digits[nd - 1 - i];
	buf[n] = '\0';
	return (int)n;
}

struct partition *rm_get(struct replica_manager *rm, const char *topic,
			 int32_t tlen, int32_t index)
{
	char key[320];
	int n = part_key(key, sizeof key, topic, tlen, index);
	return n < 0 ? NULL : strmap_get(&rm->parts, key, (size_t)n);
}

/* Opens (creating) the partition's log and registers it. */
static void restore_high_watermarks(struct replica_manager *rm);
static void restore_log_start_offsets(struct replica_manager *rm);

/* A partition of dir not yet opened: its path into path, its topic's log
 * settings into cfg. NULL on a bad name or no memory. */
static struct partition *partition_new(struct replica_manager *rm, int dir, const char *topic,
				       int32_t tlen, int32_t index, char *path, size_t cap,
				       struct log_config *cfg)
{
	char key[320];
	int n = part_key(key, sizeof key, topic, tlen, index);
	if (n < 0 || dir < 0 || snprintf(path, cap, "%s/%s", rm->dirs[dir].path, key) >= (int)cap)
		return NULL;
	struct partition *p = calloc(1, sizeof *p);
	if (!p)
		return NULL;
	p->topic = strndup(topic, (size_t)tlen);
	p->index = index;
	p->dir = dir;
	p->leader_id = -1;
	p->leader_epoch = -1;
	purg_key_init(&p->waiters);
	struct topic_config tc;
	topic_config_effective(rm->b, topic, tlen, &tc);
	*cfg = tc.log;
	if (!p->topic) {
		partition_free(rm, p);
		return NULL;
	}
	return p;
}

/* Registers p, whose log open returned rc (freeing it if that failed). */
static struct partition *partition_register(struct replica_manager *rm, struct partition *p,
					    const char *path, int rc)
{
	char key[320];
	int n = part_key(key, sizeof key, p->topic, (int32_t)strlen(p->topic), p->index);
	if (rc < 0)
		log_error("replica", "cannot open log %s: %s", path, strerror(-rc));
	if (rc < 0 || n < 0) {
		partition_free(rm, p);
		return NULL;
	}
	p->high_watermark = partition_log_end(p);
	if (strmap_put(&rm->parts, key, (size_t)n, p) < 0) {
		partition_free(rm, p);
		return NULL;
	}
	rm->dirs[p->dir].nparts++;
	return p;
}

/* Opens (creating) the partition's log and registers it. */
static struct partition *partition_open(struct replica_manager *rm, int dir,
					const char *topic, int32_t tlen, int32_t index)
{
	char path[4096];
	struct log_config cfg;
	struct partition *p = partition_new(rm, dir, topic, tlen, index, path, sizeof path, &cfg);
	if (!p)
		return NULL;
	return partition_register(rm, p, path, partition_open_log(p, path, &cfg, &rm->b->storage));
}

/* Kafka's LogManager.nextLogDirs: a new partition goes to the online dir
 * holding the fewest partitions (the first of equals); -1 if none is. */
static int dir_for_new(const struct replica_manager *rm)
{
	int best = -1;
	for (int d = 0; d < rm->ndirs; d++)
		if (!rm->dirs[d].offline && (best < 0 || rm->dirs[d].nparts < rm->dirs[best].nparts))
			best = d;
	return best;
}

/* "<topic>-<n>": split at the last dash; the suffix must be all digits. */
static int parse_dir_name(const char *name, int32_t *tlen, int32_t *index)
{
	const char *dash = strrchr(name, '-');
	if (!dash || dash == name || !dash[1])
		return -1;
	long v = 0;
	for (const char *s = dash + 1; *s; s++) {
		if (*s < '0' || *s > '9' || v > 100000000)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*tlen = (int32_t)(dash - name);
	*index = (int32_t)v;
	return 0;
}

/* Queues every partition directory of dir d for loading, unless an
 * earlier dir has one of that name (noted in seen); 0 or -errno. */
static int load_dir_queue(struct replica_manager *rm, int d, struct pload_queue *q,
			  struct strmap *seen)
{
	const char *path = rm->dirs[d].path;
	if (mkdir(path, 0755) < 0 && errno != EEXIST)
		return -errno;
	DIR *dh = opendir(path);
	if (!dh)
		return -errno;
	struct dirent *de;
	while ((de = readdir(dh))) {
		int32_t tlen, index;
		if (de->d_name[0] == '.' || de->d_type != DT_DIR ||
		    parse_dir_name(de->d_name, &tlen, &index) < 0)
			continue;
		size_t len = strlen(de->d_name);
		if (rm_get(rm, de->d_name, tlen, index) || strmap_get(seen, de->d_name, len)) {
			log_error("replica", "%s/%s: the partition is also in another log dir; "
				  "ignored here", path, de->d_name);
			continue;
		}
		char p_path[4096];
		struct log_config cfg;
		struct partition *p = partition_new(rm, d, de->d_name, tlen, index, p_path,
						    sizeof p_path, &cfg);
		char *dup = p ? strdup(p_path) : NULL;
		int rc = dup ? strmap_put(seen, de->d_name, len, p) : -1;
		if (rc < 0)
			free(dup);
		else /* the queue owns dup from here */
			rc = pload_add(q, p, dup, &cfg);
		if (rc < 0) {
			log_error("replica", "%s/%s: cannot load (out of memory)", path, de->d_name);
			if (p)
				partition_free(rm, p);
		}
	}
	closedir(dh);
	return 0;
}

/* Registers what dir d's jobs opened; how many opened. */
static int load_dir_register(struct replica_manager *rm, struct pload_queue *q)
{
	int count = 0;
	for (size_t i = 0; i < q->n; i++)
		count += partition_register(rm, q->jobs[i].p, q->jobs[i].path, q->jobs[i].rc) != NULL;
	return count;
}

int rm_load(struct replica_manager *rm)
{
	int rc = 0;
	struct pload_queue qs[RM_MAX_DIRS] = { 0 };
	struct strmap seen;
	strmap_init(&seen);
	for (int d = 0; d < rm->ndirs; d++) {
		int n = load_dir_queue(rm, d, &qs[d], &seen);
		if (n < 0) {
			/* Kafka starts with such a dir offline (its other dirs serve) */
			rm->dirs[d].offline = 1;
			rm->dirs_offline++;
			log_error("replica", "log dir %s failed (loading: %s): it is offline",
				  rm->dirs[d].path, strerror(-n));
			rc = n;
		}
	}
	strmap_free(&seen);
	int threads = rm->b->cfg->num_recovery_threads_per_data_dir;
	log_info("replica", "loading partition logs (%d recovery thread(s) per log dir)", threads);
	pload_run(qs, rm->ndirs, threads, &rm->b->storage);
	for (int d = 0; d < rm->ndirs; d++) {
		if (!rm->dirs[d].offline)
			log_info("replica", "loaded %d partition logs from %s",
				 load_dir_register(rm, &qs[d]), rm->dirs[d].path);
		pload_free(&qs[d]);
	}
	if (rm->dirs_offline == rm->ndirs)
		return rc;
	restore_high_watermarks(rm);
	restore_log_start_offsets(rm);
	return 0;
}

/* Each log dir keeps the checkpoints of its own partitions, as Kafka. */
static void checkpoint_path(const struct replica_manager *rm, int d, const char *file,
			    char *buf, size_t cap)
{
	snprintf(buf, cap, "%s/%s", rm->dirs[d].path, file);
}

/* The high watermark survives restarts through the checkpoint: a restarted
 * replica must not serve as committed what it only had in its log. Missing
 * entries start at 0 and are raised by the leader. */
static void restore_high_watermarks(struct replica_manager *rm)
{
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&rm->parts, &i, &k, &v);)
		((struct partition *)v)->high_watermark = 0;
	for (int d = 0; d < rm->ndirs; d++) {
		char path[4096];
		struct checkpoint_entry *e = NULL;
		int n = 0;
		checkpoint_path(rm, d, HW_CHECKPOINT_FILE, path, sizeof path);
		if (rm->dirs[d].offline || checkpoint_read(path, &e, &n) < 0)
			n = 0;
		for (int i = 0; i < n; i++) {
			struct partition *p = rm_get(rm, e[i].topic, (int32_t)strlen(e[i].topic),
						     e[i].partition);
			if (p && p->dir == d) {
				int64_t leo = partition_log_end(p);
				p->high_watermark = e[i].offset < leo ? e[i].offset : leo;
			}
		}
		free(e);
	}
}

static int entries_equal(const struct checkpoint_entry *a, const struct checkpoint_entry *b,
			 int n)
{
	for (int i = 0; i < n; i++)
		if (a[i].partition != b[i].partition || a[i].offset != b[i].offset ||
		    strcmp(a[i].topic, b[i].topic) != 0)
			return 0;
	return 1;
}

/* Writes dir d's checkpoint `slot` unless it would repeat what the last
 * successful write put there; keeps a copy of what was written. */
static int checkpoint_dir_write(struct replica_manager *rm, int d, int slot, const char *path,
				const struct checkpoint_entry *e, int n)
{
	struct rm_dir *dir = &rm->dirs[d];
	if (dir->written[slot] && dir->nwritten[slot] == n && entries_equal(dir->written[slot], e, n))
		return 0;
	int rc = checkpoint_write(path, e, n);
	free(dir->written[slot]);
	dir->written[slot] = NULL; /* unknown after a failure: rewrite next time */
	if (rc == 0 && (dir->written[slot] = malloc(((size_t)n + 1) * sizeof *e)) != NULL) {
		memcpy(dir->written[slot], e, (size_t)n * sizeof *e);
		dir->nwritten[slot] = n;
	}
	return rc;
}

/* Writes one checkpoint file per online dir with value(p) of each of its
 * partitions, skipping files whose content would not change. 0, or the
 * first error (that dir is taken offline). */
static int checkpoint_dirs(struct replica_manager *rm, const char *file, int slot,
			   int64_t (*value)(const struct partition *p))
{
	size_t n = rm->parts.used;
	struct checkpoint_entry *e = calloc(n + 1, sizeof *e);
	if (!e)
		return -ENOMEM;
	int first = 0;
	for (int d = 0; d < rm->ndirs; d++) {
		if (rm->dirs[d].offline)
			continue;
		size_t k = 0;
		const char *key;
		void *v;
		for (size_t i = 0; strmap_next(&rm->parts, &i, &key, &v) && k < n;) {
			struct partition *p = v;
			if (p->dir != d)
				continue;
			snprintf(e[k].topic, sizeof e[k].topic, "%s", p->topic);
			e[k].partition = p->index;
			e[k].offset = value(p);
			k++;
		}
		char path[4096];
		checkpoint_path(rm, d, file, path, sizeof path);
		int rc = checkpoint_dir_write(rm, d, slot, path, e, (int)k);
		if (rc < 0 && !rm_storage_error(rm, d, file, rc))
			log_error("replica", "cannot write %s: %s", path, strerror(-rc));
		if (rc < 0 && !first)
			first = rc;
	}
	free(e);
	return first;
}

static int64_t hw_of(const struct partition *p)
{
	return p->high_watermark;
}

static int64_t log_start_of(const struct partition *p)
{
	return partition_log_start(p);
}

int rm_checkpoint_high_watermarks(struct replica_manager *rm)
{
	return checkpoint_dirs(rm, HW_CHECKPOINT_FILE, RM_CKPT_HW, hw_of);
}

/* ---- log start offsets ---- */

/* Segments below a checkpointed start are already gone when it was written
 * after the deletion; a start inside a segment needs the checkpoint. An
 * entry above the LEO (data lost in a crash) is clamped to it. */
static void restore_log_start_offsets(struct replica_manager *rm)
{
	for (int d = 0; d < rm->ndirs; d++) {
		char path[4096];
		struct checkpoint_entry *e = NULL;
		int n = 0;
		checkpoint_path(rm, d, LSO_CHECKPOINT_FILE, path, sizeof path);
		if (rm->dirs[d].offline || checkpoint_read(path, &e, &n) < 0)
			continue;
		for (int i = 0; i < n; i++) {
			struct partition *p = rm_get(rm, e[i].topic, (int32_t)strlen(e[i].topic),
						     e[i].partition);
			if (!p || p->dir != d)
				continue;
			int64_t leo = partition_log_end(p);
			int rc = partition_advance_log_start(p, e[i].offset < leo ? e[i].offset : leo);
			if (rc < 0)
				log_error("replica", "%s-%d: cannot restore log start offset %lld: %s",
					  p->topic, p->index, (long long)e[i].offset, strerror(-rc));
		}
		free(e);
	}
}

int rm_checkpoint_log_start_offsets(struct replica_manager *rm)
{
	return checkpoint_dirs(rm, LSO_CHECKPOINT_FILE, RM_CKPT_LOG_START, log_start_of);
}

int rm_advance_log_start(struct replica_manager *rm, struct partition *p, int64_t offset)
{
	int64_t before = partition_log_start(p);
	int rc = partition_advance_log_start(p, offset);
	if (rc < 0 || partition_log_start(p) == before)
		return rc;
	/* before anyone is told: a restart must not bring deleted records back */
	rc = rm_checkpoint_log_start_offsets(rm);
	rm_wake(rm, p);
	return rc;
}

void rm_follower_log_start(struct replica_manager *rm, struct partition *p,
			   int32_t replica_id, int64_t log_start)
{
	for (int32_t i = 0; p->rstate && i < p->nrstate; i++) {
		struct replica_state *rs = &p->rstate[i];
		if (rs->broker_id != replica_id || rs->log_start == log_start)
			continue;
		rs->log_start = log_start;
		rm_wake(rm, p);
		return;
	}
}

int64_t rm_low_watermark(const struct partition *p)
{
	int64_t low = partition_log_start(p);
	for (int32_t i = 0; i < p->nisr; i++) {
		if (p->isr[i] == p->leader_id)
			continue;
		int64_t st = -1;
		for (int32_t j = 0; p->rstate && j < p->nrstate; j++)
			if (p->rstate[j].broker_id == p->isr[i])
				st = p->rstate[j].log_start;
		if (st < low)
			low = st;
	}
	return low;
}

static void hw_checkpoint_tick(struct loop_timer *t)
{
	struct replica_manager *rm = t->arg;
	/* a failed write takes its dir offline inside (checkpoint_dirs) */
	rm_checkpoint_high_watermarks(rm);
	rm_checkpoint_log_start_offsets(rm);
	int64_t ms = rm->b->cfg->replica_high_watermark_checkpoint_interval_ms;
	loop_timer_start(rm->b->loop, &rm->hw_timer, ms > 0 ? ms : 5000);
}

void rm_start(struct replica_manager *rm)
{
	isr_start(rm);
	loop_timer_init(&rm->hw_timer, hw_checkpoint_tick, rm);
	hw_checkpoint_tick(&rm->hw_timer);
}

static int32_t *ids_dup(const int32_t *v, int32_t n)
{
	int32_t *c = malloc(((size_t)n + 1) * sizeof *c);
	if (c && n > 0)
		memcpy(c, v, (size_t)n * sizeof *c);
	return c;
}

/* The leader's view of its replicas, rebuilt on every leadership change:
 * followers start unknown (-1) and count as caught up now, as Kafka does. */
/* Rebuilds p->rstate to match p->replicas. keep: carry over what is known
 * of replicas that stay (a resend with a changed list); else start afresh. */
static int sync_replica_states(struct partition *p, int64_t now_ms, int keep)
{
	struct replica_state *rs = calloc((size_t)p->nreplicas + 1, sizeof *rs);
	if (!rs)
		return -1;
	for (int32_t i = 0; i < p->nreplicas; i++) {
		rs[i].broker_id = p->replicas[i];
		rs[i].leo = -1;
		rs[i].log_start = -1;
		rs[i].last_caught_up_ms = now_ms;
		for (int32_t j = 0; keep && j < p->nrstate; j++)
			if (p->rstate[j].broker_id == p->replicas[i])
				rs[i] = p->rstate[j];
	}
	free(p->rstate);
	p->rstate = rs;
	p->nrstate = p->nreplicas;
	return 0;
}

/* Where the partition stood before a LeaderAndIsr changed it (the
 * state-change line says from what to what). */
struct rm_prev {
	int32_t leader, leader_epoch;
};

static void become_leader(struct replica_manager *rm, struct partition *p,
			  const struct rm_prev *prev)
{
	if (p->fetcher)
		fetcher_remove(p->fetcher, p);
	sync_replica_states(p, clock_mono_ms(), 0);
	p->epoch_start_offset = partition_log_end(p);
	p->isr_update_pending = 0;
	/* followers asking where our epochs end must see this one at once, not
	 * only after the first append in it (KIP-101) */
	if (partition_assign_epoch(p, p->leader_epoch, p->epoch_start_offset) < 0)
		log_error("replica", "%s-%d: cannot record leader epoch %d", p->topic, p->index,
			  p->leader_epoch);
	/* Without a checkpointed high watermark the leader alone is what it
	 * knows to be committed; followers' fetches then move it. */
	if (p->nisr <= 1)
		p->high_watermark = partition_log_end(p);
	log_state("[Broker id=%d] %s-%d: became leader, leader %d -> %d, leader epoch %d -> %d, "
		  "ISR %s, log end %lld, high watermark %lld (reason: LeaderAndIsr of controller "
		  "epoch %d, zkVersion %d)", rm->b->id, p->topic, p->index, prev->leader,
		  p->leader_id, prev->leader_epoch, p->leader_epoch, log_ids_str(p->isr, p->nisr),
		  (long long)partition_log_end(p), (long long)p->high_watermark,
		  p->controller_epoch, p->zk_version);
}

static void become_follower(struct replica_manager *rm, struct partition *p,
			    const struct rm_partition_state *s, const struct rm_prev *prev)
{
	free(p->rstate);
	p->rstate = NULL;
	p->nrstate = 0;
	if (p->fetcher)
		fetcher_remove(p->fetcher, p);
	if (s->leader < 0 || !s->leader_host) {
		log_state("[Broker id=%d] %s-%d: no leader, leader %d -> %d, leader epoch %d -> %d "
			  "(reason: LeaderAndIsr of controller epoch %d%s)", rm->b->id, p->topic,
			  p->index, prev->leader, s->leader, prev->leader_epoch, s->leader_epoch,
			  s->controller_epoch, s->leader < 0 ? "" : ", leader's endpoint unknown");
		return;
	}
	p->truncating = 1;
	fetcher_add(rm, s->leader, s->leader_host, s->leader_port, p);
	log_state("[Broker id=%d] %s-%d: became follower, leader %d -> %d, leader epoch %d -> %d, "
		  "fetching from offset %lld (reason: LeaderAndIsr of controller epoch %d, "
		  "zkVersion %d)", rm->b->id, p->topic, p->index, prev->leader, s->leader,
		  prev->leader_epoch, s->leader_epoch, (long long)partition_log_end(p),
		  s->controller_epoch, s->zk_version);
}

int rm_add_leadership_listener(struct replica_manager *rm, rm_leadership_fn fn, void *arg)
{
	if (rm->nlisteners == RM_MAX_LISTENERS)
		return -1;
	rm->listeners[rm->nlisteners].fn = fn;
	rm->listeners[rm->nlisteners].arg = arg;
	rm->nlisteners++;
	return 0;
}

static void notify_leadership(struct replica_manager *rm, const struct partition *p)
{
	for (int i = 0; i < rm->nlisteners; i++)
		rm->listeners[i].fn(rm->listeners[i].arg, p->topic, p->index, p->is_leader,
				    p->leader_epoch);
}

int rm_apply_leader_and_isr(struct replica_manager *rm, const struct rm_partition_state *s)
{
	struct partition *p = rm_get(rm, s->topic, s->tlen, s->index);
	/* Kafka: an existing replica not found while a dir is offline may be
	 * in that dir; an empty log elsewhere would pass for it */
	if (!p && !s->is_new && rm->dirs_offline > 0)
		return KERR_KAFKA_STORAGE_ERROR;
	if (!p && !(p = partition_open(rm, dir_for_new(rm), s->topic, s->tlen, s->index)))
		return KERR_KAFKA_STORAGE_ERROR;
	/* Kafka answers for a replica in an offline dir with this error; the
	 * controller then treats the replica as offline */
	if (rm_partition_offline(rm, p))
		return KERR_KAFKA_STORAGE_ERROR;
	if (s->leader_epoch < p->leader_epoch)
		return KERR_STALE_CONTROLLER_EPOCH;
	int same_epoch = s->leader_epoch == p->leader_epoch && s->leader == p->leader_id;
	int32_t *r = ids_dup(s->replicas, s->nreplicas), *i = ids_dup(s->isr, s->nisr);
	if (!r || !i) {
		free(r);
		free(i);
		return KERR_UNKNOWN_SERVER_ERROR;
	}
	free(p->replicas);
	free(p->isr);
	p->replicas = r;
	p->nreplicas = s->nreplicas;
	p->isr = i;
	p->nisr = s->nisr;
	p->controller_epoch = s->controller_epoch;
	p->zk_version = s->zk_version;
	if (same_epoch && (p->is_leader || p->fetcher)) {
		/* a resend of what we already act on, perhaps with a new list */
		if (p->is_leader)
			sync_replica_states(p, clock_mono_ms(), 1);
		return 0;
	}
	struct rm_prev prev = { p->leader_id, p->leader_epoch };
	p->leader_id = s->leader;
	p->leader_epoch = s->leader_epoch;
	p->is_leader = s->leader == rm->b->id;
	if (p->is_leader)
		become_leader(rm, p, &prev);
	else
		become_follower(rm, p, s, &prev);
	notify_leadership(rm, p);
	rm_wake(rm, p);
	return 0;
}

int rm_stop_replica(struct replica_manager *rm, const char *topic, int32_t tlen,
		    int32_t index, int delete_log)
{
	char key[320];
	int n = part_key(key, sizeof key, topic, tlen, index);
	if (n < 0)
		return KERR_UNKNOWN_TOPIC_OR_PARTITION;
	struct partition *p = strmap_get(&rm->parts, key, (size_t)n);
	if (!p)
		return 0;
	int was_leader = p->is_leader;
	p->is_leader = 0;
	if (p->fetcher)
		fetcher_remove(p->fetcher, p);
	if (was_leader)
		notify_leadership(rm, p);
	rm_wake(rm, p);
	if (!delete_log)
		return 0;
	strmap_del(&rm->parts, key, (size_t)n);
	if (p->dir >= 0 && p->dir < rm->ndirs)
		rm->dirs[p->dir].nparts--;
	if (p->log) {
		log_info("replica", "deleting log of %s", key);
		partition_close_log(p, 0); /* idempotence: no snapshot */
	}
	partition_free(rm, p);
	return 0;
}

/* Only p's waiters: an append to one partition costs the operations
 * parked on it, not every one in the broker (purg_check_key may run
 * completions that append or wake again; it is written for that). */
void rm_wake(struct replica_manager *rm, struct partition *p)
{
	purg_check_key(&rm->b->purgatory, &p->waiters);
}

/* Every partition of a dir that went offline: their waiters re-check (and
 * fail). Collected first: a completion may add to the partition map
 * (partitions are freed only by StopReplica and at shutdown, never from a
 * completion). */
static void wake_dir(struct replica_manager *rm, int dir)
{
	size_t n = 0, cap = rm->parts.used + 1;
	struct partition **v = malloc(cap * sizeof *v);
	const char *k;
	void *pv;
	for (size_t i = 0; v && strmap_next(&rm->parts, &i, &k, &pv) && n < cap;)
		if (((struct partition *)pv)->dir == dir)
			v[n++] = pv;
	for (size_t i = 0; i < n; i++)
		rm_wake(rm, v[i]);
	free(v);
}

int rm_in_isr(const struct partition *p, int32_t id)
{
	for (int32_t i = 0; i < p->nisr; i++)
		if (p->isr[i] == id)
			return 1;
	return 0;
}

/* HW = min LEO over the ISR (broker/replica/hw.c). Returns 1 if it moved. */
static int advance_high_watermark(struct partition *p)
{
	int moved = hw_advance(p);
	CHECK(hw_check_own(p) == 0);
	return moved;
}

static int io_error(int rc)
{
	switch (-rc) {
	case EIO: case ENOSPC: case EDQUOT: case EROFS: case EFBIG: case ENXIO: case ENODEV:
		return 1;
	default:
		return 0;
	}
}

/* The partitions of an offline dir: no writes, no leading, no fetching.
 * Coordinators are told they no longer lead them. */
static void dir_partitions_offline(struct replica_manager *rm, int dir)
{
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&rm->parts, &i, &k, &v);) {
		struct partition *p = v;
		if (p->dir != dir)
			continue;
		if (p->log)
			partition_set_offline(p);
		if (p->fetcher)
			fetcher_remove(p->fetcher, p);
		if (p->is_leader) {
			p->is_leader = 0;
			notify_leadership(rm, p);
		}
	}
}

int rm_storage_error(struct replica_manager *rm, int dir, const char *what, int rc)
{
	if (dir < 0 || dir >= rm->ndirs)
		return 0;
	if (rm->dirs[dir].offline)
		return 1;
	if (!io_error(rc))
		return 0;
	rm->dirs[dir].offline = 1;
	rm->dirs_offline++;
	int all = rm->dirs_offline == rm->ndirs;
	log_error("replica", "log dir %s failed (%s: %s): it is offline now; %s",
		  rm->dirs[dir].path, what, strerror(-rc),
		  all ? "no log dir is left, so this broker stops and leadership moves to "
			"the ISR" : "its partitions go offline here, the controller moves "
				    "their leadership to the ISR, the other log dirs keep serving");
	dir_partitions_offline(rm, dir);
	wake_dir(rm, dir); /* parked produces and fetches re-check and fail */
	if (all)
		broker_storage_failed(rm->b);
	else
		broker_log_dir_failed(rm->b);
	return 1;
}

static int16_t append_failed(struct replica_manager *rm, struct partition *p, int rc)
{
	char what[320];
	snprintf(what, sizeof what, "append to %s-%d", p->topic, p->index);
	if (!rm_storage_error(rm, p->dir, what, rc))
		log_error("replica", "%s failed: %s", what, strerror(-rc));
	return KERR_KAFKA_STORAGE_ERROR;
}

/* After an append to the leader: the high watermark (the leader alone in
 * the ISR), then the partition's waiters, now or at the batch's end. */
static void appended(struct replica_manager *rm, struct partition *p)
{
	advance_high_watermark(p);
	if (!rm->batch_depth) {
		rm_wake(rm, p);
	} else if (!p->wake_pending) {
		p->wake_pending = 1;
		p->wake_next = rm->wake_list;
		rm->wake_list = p;
	}
}

int rm_append(struct replica_manager *rm, struct partition *p, uint8_t *batch,
	      size_t len, int64_t *base_offset)
{
	if (rm_partition_offline(rm, p))
		return KERR_KAFKA_STORAGE_ERROR;
	int rc = partition_append_leader(p, batch, len, base_offset);
	if (rc < 0)
		return append_failed(rm, p, rc);
	appended(rm, p);
	return 0;
}

int16_t rm_append_client(struct replica_manager *rm, struct partition *p, uint8_t *batch,
			 size_t len, const struct rb_header *h, struct partition_produce *out)
{
	if (rm_partition_offline(rm, p))
		return KERR_KAFKA_STORAGE_ERROR;
	int16_t kerr = partition_append_client(p, batch, len, h, out);
	if (kerr == KERR_KAFKA_STORAGE_ERROR && out->io_rc < 0)
		return append_failed(rm, p, out->io_rc);
	if (!kerr && !out->dup)
		appended(rm, p);
	return kerr;
}

void rm_batch_begin(struct replica_manager *rm) { rm->batch_depth++; }

/* Each partition the batch appended to, once; a wake may append again
 * (a completion's own write), which then wakes at once. */
void rm_batch_end(struct replica_manager *rm)
{
	if (--rm->batch_depth > 0)
		return;
	while (rm->wake_list) {
		struct partition *p = rm->wake_list;
		rm->wake_list = p->wake_next;
		p->wake_pending = 0;
		p->wake_next = NULL;
		rm_wake(rm, p);
	}
}

int rm_append_replica(struct replica_manager *rm, struct partition *p,
		      const uint8_t *batches, size_t len, int64_t leader_hw)
{
	if (rm_partition_offline(rm, p))
		return -EIO;
	int rc = partition_append_follower(p, batches, len);
	if (rc < 0) {
		char what[320];
		snprintf(what, sizeof what, "replica append to %s-%d", p->topic, p->index);
		rm_storage_error(rm, p->dir, what, rc);
		return rc;
	}
	/* never past what this replica may acknowledge (a flush per message
	 * still running): the leader's HW cannot be, it counted our fetch
	 * offset, which is flushed; kept as a rule all the same */
	int64_t leo = partition_ack_end(p);
	int64_t hw = leader_hw < leo ? leader_hw : leo;
	if (hw > p->high_watermark) {
		p->high_watermark = hw;
		/* consumers may read a follower (KIP-392): their parked fetches
		 * wait on its high watermark */
		rm_wake(rm, p);
	}
	return 0;
}

int rm_is_replica(const struct partition *p, int32_t broker_id)
{
	for (int32_t i = 0; i < p->nreplicas; i++)
		if (p->replicas[i] == broker_id)
			return 1;
	return 0;
}

void rm_follower_fetched(struct replica_manager *rm, struct partition *p,
			 int32_t replica_id, int64_t fetch_offset, int64_t now_ms)
{
	/* An offset past our log end is a diverged follower that will truncate
	 * (it gets OFFSET_OUT_OF_RANGE): it must count neither towards the high
	 * watermark nor as caught up. */
	if (!p->rstate || fetch_offset > partition_log_end(p))
		return;
	for (int32_t i = 0; i < p->nrstate; i++) {
		struct replica_state *rs = &p->rstate[i];
		if (rs->broker_id != replica_id)
			continue;
		/* Kafka's rule: caught up now if it has everything; caught up as
		 * of its previous fetch if it has what the leader had then. */
		int64_t leo = partition_log_end(p);
		rs->leo = fetch_offset;
		if (fetch_offset >= leo)
			rs->last_caught_up_ms = now_ms;
		else if (rs->last_fetch_ms && fetch_offset >= rs->last_fetch_leader_leo)
			rs->last_caught_up_ms = rs->last_fetch_ms;
		rs->last_fetch_ms = now_ms;
		rs->last_fetch_leader_leo = leo;
		rm_update_high_watermark(rm, p);
		isr_maybe_expand(rm, p, rs);
		return;
	}
}

void rm_log_flushed(void *arg, struct partition_log *log, int rc)
{
	struct replica_manager *rm = arg;
	struct partition *p = log_owner(log);
	if (!p || p->log != log)
		return;
	if (rc < 0) {
		/* nothing it covered was acknowledged; the log dir goes offline
		 * and the produces waiting for it are answered with the error */
		char what[320];
		snprintf(what, sizeof what, "flush of %s-%d", p->topic, p->index);
		if (!rm_storage_error(rm, p->dir, what, rc))
			log_error("replica", "%s failed: %s", what, strerror(-rc));
	} else if (p->is_leader) {
		advance_high_watermark(p);
	}
	rm_wake(rm, p); /* acks=1 produces wait for the flush itself */
	if (p->fetcher)
		fetcher_flushed(p->fetcher);
}

void rm_update_high_watermark(struct replica_manager *rm, struct partition *p)
{
	if (advance_high_watermark(p))
		rm_wake(rm, p);
}

void rm_apply_topic_config(struct replica_manager *rm, const char *topic)
{
	struct topic_config tc;
	topic_config_effective(rm->b, topic, (int32_t)strlen(topic), &tc);
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&rm->parts, &i, &k, &v);) {
		struct partition *p = v;
		if (p->log && strcmp(p->topic, topic) == 0)
			partition_set_config(p, &tc.log);
	}
}

/* Invariants at intervals (debug and sanitizer builds, common/check.h):
 * each tick checks one partition, in turn, so a broken log or high
 * watermark stops the broker in the integration runs. */
static void check_one_partition(struct replica_manager *rm)
{
	if (!CHECKS_ENABLED || rm->dirs_offline || rm->parts.used == 0)
		return;
	size_t want = rm->check_next++ % rm->parts.used, n = 0;
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&rm->parts, &i, &k, &v); n++) {
		struct partition *p = v;
		if (n != want || !p->log)
			continue;
		CHECK(partition_check(p) == 0);
		CHECK(hw_check_own(p) == 0);
		return;
	}
}

void rm_tick(struct replica_manager *rm, int64_t now_wall_ms)
{
	check_one_partition(rm);
	const char *k;
	void *v;
	for (size_t i = 0; strmap_next(&rm->parts, &i, &k, &v);) {
		struct partition *p = v;
		int rc = p->log ? partition_tick(p, now_wall_ms, !rm_partition_offline(rm, p)) : 0;
		if (rc < 0) {
			char what[320];
			snprintf(what, sizeof what, "maintenance of %s-%d", p->topic, p->index);
			rm_storage_error(rm, p->dir, what, rc);
		}
	}
}
