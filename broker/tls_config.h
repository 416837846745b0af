/* The broker's TLS set-up from server.properties: per-listener server
 * contexts, the inter-broker client context, and the principal of a client
 * certificate (ssl.principal.mapping.rules).
 *
 * Kafka's precedence: listener.name.<listener>.ssl.<key> (listener name in
 * lower case, as Kafka writes it; matched without regard to case) over
 * ssl.<key> over Kafka's default. */
#ifndef GREGOR_TLS_CONFIG_H
#define GREGOR_TLS_CONFIG_H

#include <stddef.h>

#include "broker/config.h"
#include "common/net/tls.h"

/* The ssl.* settings that apply to listener (upper- or lower-case name). */
void tls_settings_for_listener(const struct broker_config *bc, const char *listener,
			       struct tls_settings *out);
/* A listener's server context, or NULL with a message naming the key. On
 * a SASL_SSL listener (sasl set) ssl.client.auth counts only with the
 * listener prefix, as in Kafka: clients authenticate with SASL there. */
struct tls_ctx *tls_server_ctx_for_listener(const struct broker_config *bc,
					    const char *listener, int sasl, char *err,
					    size_t errlen);
/* The client context for connections to other brokers' listener (the
 * inter-broker listener's settings), or NULL with a message. */
struct tls_ctx *tls_client_ctx_for_listener(const struct broker_config *bc,
					    const char *listener, char *err, size_t errlen);

/* ---- ssl.principal.mapping.rules (Kafka's SslPrincipalMapper) ---- */

struct ssl_principal_rules;

/* Parses "DEFAULT" and "RULE:pattern/replacement/[LU]" entries separated by
 * commas. Patterns are POSIX extended regular expressions matched against
 * the whole DN; Java's lazy quantifiers (*?, +?) are read as greedy ones.
 * NULL with a message on a bad rule. */
struct ssl_principal_rules *ssl_principal_rules_parse(const char *rules, char *err,
						      size_t errlen);
void ssl_principal_rules_free(struct ssl_principal_rules *r);
/* The name for an RFC 2253 subject: the first rule that matches decides.
 * Returns 0, or -1 when no rule matches (Kafka refuses the connection). */
int ssl_principal_map(const struct ssl_principal_rules *r, const char *dn, char *out,
		      size_t outlen);

#endif
