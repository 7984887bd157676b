/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Host routes that turn ECN on for one destination (the route feature
 * RTAX_FEATURE_ECN, as `ip route add ... features ecn` sets), over
 * rtnetlink.  With net.ipv4.tcp_ecn=2 the kernel then requests ECN on
 * connections to that destination only, so ECN can be switched per
 * target instead of host-wide.
 *
 * Every route added carries the protocol ROUTE_PROTOCOL, so routes left
 * behind by a killed run can be found and flushed.
 */
#ifndef PP_ROUTE_H
#define PP_ROUTE_H

#include "packet.h"

/* The rtm_protocol value that marks pathprobe's routes. */
#define ROUTE_PROTOCOL 0xf3

/*
 * Adds a host route to dst through the same gateway and interface as the
 * route the kernel uses now, with ECN on.  Returns 0, or -1 with errno.
 */
int route_ecn_add(const struct ip_addr *dst);

/* Deletes the host route route_ecn_add added.  Returns 0, or -1. */
int route_ecn_del(const struct ip_addr *dst);

/* Deletes every route with ROUTE_PROTOCOL; returns how many, or -1. */
int route_flush_ours(void);

#endif
