/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/mman.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "shared/log.h"
#include "shared/state.h"

const char *const worker_counter_names[WCTR_MAX] = {
#define WCTR_NAME(name, desc)	#name,
	WORKER_COUNTERS(WCTR_NAME)
#undef WCTR_NAME
};

const char *const worker_counter_descs[WCTR_MAX] = {
#define WCTR_DESC(name, desc)	desc,
	WORKER_COUNTERS(WCTR_DESC)
#undef WCTR_DESC
};

int
state_create(void)
{
	struct state	*st;
	int		 fd;

	if ((fd = memfd_create("shoal-state", MFD_CLOEXEC |
	    MFD_ALLOW_SEALING)) == -1)
		fatal("%s: memfd_create", __func__);
	if (ftruncate(fd, sizeof(struct state)) == -1)
		fatal("%s: ftruncate", __func__);
	if ((st = state_map(-fd - 1)) == NULL)
		fatalx("%s: cannot map", __func__);
	st->magic = STATE_MAGIC;
	st->version = STATE_VERSION;
	st->size = sizeof(*st);
	munmap(st, sizeof(*st));
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_GROW | F_SEAL_SHRINK |
	    F_SEAL_SEAL) == -1)
		fatal("%s: F_ADD_SEALS", __func__);
	return fd;
}

/*
 * Maps the segment; a negative argument (-fd - 1) maps a fresh one
 * without checking its header (only state_create does that).
 */
struct state *
state_map(int fd)
{
	struct state	*st;
	int		 fresh = fd < 0;

	if (fresh)
		fd = -fd - 1;
	st = mmap(NULL, sizeof(*st), PROT_READ | PROT_WRITE, MAP_SHARED, fd,
	    0);
	if (st == MAP_FAILED) {
		log_warn("%s: mmap", __func__);
		return NULL;
	}
	if (!fresh && (st->magic != STATE_MAGIC ||
	    st->version != STATE_VERSION || st->size != sizeof(*st))) {
		log_warnx("%s: bad state segment header", __func__);
		munmap(st, sizeof(*st));
		return NULL;
	}
	return st;
}

int
state_qps_take(struct state_qps *q, uint32_t limit, uint64_t now_ms)
{
	uint64_t	 last;
	int64_t		 tokens, add, cap = (int64_t)limit * 1000;

	last = atomic_load_explicit(&q->last_ms, memory_order_relaxed);
	if (now_ms > last && atomic_compare_exchange_strong(&q->last_ms,
	    &last, now_ms)) {
		/* limit per second is limit per 1000 ms, in thousandths. */
		add = (int64_t)(now_ms - last) * limit;
		if (last == 0)
			add = cap;
		tokens = atomic_fetch_add(&q->tokens, add) + add;
		if (tokens > cap)
			atomic_fetch_sub(&q->tokens, tokens - cap);
	}
	if (atomic_fetch_sub(&q->tokens, 1000) >= 1000)
		return 1;
	atomic_fetch_add(&q->tokens, 1000);
	return 0;
}
