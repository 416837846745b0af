/* The producer-state tests find a log's manager by its log, as the broker's
 * partition does by holding it (struct partition's psm): psm_fixture_open
 * remembers what psm_open built for a log, psm_of finds it (NULL once
 * psm_fixture_close closed it). */
#ifndef GREGOR_TESTS_PSM_FIXTURE_H
#define GREGOR_TESTS_PSM_FIXTURE_H

#include "broker/txn/producer_state_manager.h"

#define PSM_FIXTURE_MAX 16

static struct {
	struct partition_log *log;
	struct producer_state_manager *m;
} psm_fixture[PSM_FIXTURE_MAX];

static inline struct producer_state_manager *psm_fixture_open(struct partition_log *log)
{
	struct producer_state_manager *m = psm_open(log);
	int free_slot = -1;
	for (int i = 0; i < PSM_FIXTURE_MAX; i++) {
		if (psm_fixture[i].log == log) {
			psm_fixture[i].m = m;
			return m;
		}
		if (free_slot < 0 && !psm_fixture[i].log)
			free_slot = i;
	}
	if (free_slot >= 0)
		psm_fixture[free_slot].log = log, psm_fixture[free_slot].m = m;
	return m;
}

static inline struct producer_state_manager *psm_of(struct partition_log *log)
{
	for (int i = 0; i < PSM_FIXTURE_MAX; i++)
		if (psm_fixture[i].log == log)
			return psm_fixture[i].m;
	return NULL;
}

/* psm_close, and the log has no manager any more. */
static inline void psm_fixture_close(struct partition_log *log, int clean)
{
	for (int i = 0; i < PSM_FIXTURE_MAX; i++)
		if (psm_fixture[i].log == log) {
			psm_close(psm_fixture[i].m, clean);
			psm_fixture[i].log = NULL;
			psm_fixture[i].m = NULL;
		}
}

#endif
