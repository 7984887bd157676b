/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The kernel's TCP metrics cache per destination (what `ip tcp_metrics`
 * shows), which also stores TCP Fast Open cookies, over generic netlink.
 */
#ifndef PP_TCPMETRICS_H
#define PP_TCPMETRICS_H

#include "packet.h"

/*
 * Deletes the cached metrics and Fast Open cookie of one destination, so
 * the next connection starts as if it had never been there.  Returns 0
 * (also when nothing was cached), or -1 with errno.
 */
int tcp_metrics_forget(const struct ip_addr *dst);

#endif
