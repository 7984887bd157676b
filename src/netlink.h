/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Request and acknowledgement over a netlink socket (RFC 3549). */
#ifndef PP_NETLINK_H
#define PP_NETLINK_H

#include <stddef.h>
#include <sys/types.h>

/* Opens and binds a netlink socket of a protocol (NETLINK_ROUTE, ...). */
int netlink_open(int protocol);

/*
 * Sends one request and reads the kernel's reply into buf.  Returns the
 * reply's length, or -1 with errno set (from the kernel's error message
 * when it sent one).
 */
ssize_t netlink_talk(int fd, const void *request, size_t len, char *buf,
		     size_t buf_len);

#endif
