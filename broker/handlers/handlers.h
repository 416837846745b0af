/* The dispatch table: one row per Kafka API this broker serves, with the
 * version range it serves, the highest version it advertises in ApiVersions
 * (brokers-only versions above it are served, not advertised) and what the
 * request gate must check before the handler runs (broker/gate.h GATE_*
 * flags). A version outside the served range is refused before any handler
 * runs. One file per API in
 * broker/handlers/. */
#ifndef GREGOR_HANDLERS_H
#define GREGOR_HANDLERS_H

#include "broker/server.h"

struct handler_entry {
	int16_t key;
	int16_t min_ver, max_ver; /* the versions served */
	/* Highest version ApiVersions advertises (<= max_ver): the versions
	 * above it are forms only brokers send, which a client must not pick */
	int16_t adv_max_ver;
	handler_fn fn;
	unsigned flags; /* GATE_* */
};

extern const struct handler_entry handler_table[];
extern const int handler_count;
const struct handler_entry *handler_find(int16_t key);

void handle_api_versions(struct request *req);
void handle_metadata(struct request *req);
void handle_produce(struct request *req);
void handle_fetch(struct request *req);
void handle_list_offsets(struct request *req);
void handle_create_topics(struct request *req);
void handle_delete_topics(struct request *req);
void handle_create_partitions(struct request *req);
void handle_describe_configs(struct request *req);
void handle_delete_records(struct request *req);
void handle_alter_configs(struct request *req);
void handle_incremental_alter_configs(struct request *req);
void handle_leader_and_isr(struct request *req);
void handle_update_metadata(struct request *req);
void handle_stop_replica(struct request *req);
void handle_controlled_shutdown(struct request *req);
void handle_offset_for_leader_epoch(struct request *req);
/* consumer groups (broker/group/) */
void handle_find_coordinator(struct request *req);
void handle_join_group(struct request *req);
void handle_sync_group(struct request *req);
void handle_heartbeat(struct request *req);
void handle_leave_group(struct request *req);
void handle_offset_commit(struct request *req);
void handle_offset_fetch(struct request *req);
void handle_describe_groups(struct request *req);
void handle_list_groups(struct request *req);
void handle_delete_groups(struct request *req);
void handle_offset_delete(struct request *req);
void handle_alter_partition_reassignments(struct request *req);
void handle_elect_leaders(struct request *req);
void handle_describe_log_dirs(struct request *req);
void handle_list_partition_reassignments(struct request *req);
/* idempotent producer (broker/txn/) */
void handle_init_producer_id(struct request *req);
/* transactions (broker/txn/) */
void handle_add_partitions_to_txn(struct request *req);
void handle_add_offsets_to_txn(struct request *req);
void handle_end_txn(struct request *req);
void handle_write_txn_markers(struct request *req);
void handle_txn_offset_commit(struct request *req);
void handle_describe_producers(struct request *req);
void handle_describe_cluster(struct request *req);
void handle_describe_transactions(struct request *req);
void handle_list_transactions(struct request *req);
/* SASL (broker/auth) */
void handle_sasl_handshake(struct request *req);
void handle_sasl_authenticate(struct request *req);
/* raw token frames after SaslHandshake v0 (server_set_raw_token_handler) */
void handle_sasl_raw_token(struct request *req);
void handle_describe_user_scram_credentials(struct request *req);
void handle_describe_client_quotas(struct request *req);
void handle_alter_client_quotas(struct request *req);
void handle_alter_user_scram_credentials(struct request *req);
/* ACLs: stored, not enforced (coord/acl.c) */
void handle_describe_acls(struct request *req);
void handle_create_acls(struct request *req);
void handle_delete_acls(struct request *req);

#endif
