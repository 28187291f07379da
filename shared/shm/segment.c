/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "shared/log.h"
#include "shared/shm/segment.h"
#include "shared/util.h"

#define SHM_SEALS	(F_SEAL_GROW | F_SEAL_SHRINK | F_SEAL_SEAL)

static int	 shm_segment_sealed(int);

int
shm_segment_create(const char *name, size_t size, uint32_t kind)
{
	struct shm_seg_hdr	 h;
	int			 fd;

	if (size < SHM_SEG_HDRSIZE || size > (size_t)INT64_MAX ||
	    kind == SHM_KIND_NONE || kind >= SHM_KIND_MAX) {
		log_warnx("%s: %s: bad size %zu or kind %u", __func__, name,
		    size, kind);
		return -1;
	}
	if ((fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING)) == -1) {
		log_warn("%s: memfd_create %s", __func__, name);
		return -1;
	}
	if (ftruncate(fd, (off_t)size) == -1) {
		log_warn("%s: ftruncate %s to %zu bytes", __func__, name, size);
		goto fail;
	}
	shm_segment_hdr_init(&h, size, kind, name);
	if (pwrite(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h)) {
		log_warn("%s: pwrite %s", __func__, name);
		goto fail;
	}
	if (fcntl(fd, F_ADD_SEALS, SHM_SEALS) == -1) {
		log_warn("%s: fcntl F_ADD_SEALS %s", __func__, name);
		goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

void *
shm_segment_map(int fd, size_t *sizep, uint32_t kind)
{
	struct stat	 st;
	size_t		 size;
	void		*base;

	if (fstat(fd, &st) == -1) {
		log_warn("%s: fstat", __func__);
		return NULL;
	}
	if (st.st_size < SHM_SEG_HDRSIZE || (uint64_t)st.st_size > SIZE_MAX) {
		log_warnx("%s: segment of %lld bytes", __func__,
		    (long long)st.st_size);
		return NULL;
	}
	if (shm_segment_sealed(fd) == -1)
		return NULL;
	size = (size_t)st.st_size;
	base = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (base == MAP_FAILED) {
		log_warn("%s: mmap %zu bytes", __func__, size);
		return NULL;
	}
	if (shm_segment_hdr_check(base, size, kind) == -1) {
		munmap(base, size);
		return NULL;
	}
	*sizep = size;
	return base;
}

void
shm_segment_unmap(void *base, size_t size)
{
	if (base != NULL && munmap(base, size) == -1)
		log_warn("%s: munmap", __func__);
}

void
shm_segment_hdr_init(void *base, size_t size, uint32_t kind,
    const char *name)
{
	struct shm_seg_hdr	*h = base;

	memset(h, 0, sizeof(*h));
	h->magic = SHM_SEG_MAGIC;
	h->version = SHM_SEG_VERSION;
	h->kind = kind;
	h->hdrsize = SHM_SEG_HDRSIZE;
	h->size = size;
	h->created = (uint64_t)time(NULL);
	if (name != NULL)
		shoal_strlcpy(h->name, name, sizeof(h->name));
}

int
shm_segment_hdr_check(const void *base, size_t size, uint32_t kind)
{
	const struct shm_seg_hdr	*h = base;

	if (size < SHM_SEG_HDRSIZE) {
		log_warnx("segment: %zu bytes, too small", size);
		return -1;
	}
	if (h->magic != SHM_SEG_MAGIC) {
		log_warnx("segment: bad magic 0x%08x", h->magic);
		return -1;
	}
	if (h->version != SHM_SEG_VERSION || h->hdrsize != SHM_SEG_HDRSIZE) {
		log_warnx("segment: version %u header %u, expected %u and %u",
		    h->version, h->hdrsize, SHM_SEG_VERSION, SHM_SEG_HDRSIZE);
		return -1;
	}
	if (h->kind != kind) {
		log_warnx("segment: kind %u, expected %u", h->kind, kind);
		return -1;
	}
	if (h->size != size) {
		log_warnx("segment: layout of %llu bytes in a file of %zu",
		    (unsigned long long)h->size, size);
		return -1;
	}
	return 0;
}

/* A segment that could still be shrunk would SIGBUS its mappers. */
static int
shm_segment_sealed(int fd)
{
	int	 seals;

	if ((seals = fcntl(fd, F_GET_SEALS)) == -1) {
		log_warn("%s: fcntl F_GET_SEALS", __func__);
		return -1;
	}
	if ((seals & (F_SEAL_GROW | F_SEAL_SHRINK)) !=
	    (F_SEAL_GROW | F_SEAL_SHRINK)) {
		log_warnx("%s: segment not sealed against resizing (0x%x)",
		    __func__, seals);
		return -1;
	}
	return 0;
}
