/* SPDX-License-Identifier: GPL-2.0-or-later */
#include "output.h"
#include "log.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define OUTPUT_BUFFER_BYTES (256 * 1024)

static void output_check_regular(struct output *out)
{
	struct stat st;

	out->regular = fstat(out->fd, &st) == 0 && S_ISREG(st.st_mode);
	if (out->regular)
		out->committed = lseek(out->fd, 0, SEEK_CUR);
}

int output_open(struct output *out, const char *path, int flush_each)
{
	memset(out, 0, sizeof(*out));
	out->flush_each = flush_each;
	out->cap = OUTPUT_BUFFER_BYTES;
	out->buf = malloc(out->cap);
	if (!out->buf) {
		log_error("output", "out of memory");
		return -1;
	}
	if (strcmp(path, "-") == 0) {
		out->fd = STDOUT_FILENO;
		output_check_regular(out);
		return 0;
	}
	out->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (out->fd < 0) {
		log_error("output", "cannot open %s for writing: %s", path,
			  strerror(errno));
		free(out->buf);
		out->buf = NULL;
		return -1;
	}
	out->owns_fd = 1;
	output_check_regular(out);
	return 0;
}

int output_flush(struct output *out)
{
	size_t done = 0;

	while (done < out->len && !out->failed) {
		ssize_t n = write(out->fd, out->buf + done, out->len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			log_error("output", "writing records failed: %s",
				  n < 0 ? strerror(errno) : "nothing written");
			atomic_store(&out->failed, 1);
			/* Leave whole records only: cut what was written of
			 * this buffer, which ends on a record boundary. */
			if (out->regular &&
			    ftruncate(out->fd, out->committed) != 0)
				log_error("output",
					  "cannot cut the partial "
					  "record: %s",
					  strerror(errno));
			break;
		}
		done += (size_t)n;
	}
	if (!out->failed)
		out->committed += (off_t)done;
	out->len = 0;
	return out->failed ? -1 : 0;
}

/* Appends one record and its newline; a flush never splits a record. */
static int output_append_line(struct output *out, const char *text, size_t n)
{
	if (out->len + n + 1 > out->cap && output_flush(out) != 0)
		return -1;
	if (n + 1 > out->cap) {
		char *bigger = realloc(out->buf, n + 1);

		if (!bigger)
			return -1;
		out->buf = bigger;
		out->cap = n + 1;
	}
	memcpy(out->buf + out->len, text, n);
	out->buf[out->len + n] = '\n';
	out->len += n + 1;
	return 0;
}

int output_write_text(struct output *out, const char *text, size_t len)
{
	if (out->failed || output_append_line(out, text, len) != 0)
		return -1;
	out->records++;
	return out->flush_each ? output_flush(out) : 0;
}

int output_write(struct output *out, const json_t *record)
{
	char *text;
	int rc;

	if (out->failed)
		return -1;
	text = json_dumps(record, JSON_COMPACT | JSON_PRESERVE_ORDER);
	if (!text) {
		log_error("output", "cannot serialise a record");
		return -1;
	}
	rc = output_append_line(out, text, strlen(text));
	free(text);
	if (rc != 0)
		return -1;
	out->records++;
	return out->flush_each ? output_flush(out) : 0;
}

int output_failed(const struct output *out)
{
	return atomic_load(&out->failed);
}

int output_close(struct output *out)
{
	int failed;

	if (out->buf)
		output_flush(out);
	failed = atomic_load(&out->failed);
	if (out->owns_fd && close(out->fd) != 0 && !failed) {
		log_error("output", "closing the output failed: %s",
			  strerror(errno));
		failed = 1;
	}
	free(out->buf);
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	return failed ? -1 : 0;
}
