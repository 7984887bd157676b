/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "sysctl.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#define SYSCTL_MAX_SAVED 16
#define SYSCTL_PATH_MAX	 128
#define SYSCTL_VALUE_MAX 64

struct saved_sysctl {
	char path[SYSCTL_PATH_MAX];
	char value[SYSCTL_VALUE_MAX];
	size_t value_len;
};

/* Written before any change is made, read by signal handlers. */
static struct saved_sysctl saved[SYSCTL_MAX_SAVED];
static volatile int saved_count;

static const char *const component = "configurator";

static int sysctl_path(const char *name, char *path, size_t len)
{
	int n = snprintf(path, len, "/proc/sys/%s", name);

	return n > 0 && (size_t)n < len ? 0 : -1;
}

int sysctl_read(const char *name, char *buf, unsigned long len)
{
	char path[SYSCTL_PATH_MAX];
	ssize_t n;
	int fd;

	if (sysctl_path(name, path, sizeof(path)) != 0)
		return -1;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n < 0)
		return -1;
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' '))
		n--;
	buf[n] = '\0';
	return 0;
}

int sysctl_save(const char *name)
{
	struct saved_sysctl *s;
	char path[SYSCTL_PATH_MAX];
	int fd;

	if (saved_count == SYSCTL_MAX_SAVED ||
	    sysctl_path(name, path, sizeof(path)) != 0) {
		log_error(component, "cannot keep the value of %s", name);
		return -1;
	}
	for (int i = 0; i < saved_count; i++)
		if (strcmp(saved[i].path, path) == 0)
			return 0;

	/* Check now that it can be written, before anything is changed. */
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error(component, "cannot write %s: %s%s", path,
			  strerror(errno),
			  errno == EACCES || errno == EROFS || errno == EPERM
			      ? " (run as root, with CAP_NET_ADMIN in this "
				"network namespace)"
			      : "");
		return -1;
	}
	close(fd);

	s = &saved[saved_count];
	memcpy(s->path, path, sizeof(path));
	if (sysctl_read(name, s->value, sizeof(s->value)) != 0) {
		log_error(component, "cannot read %s: %s", path,
			  strerror(errno));
		return -1;
	}
	s->value_len = strlen(s->value);
	saved_count++;
	log_debug(component, "%s is %s at start", name, s->value);
	return 0;
}

int sysctl_write(const char *name, const char *value)
{
	char path[SYSCTL_PATH_MAX];
	size_t len = strlen(value);
	ssize_t n;
	int fd;

	if (sysctl_path(name, path, sizeof(path)) != 0)
		return -1;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0) {
		log_error(component, "cannot write %s: %s", path,
			  strerror(errno));
		return -1;
	}
	n = write(fd, value, len);
	close(fd);
	if (n != (ssize_t)len) {
		log_error(component, "cannot set %s to %s: %s", path, value,
			  strerror(errno));
		return -1;
	}
	return 0;
}

void sysctl_restore_all(void)
{
	int saved_errno = errno;

	for (int i = 0; i < saved_count; i++) {
		int fd = open(saved[i].path, O_WRONLY | O_CLOEXEC);

		if (fd < 0)
			continue;
		if (write(fd, saved[i].value, saved[i].value_len) < 0) {
			/* Nothing more can be done from here. */
		}
		close(fd);
	}
	errno = saved_errno;
}

void sysctl_report_restored(void)
{
	for (int i = 0; i < saved_count; i++)
		log_info(component, "restored %s to %s", saved[i].path,
			 saved[i].value);
}
