/* ZooKeeper ACLs and digest credentials (zookeeper.set.acl,
 * zookeeper.digest), shared by the brokers' coordination thread and
 * gregorctl so both create znodes with the same ACL (coord/zkutil.c). */
#ifndef GREGOR_ZKACL_H
#define GREGOR_ZKACL_H

#ifndef THREADED
#define THREADED
#endif
#include <zookeeper/zookeeper.h>

/* The ACL a znode at path is created with: open (world:anyone:cdrwa)
 * unless secure; then creator-all + world-read, or creator-all only for
 * sensitive paths (/config/users..., /delegation_token...), as Kafka. */
struct ACL_vector *zk_acl_for(int secure, const char *path);
int zk_path_sensitive(const char *path);
/* addauth digest cred ("user:password") on zh, waiting for the answer.
 * Returns a ZooKeeper rc. */
int zk_add_digest(zhandle_t *zh, const char *cred, int timeout_ms);

#endif
