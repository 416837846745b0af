/* The partition: its log together with the producer state and transaction
 * index that follow every change of it, and its read rules. */
#include "broker/partition.h"

#include <errno.h>
#include <string.h>

#include "broker/txn/producer_state_manager.h"
#include "common/clock.h"
#include "common/log.h"
#include "common/proto/kerr.h"

int partition_open_log(struct partition *p, const char *dir, const struct log_config *cfg,
		       const struct log_storage *st)
{
	int rc = log_open(dir, cfg, st, &p->log);
	if (rc < 0) {
		p->log = NULL;
		return rc;
	}
	log_set_owner(p->log, p); /* its append flushes report to the owner */
	/* idempotence: producer state from snapshot + replay (broker/txn) */
	p->psm = psm_open(p->log);
	if (!p->psm)
		log_error("replica", "%s: no producer state (out of memory)", dir);
	/* the replay indexed aborted transactions in memory; from here on the
	 * .txnindex files hold them (a failure keeps them in memory) */
	else if (tt_attach_log(&p->psm->txns, p->log) < 0)
		log_error("replica", "%s: aborted transactions kept in memory", dir);
	return 0;
}

void partition_close_log(struct partition *p, int clean)
{
	/* a snapshot at the LEO before a clean close; none before deleting */
	psm_close(p->psm, clean);
	p->psm = NULL;
	if (p->log && clean)
		log_close(p->log);
	else if (p->log)
		log_delete(p->log);
	p->log = NULL;
}

int partition_assign_epoch(struct partition *p, int32_t epoch, int64_t start_offset)
{
	return log_epoch_assign(p->log, epoch, start_offset);
}

void partition_set_offline(struct partition *p) { log_set_offline(p->log); }

void partition_set_config(struct partition *p, const struct log_config *cfg)
{
	log_set_config(p->log, cfg);
}

int partition_tick(struct partition *p, int64_t now_wall_ms, int maintain)
{
	if (!maintain)
		return 0; /* an offline dir: nothing more is written there */
	int rc = log_tick(p->log, now_wall_ms);
	if (p->psm) /* idempotence: periodic producer snapshot */
		psm_tick(p->psm, clock_mono_ms(), 30000);
	return rc;
}

int partition_check(struct partition *p) { return log_check(p->log); }

void partition_drop_state(struct partition *p)
{
	psm_close(p->psm, 0);
	p->psm = NULL;
}

/* The log end moved other than by a recorded append (a truncation, a
 * partial write): the producer state is rebuilt from the log. */
static void state_follow_log(struct partition *p)
{
	if (p->psm && p->psm->leo_seen != log_end_offset(p->log))
		psm_on_truncate(p->psm);
}

static void clamp_high_watermark(struct partition *p)
{
	if (p->high_watermark > log_end_offset(p->log))
		p->high_watermark = log_end_offset(p->log);
}

int partition_append_leader(struct partition *p, uint8_t *batch, size_t len,
			    int64_t *base_offset)
{
	int rc = log_append(p->log, batch, len, p->leader_epoch, base_offset);
	if (rc < 0) {
		state_follow_log(p); /* the write was cut back; nothing to record */
		return rc;
	}
	if (p->psm)
		psm_on_append(p->psm, batch, len);
	return 0;
}

int16_t partition_append_client(struct partition *p, uint8_t *batch, size_t len,
				 const struct rb_header *h, struct partition_produce *out)
{
	out->dup = 0;
	out->io_rc = 0;
	int16_t kerr = psm_check_produce(p->psm, h, &out->dup, &out->base_offset);
	if (kerr || out->dup)
		return kerr;
	if (out->log_append_time)
		out->append_time_ms = rb_stamp_log_append_time(batch, len, clock_wall_ms());
	int rc = partition_append_leader(p, batch, len, &out->base_offset);
	if (rc < 0) {
		out->io_rc = rc;
		return KERR_KAFKA_STORAGE_ERROR;
	}
	return 0;
}

int partition_append_follower(struct partition *p, const uint8_t *batches, size_t len)
{
	int rc = len ? log_append_replica(p->log, batches, len) : 0;
	if (rc < 0) {
		state_follow_log(p); /* a partial append: rebuild from the log */
		return rc;
	}
	if (p->psm && len)
		psm_on_append(p->psm, batches, len);
	return 0;
}

int partition_truncate_to(struct partition *p, int64_t offset)
{
	int rc = log_truncate_to(p->log, offset);
	state_follow_log(p);
	clamp_high_watermark(p);
	return rc;
}

int partition_truncate_fully(struct partition *p, int64_t start)
{
	int rc = log_truncate_fully_and_start_at(p->log, start);
	state_follow_log(p);
	clamp_high_watermark(p);
	return rc;
}

int partition_advance_log_start(struct partition *p, int64_t offset)
{
	return log_advance_start_offset(p->log, offset);
}

int16_t partition_read(struct partition *p, enum partition_reader who, int64_t offset,
		       int32_t max_bytes, struct log_slice *s)
{
	memset(s, 0, sizeof *s);
	s->fd = -1;
	int64_t limit = who == READ_FOLLOWER ? log_end_offset(p->log)
		      : who == READ_COMMITTED ? partition_last_stable(p) : p->high_watermark;
	if (offset < log_start_offset(p->log) || offset > log_end_offset(p->log))
		return KERR_OFFSET_OUT_OF_RANGE;
	if (offset >= limit || max_bytes <= 0)
		return 0;
	int rc = log_read(p->log, offset, max_bytes, limit, s);
	return rc < 0 ? KERR_OFFSET_OUT_OF_RANGE : 0;
}

int64_t partition_last_stable(struct partition *p)
{
	return psm_lso(p->psm, p->high_watermark);
}

size_t partition_aborted(struct partition *p, int64_t from, int64_t upper,
			 struct txn_aborted *out, size_t max)
{
	return psm_aborted(p->psm, from, upper, out, max);
}

int16_t partition_check_marker(struct partition *p, int64_t producer_id, int16_t epoch,
			       int32_t coordinator_epoch)
{
	return psm_check_marker(p->psm, producer_id, epoch, coordinator_epoch);
}

int64_t partition_size_bytes(const struct partition *p) { return log_size_bytes(p->log); }

size_t partition_segment_count(const struct partition *p) { return log_segment_count(p->log); }

int32_t partition_latest_epoch(const struct partition *p) { return log_latest_epoch(p->log); }

void partition_epoch_end(const struct partition *p, int32_t epoch, int32_t *out_epoch,
			 int64_t *end_offset)
{
	log_epoch_end_offset(p->log, epoch, out_epoch, end_offset);
}

int64_t partition_offset_for_time(struct partition *p, int64_t ts, int64_t *found_ts)
{
	return log_offset_for_time(p->log, ts, found_ts);
}

int64_t partition_max_timestamp_batch(struct partition *p, int64_t *ts)
{
	return log_max_timestamp_batch(p->log, ts);
}

int partition_legacy_offsets(struct partition *p, int64_t ts, int32_t max, int64_t now_ms,
			     int64_t *out, int cap)
{
	return log_legacy_offsets(p->log, ts, max, now_ms, out, cap);
}
