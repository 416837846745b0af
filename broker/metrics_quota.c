/* Client-quota series of the metrics page: Kafka's quota sensors per
 * user/client-id (MBeans kafka.server:type=Produce|Fetch|Request,
 * user=U,client-id=C, attributes byte-rate / request-time / throttle-time)
 * under the names the JMX exporter's standard Kafka rules give them:
 * kafka_server_quota_<attribute>{resource="Produce",user="U",clientId="C"};
 * an empty tag is left out, as JMX leaves it out of the MBean name. */
#include <math.h>
#include <string.h>

#include "broker/broker.h"
#include "broker/metrics.h"
#include "broker/quota/quota.h"

static void quota_series(struct mtext *t, const char *name, const struct quota_sensor *s,
			 double v)
{
	mtext_printf(t, "%s{resource=\"%s\"", name, quota_type_names[s->type]);
	if (*s->user) {
		mtext_printf(t, ",user=\"");
		mtext_label(t, s->user, strlen(s->user));
		mtext_printf(t, "\"");
	}
	if (*s->client) {
		mtext_printf(t, ",clientId=\"");
		mtext_label(t, s->client, strlen(s->client));
		mtext_printf(t, "\"");
	}
	if (isnan(v))
		mtext_printf(t, "} NaN\n");
	else
		mtext_printf(t, "} %.6g\n", v);
}

static void quota_family(struct mtext *t, const char *name, const char *help)
{
	mtext_printf(t, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);
}

void metrics_render_quotas(struct broker *b, struct mtext *t)
{
	static const struct qcfg throttle_cfg = { 2, 30000 }; /* Kafka's default MetricConfig */
	struct quotas *q = b->quotas;
	int64_t now = loop_now_ms(b->loop);
	struct quota_sensor *s;
	if (!q)
		return;
	quota_family(t, "kafka_server_quota_byte_rate",
		     "Bytes per second of a user/client-id over the quota window (Produce, Fetch)");
	for (size_t i = 0; (s = quotas_next_sensor(q, &i));)
		if (s->type != QUOTA_REQUEST)
			quota_series(t, "kafka_server_quota_byte_rate", s,
				     qrate_measure(&s->rate, &q->cfg, now));
	quota_family(t, "kafka_server_quota_request_time",
		     "Percent of one thread's time a user/client-id's requests took");
	for (size_t i = 0; (s = quotas_next_sensor(q, &i));)
		if (s->type == QUOTA_REQUEST)
			quota_series(t, "kafka_server_quota_request_time", s,
				     qrate_measure(&s->rate, &q->cfg, now));
	quota_family(t, "kafka_server_quota_throttle_time",
		     "Average throttle time in ms given to a user/client-id (last 30-60 s)");
	for (size_t i = 0; (s = quotas_next_sensor(q, &i));) {
		int64_t n;
		double sum = qstat_sum(&s->throttle, &throttle_cfg, now, &n);
		quota_series(t, "kafka_server_quota_throttle_time", s, n ? sum / (double)n : NAN);
	}
}
