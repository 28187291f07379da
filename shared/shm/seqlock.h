/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_SHM_SEQLOCK_H
#define SHOAL_SHM_SEQLOCK_H

/*
 * A sequence counter guarding one shard of a shared cache. The writer (who
 * already holds the shard's mutex) makes it odd before it changes anything
 * and even again when it is done. A reader notes the value, copies what it
 * needs into private memory, and keeps the copy only if the value is still
 * the same even number afterwards. Readers never wait: a reader that finds
 * the counter odd gives up that attempt, and a reader that has failed a few
 * attempts reports a miss.
 *
 * Because a reader may copy a half-written shard, everything it reads from
 * shared memory is suspect until seqlock_read_retry() says otherwise: every
 * offset and length must be bounds-checked before use, every walk bounded,
 * and a value must be read once into a local (seqlock_load32(),
 * seqlock_copy()) and only that local checked and used.
 *
 * The copies themselves are plain loads, as in every seqlock: the fences
 * below order them against the counter on every compiler and CPU that
 * shoal supports.
 */

#include <assert.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

static_assert(ATOMIC_INT_LOCK_FREE == 2 && ATOMIC_LLONG_LOCK_FREE == 2,
    "shared-memory atomics must be lock-free");

struct seqlock {
	_Atomic uint32_t	 seq;
};

static inline void
seqlock_init(struct seqlock *s)
{
	atomic_store_explicit(&s->seq, 0, memory_order_relaxed);
}

/* Writer, holding the mutex: the counter becomes odd before any change. */
static inline void
seqlock_write_begin(struct seqlock *s)
{
	uint32_t	 v;

	v = atomic_load_explicit(&s->seq, memory_order_relaxed);
	atomic_store_explicit(&s->seq, v + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

/* Writer: every change is visible before the counter is even again. */
static inline void
seqlock_write_end(struct seqlock *s)
{
	uint32_t	 v;

	v = atomic_load_explicit(&s->seq, memory_order_relaxed);
	atomic_store_explicit(&s->seq, v + 1, memory_order_release);
}

/*
 * Writer that took over the mutex from a dead owner: whatever the owner
 * left (odd mid-write, or even), the counter is odd now, as after
 * seqlock_write_begin(); seqlock_write_end() then makes it even.
 */
static inline void
seqlock_write_force(struct seqlock *s)
{
	uint32_t	 v;

	v = atomic_load_explicit(&s->seq, memory_order_relaxed);
	if ((v & 1) == 0)
		atomic_store_explicit(&s->seq, v + 1, memory_order_relaxed);
	atomic_thread_fence(memory_order_release);
}

/* Whether a write section is open (tests and diagnostics). */
static inline int
seqlock_writing(const struct seqlock *s)
{
	return (atomic_load_explicit(&s->seq, memory_order_relaxed) & 1) != 0;
}

/* Reader: 0 with *seq noted, or -1 when a writer is active (give up). */
static inline int
seqlock_read_begin(const struct seqlock *s, uint32_t *seq)
{
	*seq = atomic_load_explicit(&s->seq, memory_order_acquire);
	return (*seq & 1) ? -1 : 0;
}

/* Reader: nonzero when a writer raced the copy (throw the copy away). */
static inline int
seqlock_read_retry(const struct seqlock *s, uint32_t seq)
{
	atomic_thread_fence(memory_order_acquire);
	return atomic_load_explicit(&s->seq, memory_order_relaxed) != seq;
}

/* Reader: one load of a 32-bit word that a writer may be changing. */
static inline uint32_t
seqlock_load32(const uint32_t *p)
{
	return *(const volatile uint32_t *)p;
}

/*
 * Reader: copies n bytes out of shared memory; the compiler barrier keeps
 * it from reading the shared bytes again instead of the private copy.
 */
static inline void
seqlock_copy(void *dst, const void *src, size_t n)
{
	memcpy(dst, src, n);
	atomic_signal_fence(memory_order_seq_cst);
}

#endif
