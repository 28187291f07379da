/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_SHM_LOCK_H
#define SHOAL_SHM_LOCK_H

/*
 * A mutex that lives in shared memory: process-shared and robust. When a
 * process dies holding it, the next locker is told so (EOWNERDEAD) instead
 * of waiting forever, and must put the protected data right (repair or
 * clear it) before unlocking. Only writers take these locks; readers of a
 * shared cache use the shard's sequence counter (seqlock.h) and never block.
 */

#include <pthread.h>

struct shm_lock {
	pthread_mutex_t	 mtx;
};

/* Initialises a lock in shared memory (format time): 0, or -1 logged. */
int	 shm_lock_init(struct shm_lock *);

/*
 * Takes the lock. Returns 0, or 1 when its previous owner died holding it:
 * the lock is then held and already marked consistent again, and the
 * caller must repair or clear what it protects before shm_unlock(). Any
 * other failure is fatal (the lock itself is broken).
 */
int	 shm_lock(struct shm_lock *);

/*
 * As shm_lock(), but gives up after ms milliseconds and returns -1: for
 * callers that must not wait on a holder that is stuck (stopped, looping)
 * rather than dead, such as a worker storing into a cache.
 */
int	 shm_lock_timed(struct shm_lock *, unsigned int);

/* Releases a lock taken with shm_lock(); a failure is fatal. */
void	 shm_unlock(struct shm_lock *);

#endif
