/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "netlink.h"

#include <errno.h>
#include <linux/netlink.h>
#include <sys/socket.h>
#include <unistd.h>

int netlink_open(int protocol)
{
	struct sockaddr_nl local = {.nl_family = AF_NETLINK};
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return -1;
	if (bind(fd, (struct sockaddr *)&local, sizeof(local)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

ssize_t netlink_talk(int fd, const void *request, size_t len, char *buf,
		     size_t buf_len)
{
	struct sockaddr_nl kernel = {.nl_family = AF_NETLINK};
	ssize_t n;

	if (sendto(fd, request, len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0)
		return -1;
	n = recv(fd, buf, buf_len, 0);
	if (n < (ssize_t)sizeof(struct nlmsghdr))
		return -1;
	if (((struct nlmsghdr *)buf)->nlmsg_type == NLMSG_ERROR) {
		struct nlmsgerr *err = NLMSG_DATA((struct nlmsghdr *)buf);

		if (err->error) {
			errno = -err->error;
			return -1;
		}
	}
	return n;
}
