/* gregorctl's pure text parsers (gctl_text.c). */
#ifndef GREGOR_GCTL_TEXT_H
#define GREGOR_GCTL_TEXT_H

#include <stdint.h>

/* "YYYY-MM-DDTHH:mm:SS[.sss][Z|+hh:mm|-hh:mm]" (local time without a zone,
 * as kafka-consumer-groups) to epoch milliseconds; -1 if malformed. */
int64_t gctl_parse_datetime(const char *s);
/* An ISO-8601 duration "PnDTnHnMn[.n]S" (Java's Duration.parse: days,
 * hours, minutes, seconds) in milliseconds; -1 if malformed. */
int64_t gctl_parse_duration(const char *s);
/* "k=v,k2=[a,b],..." split in place on the commas outside brackets, a
 * value's enclosing brackets dropped (kafka-configs' --add-config). Count,
 * or -1 with *why set. */
int gctl_split_configs(char *s, char **keys, char **values, int max, const char **why);

#endif
