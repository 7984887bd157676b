/* SPDX-License-Identifier: GPL-2.0-or-later */
/* rtnetlink (RFC 3549) requests for per-destination ECN routes. */
#include "route.h"
#include "netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define ROUTE_BUF 8192

struct route_request {
	struct nlmsghdr nh;
	struct rtmsg rt;
	char attrs[256];
};

static void attr_put(struct route_request *req, unsigned short type,
		     const void *data, size_t len)
{
	struct rtattr *rta =
	    (struct rtattr *)((char *)req + NLMSG_ALIGN(req->nh.nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	req->nh.nlmsg_len =
	    NLMSG_ALIGN(req->nh.nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

static size_t addr_len(const struct ip_addr *a)
{
	return a->family == AF_INET ? 4 : 16;
}

static void request_init(struct route_request *req, unsigned short type,
			 unsigned short flags, const struct ip_addr *dst)
{
	memset(req, 0, sizeof(*req));
	req->nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg));
	req->nh.nlmsg_type = type;
	req->nh.nlmsg_flags = NLM_F_REQUEST | flags;
	req->rt.rtm_family = dst->family;
	req->rt.rtm_dst_len = (unsigned char)(addr_len(dst) * 8);
	req->rt.rtm_table = RT_TABLE_MAIN;
	attr_put(req, RTA_DST, dst->bytes, addr_len(dst));
}

/* Reads the gateway and interface of the route the kernel uses to dst. */
static int route_lookup(int fd, const struct ip_addr *dst, uint8_t *gateway,
			int *has_gateway, int *oif)
{
	struct route_request req;
	char buf[ROUTE_BUF];
	struct nlmsghdr *nh = (struct nlmsghdr *)buf;
	struct rtattr *rta;
	ssize_t n;
	int len;

	request_init(&req, RTM_GETROUTE, 0, dst);
	n = netlink_talk(fd, &req, req.nh.nlmsg_len, buf, sizeof(buf));
	if (n < 0 || nh->nlmsg_type != RTM_NEWROUTE)
		return -1;
	*has_gateway = 0;
	*oif = 0;
	len = (int)RTM_PAYLOAD(nh);
	for (rta = RTM_RTA(NLMSG_DATA(nh)); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == RTA_GATEWAY &&
		    RTA_PAYLOAD(rta) == addr_len(dst)) {
			memcpy(gateway, RTA_DATA(rta), addr_len(dst));
			*has_gateway = 1;
		} else if (rta->rta_type == RTA_OIF &&
			   RTA_PAYLOAD(rta) == sizeof(int)) {
			memcpy(oif, RTA_DATA(rta), sizeof(int));
		}
	}
	return *oif ? 0 : -1;
}

int route_ecn_add(const struct ip_addr *dst)
{
	struct route_request req;
	char buf[ROUTE_BUF];
	uint8_t gateway[16];
	int has_gateway, oif, rc = -1;
	int fd = netlink_open(NETLINK_ROUTE);
	struct {
		struct rtattr rta;
		uint32_t features;
	} metrics;

	if (fd < 0)
		return -1;
	if (route_lookup(fd, dst, gateway, &has_gateway, &oif) != 0)
		goto done;
	request_init(&req, RTM_NEWROUTE, NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL,
		     dst);
	req.rt.rtm_protocol = ROUTE_PROTOCOL;
	req.rt.rtm_scope = has_gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
	req.rt.rtm_type = RTN_UNICAST;
	attr_put(&req, RTA_OIF, &oif, sizeof(oif));
	if (has_gateway)
		attr_put(&req, RTA_GATEWAY, gateway, addr_len(dst));
	metrics.rta.rta_type = RTAX_FEATURES;
	metrics.rta.rta_len = RTA_LENGTH(sizeof(uint32_t));
	metrics.features = RTAX_FEATURE_ECN;
	attr_put(&req, RTA_METRICS, &metrics, sizeof(metrics));
	rc = netlink_talk(fd, &req, req.nh.nlmsg_len, buf, sizeof(buf)) < 0 ? -1
									    : 0;
done:
	close(fd);
	return rc;
}

int route_ecn_del(const struct ip_addr *dst)
{
	struct route_request req;
	char buf[ROUTE_BUF];
	int fd = netlink_open(NETLINK_ROUTE);
	int rc;

	if (fd < 0)
		return -1;
	request_init(&req, RTM_DELROUTE, NLM_F_ACK, dst);
	req.rt.rtm_protocol = ROUTE_PROTOCOL;
	req.rt.rtm_scope = RT_SCOPE_NOWHERE;
	rc = netlink_talk(fd, &req, req.nh.nlmsg_len, buf, sizeof(buf)) < 0 ? -1
									    : 0;
	close(fd);
	return rc;
}

/* Routes deleted per dump; a flush dumps again until none is left. */
#define ROUTE_FLUSH_BATCH 1024

/* Reads the destination of a dumped route if it is ours; returns 1 if so. */
static int route_ours(struct nlmsghdr *nh, struct ip_addr *dst)
{
	struct rtmsg *rt = NLMSG_DATA(nh);
	struct rtattr *rta;
	int len = (int)RTM_PAYLOAD(nh);

	if (rt->rtm_protocol != ROUTE_PROTOCOL ||
	    rt->rtm_table != RT_TABLE_MAIN)
		return 0;
	memset(dst, 0, sizeof(*dst));
	dst->family = rt->rtm_family;
	for (rta = RTM_RTA(rt); RTA_OK(rta, len); rta = RTA_NEXT(rta, len))
		if (rta->rta_type == RTA_DST &&
		    RTA_PAYLOAD(rta) <= sizeof(dst->bytes)) {
			memcpy(dst->bytes, RTA_DATA(rta), RTA_PAYLOAD(rta));
			return 1;
		}
	return 0;
}

/*
 * Dumps a family's routes and collects up to `max` of ours; deleting
 * them during the dump would disturb it.  Returns how many, or -1.
 */
static int route_collect_ours(int family, struct ip_addr *found, int max)
{
	struct {
		struct nlmsghdr nh;
		struct rtmsg rt;
	} req = {
	    .nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct rtmsg)),
		   .nlmsg_type = RTM_GETROUTE,
		   .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP},
	    .rt = {.rtm_family = (unsigned char)family},
	};
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	char buf[ROUTE_BUF];
	int fd = netlink_open(NETLINK_ROUTE);
	int count = 0, done = 0;

	if (fd < 0)
		return -1;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		close(fd);
		return -1;
	}
	while (!done) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		struct nlmsghdr *nh = (struct nlmsghdr *)buf;
		int left = (int)n;

		if (n <= 0)
			break;
		for (; NLMSG_OK(nh, left); nh = NLMSG_NEXT(nh, left)) {
			if (nh->nlmsg_type == NLMSG_DONE ||
			    nh->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (count < max && route_ours(nh, &found[count]))
				count++;
		}
	}
	close(fd);
	return count;
}

static int route_flush_family(int family)
{
	struct ip_addr found[ROUTE_FLUSH_BATCH];
	int deleted = 0;

	for (;;) {
		int n = route_collect_ours(family, found, ROUTE_FLUSH_BATCH);
		int removed = 0;

		if (n < 0)
			return -1;
		for (int i = 0; i < n; i++)
			removed += route_ecn_del(&found[i]) == 0;
		deleted += removed;
		/* Stop when done, or when routes could not be removed. */
		if (n < ROUTE_FLUSH_BATCH || removed == 0)
			return deleted;
	}
}

int route_flush_ours(void)
{
	int v4 = route_flush_family(AF_INET);
	int v6 = route_flush_family(AF_INET6);

	if (v4 < 0 || v6 < 0)
		return -1;
	return v4 + v6;
}
