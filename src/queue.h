/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * A bounded blocking queue of pointers between threads.  Producers block
 * while it is full, consumers while it is empty; once closed, pops drain
 * what is left and then return NULL.
 */
#ifndef PP_QUEUE_H
#define PP_QUEUE_H

#include <pthread.h>
#include <stddef.h>

struct queue {
	pthread_mutex_t lock;
	pthread_cond_t not_empty;
	pthread_cond_t not_full;
	void **items;
	size_t capacity;
	size_t head;
	size_t count;
	int closed;
};

int queue_init(struct queue *q, size_t capacity);
void queue_destroy(struct queue *q);

/* Returns 0, or -1 when the queue was closed (the item is not taken). */
int queue_push(struct queue *q, void *item);

/* Returns the next item, or NULL once the queue is closed and empty. */
void *queue_pop(struct queue *q);

/* Pops without blocking; NULL when nothing is queued. */
void *queue_try_pop(struct queue *q);

void queue_close(struct queue *q);

#endif
