/* SPDX-License-Identifier: GPL-2.0-or-later */
/* TCP metrics deletion over generic netlink (family "tcp_metrics"). */
#include "tcpmetrics.h"
#include "netlink.h"

#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/tcp_metrics.h>
#include <stdatomic.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct genl_request {
	struct nlmsghdr nh;
	struct genlmsghdr gh;
	char attrs[64];
};

static atomic_int family_id; /* 0 until looked up */

static void attr_put(struct genl_request *req, unsigned short type,
		     const void *data, size_t len)
{
	struct nlattr *na =
	    (struct nlattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	na->nla_type = type;
	na->nla_len = (unsigned short)(NLA_HDRLEN + len);
	memcpy((char *)na + NLA_HDRLEN, data, len);
	req->nh.nlmsg_len =
	    NLMSG_ALIGN(req->nh.nlmsg_len) + NLA_ALIGN(na->nla_len);
}

static void request_init(struct genl_request *req, unsigned short type,
			 unsigned char cmd, unsigned char version)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req->nh.nlmsg_type = type;
	req->nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req->gh.cmd = cmd;
	req->gh.version = version;
}

/* Looks up the generic netlink family id of "tcp_metrics". */
static int family_lookup(int fd)
{
	struct genl_request req;
	char buf[4096];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct nlattr *na;
	ssize_t n;
	int left;

	request_init(&req, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1);
	attr_put(&req, CTRL_ATTR_FAMILY_NAME, TCP_METRICS_GENL_NAME,
		 sizeof(TCP_METRICS_GENL_NAME));
	n = netlink_talk(fd, &req, req.nh.nlmsg_len, buf, sizeof(buf));
	if (n < 0 || nh->nlmsg_type != GENL_ID_CTRL)
		return -1;
	left = (int)nh->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	na = (struct nlattr *)((char *)NLMSG_DATA(nh) + GENL_HDRLEN);
	while (left >= NLA_HDRLEN && na->nla_len >= NLA_HDRLEN &&
	       na->nla_len <= left) {
		if (na->nla_type == CTRL_ATTR_FAMILY_ID &&
		    na->nla_len >= NLA_HDRLEN + sizeof(uint16_t)) {
			uint16_t id;

			memcpy(&id, (char *)na + NLA_HDRLEN, sizeof(id));
			return id;
		}
		left -= NLA_ALIGN(na->nla_len);
		na = (struct nlattr *)((char *)na + NLA_ALIGN(na->nla_len));
	}
	return -1;
}

int tcp_metrics_forget(const struct ip_addr *dst)
{
	struct genl_request req;
	char buf[1024];
	int fd, id, rc = -1;

	fd = netlink_open(NETLINK_GENERIC);
	if (fd < 0)
		return -1;
	id = atomic_load(&family_id);
	if (id == 0) {
		id = family_lookup(fd);
		if (id < 0)
			goto done;
		atomic_store(&family_id, id);
	}
	request_init(&req, (unsigned short)id, TCP_METRICS_CMD_DEL,
		     TCP_METRICS_GENL_VERSION);
	if (dst->family == AF_INET)
		attr_put(&req, TCP_METRICS_ATTR_ADDR_IPV4, dst->bytes, 4);
	else
		attr_put(&req, TCP_METRICS_ATTR_ADDR_IPV6, dst->bytes, 16);
	/* The kernel returns ESRCH when it has no entry for dst. */
	rc = netlink_talk(fd, &req, req.nh.nlmsg_len, buf, sizeof(buf)) < 0 &&
		     errno != ESRCH && errno != ENOENT
		 ? -1
		 : 0;
done:
	close(fd);
	return rc;
}
