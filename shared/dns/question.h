/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_DNS_QUESTION_H
#define SHOAL_DNS_QUESTION_H

#include <stddef.h>
#include <stdint.h>

#include "shared/dns/msg.h"

/*
 * Reads the header and the one question of any message (a query or an
 * answer, QR is not looked at) into q: the qname lower-cased, qtype,
 * qclass, qname_off, qname_len and qend; the EDNS fields are left zero.
 * Used to match answers from backends against the queries in flight.
 * 0, or -1 if QDCOUNT is not 1 or the question is malformed.
 */
int	 dns_question_read(const uint8_t *, size_t, struct dns_query *);

/* The SERIAL of an SOA RR found by dns_rr_iter_next(); 0 or -1. */
int	 dns_soa_serial(const uint8_t *, size_t, const struct dns_rr *,
	    uint32_t *);

/* Whether the authority section holds an SOA (a negative answer). */
int	 dns_has_auth_soa(const uint8_t *, size_t);

#endif
