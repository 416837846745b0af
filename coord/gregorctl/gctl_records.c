/* gregorctl delete-records (kafka-delete-records.sh: DeleteRecords v1 to
 * each partition's leader, from --offset-json-file) and
 * broker-api-versions (kafka-broker-api-versions.sh: ApiVersions v2 to
 * every broker; v2, not v3, because gk_call reads a flexible response
 * header and ApiVersions answers with the v0 header at every version). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/proto/apis.h"
#include "common/proto/kerr.h"
#include "coord/gregorctl/gctl.h"
#include "coord/gregorctl/gctl_kafka.h"
#include "coord/zjson.h"

enum { GR_API_DELETE_RECORDS = 21, GR_API_API_VERSIONS = 18 };

struct gr_del {
	char topic[256];
	int32_t partition, leader;
	int64_t offset;
};

static const struct gctl_spec dr_spec = {
	"delete-records", "bootstrap-server bootstrap command-config offset-json-file",
	"usage: gregorctl delete-records --bootstrap-server H:P --offset-json-file F\n"
	"       (kafka-delete-records)\n"
	"  F: {\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"offset\":100}],\"version\":1}\n"
	"  deletes every record below offset (offset -1: the high watermark) through\n"
	"  DeleteRecords on each partition's leader; prints the new low watermarks\n"
	"  --bootstrap-server H:P[,H:P...]  --command-config FILE  --json  --timeout S\n",
};

/* The JSON plan into v (malloc'd); count, or -1 (printed). */
static int gr_read_plan(const char *file, struct gr_del **out)
{
	size_t len;
	char *data = gctl_read_file(file, &len);
	if (!data)
		return -1;
	struct zjson j;
	int n = -1;
	*out = NULL;
	if (zj_parse(&j, data, len) == 0) {
		int arr = zj_get(&j, 0, "partitions");
		int cnt = zj_type(&j, arr) == ZJ_ARR ? j.t[arr].count : 0;
		struct gr_del *v = cnt > 0 ? calloc((size_t)cnt, sizeof *v) : NULL;
		int ok = v != NULL;
		for (int i = 0; ok && i < cnt; i++) {
			int e = zj_at(&j, arr, i);
			int64_t p = 0, off = 0;
			ok = !zj_str(&j, zj_get(&j, e, "topic"), v[i].topic, sizeof v[i].topic) &&
			     !zj_int(&j, zj_get(&j, e, "partition"), 0, INT32_MAX, &p) &&
			     !zj_int(&j, zj_get(&j, e, "offset"), -1, INT64_MAX, &off);
			v[i].partition = (int32_t)p;
			v[i].offset = off;
		}
		if (ok) {
			n = cnt;
			*out = v;
		} else {
			free(v);
		}
		zj_free(&j);
	}
	free(data);
	if (n < 0)
		gctl_err("%s: not {\"partitions\":[{\"topic\":..,\"partition\":..,\"offset\":..}],"
			 "\"version\":1}", file);
	return n;
}

static int32_t gr_leader(struct gk *k, const char *topic, int32_t part)
{
	const struct metadata_resp_topic *t = gk_topic(k, topic);
	const struct metadata_resp_partition *p = t ? t->partitions.v : NULL;
	for (int32_t i = 0; t && i < t->partitions.n; i++)
		if (p[i].partition_index == part)
			return p[i].leader_id;
	return -2;
}

/* One DeleteRecords to leader for its entries of v (one topic each). */
static int gr_delete_on(struct gk *k, const struct gr_del *v, int n, int32_t leader,
			struct zbuf *j, int *first)
{
	struct delete_records_req_topic *t = arena_alloc(&k->a, sizeof *t * (size_t)n);
	struct delete_records_req_partition *p = arena_alloc(&k->a, sizeof *p * (size_t)n);
	if (!t || !p)
		return gctl_err("out of memory"), 1;
	int nt = 0;
	for (int i = 0; i < n; i++) {
		if (v[i].leader != leader)
			continue;
		p[nt] = (struct delete_records_req_partition){ v[i].partition, v[i].offset };
		t[nt] = (struct delete_records_req_topic){ gk_kstr(v[i].topic), { 1, &p[nt] } };
		nt++;
	}
	struct delete_records_request req = { { nt, t }, k->o->timeout_s * 1000 };
	struct delete_records_response resp;
	struct broker_channel *ch = gk_broker(k, leader);
	int rc = ch ? gk_call(k, ch, GR_API_DELETE_RECORDS, 1, &delete_records_request_msg, &req,
			      &delete_records_response_msg, &resp) : -EHOSTUNREACH;
	if (rc)
		return gk_failed("DeleteRecords", rc);
	const struct delete_records_resp_topic *rt = resp.topics.v;
	int bad = 0;
	for (int32_t i = 0; i < resp.topics.n; i++) {
		const struct delete_records_resp_partition *rp = rt[i].partitions.v;
		const char *name = gk_cstr(k, rt[i].name);
		for (int32_t q = 0; q < rt[i].partitions.n; q++) {
			bad |= rp[q].error_code != 0;
			if (k->o->json) {
				zb_puts(j, *first ? "{\"topic\":" : ",{\"topic\":");
				zb_jstr(j, name);
				zb_printf(j, ",\"partition\":%d,\"low_watermark\":%lld,\"error\":%s%s%s}",
					  rp[q].partition_index, (long long)rp[q].low_watermark,
					  rp[q].error_code ? "\"" : "",
					  rp[q].error_code ? kerr_name(rp[q].error_code) : "null",
					  rp[q].error_code ? "\"" : "");
				*first = 0;
			} else if (rp[q].error_code) {
				printf("partition: %s-%d\terror: %s\n", name, rp[q].partition_index,
				       kerr_name(rp[q].error_code));
			} else {
				printf("partition: %s-%d\tlow_watermark: %lld\n", name,
				       rp[q].partition_index, (long long)rp[q].low_watermark);
			}
		}
	}
	return bad;
}

static int gr_delete_records(struct gctl *g)
{
	if (!g->o.file)
		return gctl_usage_err("delete-records", "--offset-json-file F is required");
	struct gr_del *v;
	int n = gr_read_plan(g->o.file, &v);
	if (n < 0)
		return 1;
	struct gk k;
	int rc = 1;
	if (gk_open(&k, &g->o) == 0) {
		rc = 0;
		for (int i = 0; i < n && !rc; i++) {
			v[i].leader = gr_leader(&k, v[i].topic, v[i].partition);
			if (v[i].leader < 0)
				rc = (gctl_err("%s-%d: %s", v[i].topic, v[i].partition,
					       v[i].leader == -2 ? "no such partition" : "no leader"), 1);
		}
		struct zbuf j;
		int first = 1;
		zb_init(&j);
		zb_puts(&j, "{\"partitions\":[");
		if (!rc && !g->o.json)
			printf("Executing records delete operation\nRecords delete operation completed:\n");
		for (int i = 0; i < n && !rc; i++) {
			int seen = 0;
			for (int q = 0; q < i && !seen; q++)
				seen = v[q].leader == v[i].leader;
			if (!seen)
				rc |= gr_delete_on(&k, v, n, v[i].leader, &j, &first);
		}
		zb_puts(&j, "]}\n");
		if (g->o.json)
			rc |= gk_put_json(&j);
		zb_free(&j);
		gk_close(&k);
	}
	free(v);
	return rc;
}

int gctl_verb_delete_records(int argc, char **argv)
{
	struct gctl g;
	const char *w[1];
	int rc;
	if (gctl_parse(&g, argc, argv, &dr_spec, w, 0, &rc) >= 0 &&
	    !(rc = gctl_need_bootstrap(&g, "delete-records")))
		rc = gr_delete_records(&g);
	gctl_done(&g);
	return rc;
}

/* ---- broker-api-versions ---- */

static const struct gctl_spec av_spec = {
	"broker-api-versions", "bootstrap-server bootstrap command-config",
	"usage: gregorctl broker-api-versions --bootstrap-server H:P [--json]\n"
	"       (kafka-broker-api-versions)\n"
	"  every broker's ApiVersions: each API's version range and the highest version\n"
	"  both it and gregorctl's codec know ([usable: N])\n"
	"  --bootstrap-server H:P[,H:P...]  --command-config FILE  --timeout S\n",
};

static void av_print(struct gk *k, const struct metadata_resp_broker *b,
		     const struct api_versions_response *r, struct zbuf *j, int first)
{
	const struct api_versions_resp_api_key *a = r->api_keys.v;
	if (k->o->json) {
		zb_printf(j, "%s{\"id\":%d,\"host\":", first ? "" : ",", b->node_id);
		zb_jstr(j, gk_cstr(k, b->host));
		zb_printf(j, ",\"port\":%d,\"apis\":[", b->port);
	} else {
		const char *rack = b->rack.p ? gk_cstr(k, b->rack) : "null";
		printf("%s:%d (id: %d rack: %s) -> (\n", gk_cstr(k, b->host), b->port, b->node_id, rack);
	}
	for (int32_t i = 0; i < r->api_keys.n; i++) {
		const struct kapi *api = kapi_find(a[i].api_key);
		int usable = api ? (api->max_version < a[i].max_version ? api->max_version
									 : a[i].max_version) : -1;
		if (k->o->json) {
			zb_printf(j, "%s{\"key\":%d,\"name\":\"%s\",\"min\":%d,\"max\":%d,\"usable\":%d}",
				  i ? "," : "", a[i].api_key, api ? api->name : "Unknown", a[i].min_version,
				  a[i].max_version, usable);
			continue;
		}
		char use[32];
		if (usable < a[i].min_version)
			snprintf(use, sizeof use, "UNUSABLE");
		else
			snprintf(use, sizeof use, "usable: %d", usable);
		printf("\t%s(%d): %d to %d [%s]%s\n", api ? api->name : "Unknown", a[i].api_key,
		       a[i].min_version, a[i].max_version, use, i + 1 < r->api_keys.n ? "," : "");
	}
	if (k->o->json)
		zb_puts(j, "]}");
	else
		printf(")\n");
}

static int av_run(struct gctl *g)
{
	struct gk k;
	if (gk_open(&k, &g->o))
		return 1;
	const struct metadata_resp_broker *b = k.md.brokers.v;
	struct zbuf j;
	int rc = 0;
	zb_init(&j);
	zb_puts(&j, "{\"brokers\":[");
	for (int32_t i = 0; i < k.md.brokers.n; i++) {
		struct broker_channel *ch = gk_broker(&k, b[i].node_id);
		struct api_versions_request req = { { NULL, -1 }, { NULL, -1 } };
		struct api_versions_response resp;
		int crc = ch ? gk_call(&k, ch, GR_API_API_VERSIONS, 2, &api_versions_request_msg, &req,
				       &api_versions_response_msg, &resp) : -EHOSTUNREACH;
		if (crc || resp.error_code) {
			rc = crc ? (gctl_err("broker %d:", b[i].node_id), gk_failed("ApiVersions", crc))
				 : (gctl_err("broker %d: ApiVersions: %s", b[i].node_id,
					     kerr_name(resp.error_code)), 1);
			continue;
		}
		av_print(&k, &b[i], &resp, &j, i == 0);
	}
	zb_puts(&j, "]}\n");
	if (g->o.json)
		rc |= gk_put_json(&j);
	zb_free(&j);
	gk_close(&k);
	return rc;
}

int gctl_verb_api_versions(int argc, char **argv)
{
	struct gctl g;
	const char *w[1];
	int rc;
	if (gctl_parse(&g, argc, argv, &av_spec, w, 0, &rc) >= 0 &&
	    !(rc = gctl_need_bootstrap(&g, "broker-api-versions")))
		rc = av_run(&g);
	gctl_done(&g);
	return rc;
}
