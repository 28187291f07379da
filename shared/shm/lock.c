/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "shared/log.h"
#include "shared/shm/lock.h"

static int	 shm_lock_result(struct shm_lock *, int);

int
shm_lock_init(struct shm_lock *l)
{
	pthread_mutexattr_t	 attr;
	int			 r;

	memset(l, 0, sizeof(*l));
	if ((r = pthread_mutexattr_init(&attr)) != 0)
		goto fail;
	if ((r = pthread_mutexattr_setpshared(&attr,
	    PTHREAD_PROCESS_SHARED)) != 0 ||
	    (r = pthread_mutexattr_setrobust(&attr,
	    PTHREAD_MUTEX_ROBUST)) != 0 ||
	    (r = pthread_mutex_init(&l->mtx, &attr)) != 0) {
		pthread_mutexattr_destroy(&attr);
		goto fail;
	}
	pthread_mutexattr_destroy(&attr);
	return 0;
fail:
	log_warnx("%s: %s", __func__, strerror(r));
	return -1;
}

int
shm_lock(struct shm_lock *l)
{
	return shm_lock_result(l, pthread_mutex_lock(&l->mtx));
}

int
shm_lock_timed(struct shm_lock *l, unsigned int ms)
{
	struct timespec	 ts;
	int		 r;

	if ((r = shm_lock_result(l, pthread_mutex_trylock(&l->mtx))) != -1)
		return r;
	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		fatal("%s: clock_gettime", __func__);
	ts.tv_sec += ms / 1000;
	ts.tv_nsec += (long)(ms % 1000) * 1000000;
	if (ts.tv_nsec >= 1000000000) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000;
	}
	return shm_lock_result(l, pthread_mutex_clocklock(&l->mtx,
	    CLOCK_MONOTONIC, &ts));
}

void
shm_unlock(struct shm_lock *l)
{
	int	 r;

	if ((r = pthread_mutex_unlock(&l->mtx)) != 0)
		fatalx("%s: pthread_mutex_unlock: %s", __func__, strerror(r));
}

/* 0 locked, 1 locked from a dead owner, -1 busy or timed out. */
static int
shm_lock_result(struct shm_lock *l, int r)
{
	if (r == 0)
		return 0;
	if (r == EBUSY || r == ETIMEDOUT)
		return -1;
	if (r != EOWNERDEAD)
		fatalx("%s: pthread_mutex_lock: %s", __func__, strerror(r));
	/*
	 * Marked consistent at once: the caller still holds the lock while
	 * it repairs, and a lock left inconsistent at unlock would be
	 * unusable for good (ENOTRECOVERABLE).
	 */
	if ((r = pthread_mutex_consistent(&l->mtx)) != 0)
		fatalx("%s: pthread_mutex_consistent: %s", __func__,
		    strerror(r));
	return 1;
}
