/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
/*
 * Replays fuzz inputs without libFuzzer: every file named on the command
 * line, or found in a directory named there, goes once through the
 * harness's LLVMFuzzerTestOneInput(). Each input is copied into a buffer of
 * its exact size so that an overread shows under ASan. Exits 1 if any
 * argument cannot be read or no input was found.
 */
#include "config.h"

#include <sys/types.h>
#include <sys/stat.h>

#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLAY_MAXSIZE	(1024 * 1024)

int		 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int	 replay_file(const char *);
static int	 replay_dir(const char *, unsigned long *);

int
main(int argc, char *argv[])
{
	struct stat	 st;
	unsigned long	 n = 0;
	int		 i;

	if (argc < 2) {
		fprintf(stderr, "usage: %s file|dir ...\n", argv[0]);
		return 1;
	}
	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &st) == -1) {
			perror(argv[i]);
			return 1;
		}
		if (S_ISDIR(st.st_mode)) {
			if (replay_dir(argv[i], &n) != 0)
				return 1;
		} else {
			if (replay_file(argv[i]) != 0)
				return 1;
			n++;
		}
	}
	if (n == 0) {
		fprintf(stderr, "%s: no inputs\n", argv[0]);
		return 1;
	}
	printf("%s: %lu inputs replayed\n", argv[0], n);
	return 0;
}

static int
replay_file(const char *path)
{
	FILE	*f;
	uint8_t	*buf, *exact;
	size_t	 len;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		return -1;
	}
	if ((buf = malloc(REPLAY_MAXSIZE)) == NULL) {
		fclose(f);
		return -1;
	}
	len = fread(buf, 1, REPLAY_MAXSIZE, f);
	fclose(f);
	/* malloc(0) may return NULL; keep one byte but pass the length. */
	if ((exact = malloc(len > 0 ? len : 1)) == NULL) {
		free(buf);
		return -1;
	}
	memcpy(exact, buf, len);
	free(buf);
	LLVMFuzzerTestOneInput(exact, len);
	free(exact);
	return 0;
}

static int
replay_dir(const char *dir, unsigned long *n)
{
	DIR		*d;
	struct dirent	*de;
	char		 path[4096];
	int		 r = 0;

	if ((d = opendir(dir)) == NULL) {
		perror(dir);
		return -1;
	}
	while (r == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir,
		    de->d_name) >= sizeof(path)) {
			r = -1;
			break;
		}
		if ((r = replay_file(path)) == 0)
			(*n)++;
	}
	closedir(d);
	return r;
}
