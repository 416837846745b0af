/* Topic auto-creation (auto.create.topics.enable): a Metadata or Produce for
 * an unknown topic asks the coordination thread to create it with the broker
 * defaults, at most once per topic while the request is pending. */
#ifndef GREGOR_TOPIC_AUTOCREATE_H
#define GREGOR_TOPIC_AUTOCREATE_H
#include "common/proto/codec.h"
struct broker;
/* Kafka's rule: 1..249 of [a-zA-Z0-9._-], and not "." or "..". */
int topic_name_valid(struct kstr name);
/* Returns 1 if creation was requested (or is pending), 0 if disabled or the
 * name is invalid. */
int autocreate_topic(struct broker *b, struct kstr name);
#endif
