/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "shared/conf/directives.h"
#include "shared/log.h"
#include "shared/state.h"
#include "shared/util.h"

/*
 * check_manpage: the man pages against the tables the programs use.
 *
 * shoal.conf(5) must have, in its mdoc source, one ".It Ic NAME" item for
 * every directive (directives[]), every global value (dir_values[]) and,
 * as ".It Ic OBJECT:NAME", every method (methods[]); and, inside the item
 * of a directive that takes an options table, one ".It Cm KEY" for every
 * key of that table. shoalctl(8) must have one ".It Li NAME" for every
 * worker counter. The other way round, every such item must name
 * something that exists, so the pages never describe a removed setting.
 *
 * Usage: check_manpage [shoal.conf.5.in shoalctl.8.in]; without
 * arguments the pages of the source tree. Prints each problem and exits
 * 1 if there is any.
 */

#define PAGE_MAX_BYTES	(1024 * 1024)
#define PAGE_MAX_LINES	20000
#define NAME_MAX_LEN	128

#define MAC_ITEM	".It Ic "
#define MAC_KEY		".It Cm "
#define MAC_COUNTER	".It Li "

#ifndef OPS_TOP_SRCDIR
#define OPS_TOP_SRCDIR	"."
#endif

struct page {
	const char	*path;
	char		*text;
	char		**lines;
	size_t		 nlines;
};

static int		 page_load(struct page *, const char *);
static void		 page_free(struct page *);
static int		 line_arg(const char *, const char *, char *, size_t);
static long		 page_find(const struct page *, const char *,
			    const char *, size_t, size_t);
static size_t		 item_end(const struct page *, size_t);
static const char	*method_prefix(unsigned);
static int		 known_item(const char *);
static const struct directive *directive_find(const char *);
static int		 key_in(const struct dir_key *, const char *);
static int		 check_directives(const struct page *);
static int		 key_documented(const struct page *, const char *,
			    const char *);
static int		 check_keys(const struct page *,
			    const struct directive *);
static int		 check_methods(const struct page *);
static int		 check_values(const struct page *);
static int		 check_conf_items(const struct page *);
static int		 check_counters(const struct page *);

/*
 * The object before the colon of a method's item, by enum dir_type: the
 * names the examples of shoal.conf(5) give such objects.
 */
static const char *const method_prefixes[] = {
	[DT_SERVER] = "server",
	[DT_POOL] = "pool",
	[DT_CACHE] = "cache",
	[DT_DNSNAME] = "dnsname",
	[DT_POLICY] = "policy",
};

int
main(int argc, char *argv[])
{
	struct page	 conf5, ctl8;
	int		 bad = 0;

	log_init(LOG_LEVEL_WARN, "check_manpage");
	if (argc != 1 && argc != 3) {
		fprintf(stderr, "usage: check_manpage "
		    "[shoal.conf.5.in shoalctl.8.in]\n");
		return 2;
	}
	if (page_load(&conf5, argc == 3 ? argv[1] :
	    OPS_TOP_SRCDIR "/man/shoal.conf.5.in") == -1 ||
	    page_load(&ctl8, argc == 3 ? argv[2] :
	    OPS_TOP_SRCDIR "/man/shoalctl.8.in") == -1)
		return 2;
	bad += check_directives(&conf5);
	bad += check_methods(&conf5);
	bad += check_values(&conf5);
	bad += check_conf_items(&conf5);
	bad += check_counters(&ctl8);
	printf("%s: %zu directives, %zu methods, %zu values; %s: %d "
	    "counters: %d problem%s\n", conf5.path, ndirectives, nmethods,
	    ndir_values, ctl8.path, WCTR_MAX, bad, bad == 1 ? "" : "s");
	page_free(&conf5);
	page_free(&ctl8);
	return bad == 0 ? 0 : 1;
}

/* Reads the whole page and splits it into lines, in place. */
static int
page_load(struct page *p, const char *path)
{
	FILE	*fp;
	size_t	 len;
	char	*s, *e;

	memset(p, 0, sizeof(*p));
	p->path = path;
	if ((fp = fopen(path, "r")) == NULL) {
		log_warn("%s", path);
		return -1;
	}
	if ((p->text = malloc(PAGE_MAX_BYTES + 1)) == NULL ||
	    (p->lines = calloc(PAGE_MAX_LINES, sizeof(*p->lines))) == NULL)
		fatal("%s: malloc", __func__);
	len = fread(p->text, 1, PAGE_MAX_BYTES + 1, fp);
	if (ferror(fp) || len > PAGE_MAX_BYTES) {
		log_warnx("%s: unreadable or larger than %d bytes", path,
		    PAGE_MAX_BYTES);
		fclose(fp);
		page_free(p);
		return -1;
	}
	fclose(fp);
	p->text[len] = '\0';
	for (s = p->text; *s != '\0'; s = e + 1) {
		if (p->nlines == PAGE_MAX_LINES) {
			log_warnx("%s: more than %d lines", path,
			    PAGE_MAX_LINES);
			page_free(p);
			return -1;
		}
		p->lines[p->nlines++] = s;
		if ((e = strchr(s, '\n')) == NULL)
			break;
		*e = '\0';
	}
	return 0;
}

static void
page_free(struct page *p)
{
	free(p->text);
	free(p->lines);
	p->text = NULL;
	p->lines = NULL;
	p->nlines = 0;
}

/*
 * If line starts with the macro prefix mac, copies the first word after
 * it into buf and returns 0; -1 otherwise.
 */
static int
line_arg(const char *line, const char *mac, char *buf, size_t size)
{
	size_t	 n, mlen = strlen(mac);

	if (strncmp(line, mac, mlen) != 0)
		return -1;
	line += mlen;
	n = strcspn(line, " \t");
	if (n == 0 || n >= size)
		return -1;
	memcpy(buf, line, n);
	buf[n] = '\0';
	return 0;
}

/* The first line in [from, to) that is "mac name ...", or -1. */
static long
page_find(const struct page *p, const char *mac, const char *name,
    size_t from, size_t to)
{
	char	 arg[NAME_MAX_LEN];
	size_t	 i;

	for (i = from; i < to && i < p->nlines; i++)
		if (line_arg(p->lines[i], mac, arg, sizeof(arg)) == 0 &&
		    strcmp(arg, name) == 0)
			return (long)i;
	return -1;
}

/* Where the item that starts at line start ends: the next item or section. */
static size_t
item_end(const struct page *p, size_t start)
{
	size_t	 i;

	for (i = start + 1; i < p->nlines; i++)
		if (strncmp(p->lines[i], MAC_ITEM, strlen(MAC_ITEM)) == 0 ||
		    strncmp(p->lines[i], ".Sh ", 4) == 0 ||
		    strncmp(p->lines[i], ".Ss ", 4) == 0)
			break;
	return i;
}

static const char *
method_prefix(unsigned type)
{
	if (type >= nitems(method_prefixes) || method_prefixes[type] == NULL)
		return NULL;
	return method_prefixes[type];
}

static const struct directive *
directive_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < ndirectives; i++)
		if (strcmp(directives[i].name, name) == 0)
			return &directives[i];
	return NULL;
}

static int
key_in(const struct dir_key *keys, const char *name)
{
	for (; keys != NULL && keys->name != NULL; keys++)
		if (strcmp(keys->name, name) == 0)
			return 1;
	return 0;
}

/* Whether an ".It Ic" item names a directive, a method or a value. */
static int
known_item(const char *name)
{
	char		 full[NAME_MAX_LEN];
	const char	*pre;
	size_t		 i;

	if (directive_find(name) != NULL)
		return 1;
	for (i = 0; i < ndir_values; i++)
		if (strcmp(dir_values[i].name, name) == 0)
			return 1;
	for (i = 0; i < nmethods; i++) {
		if ((pre = method_prefix(methods[i].type)) == NULL)
			continue;
		snprintf(full, sizeof(full), "%s:%s", pre, methods[i].name);
		if (strcmp(full, name) == 0)
			return 1;
	}
	return 0;
}

static int
check_directives(const struct page *p)
{
	size_t	 i;
	int	 bad = 0;

	for (i = 0; i < ndirectives; i++) {
		if (page_find(p, MAC_ITEM, directives[i].name, 0,
		    p->nlines) == -1) {
			printf("%s: missing directive %s%s: add \"%s%s\"\n",
			    p->path, directives[i].name, directives[i].args,
			    MAC_ITEM, directives[i].name);
			bad++;
			continue;
		}
		if (directives[i].keys != NULL)
			bad += check_keys(p, &directives[i]);
	}
	return bad;
}

/*
 * Whether key is an ".It Cm" in an item of directive name; a directive
 * may have several items (the two forms of newServer).
 */
static int
key_documented(const struct page *p, const char *name, const char *key)
{
	long	 at;
	size_t	 from = 0;

	while ((at = page_find(p, MAC_ITEM, name, from, p->nlines)) != -1) {
		from = item_end(p, (size_t)at);
		if (page_find(p, MAC_KEY, key, (size_t)at + 1, from) != -1)
			return 1;
	}
	return 0;
}

/*
 * Every key of d's table must be an ".It Cm" in an item of d or of
 * another directive with the same table (setLocal and addLocal).
 */
static int
check_keys(const struct page *p, const struct directive *d)
{
	const struct dir_key	*k;
	size_t			 i;
	int			 bad = 0, found;

	for (k = d->keys; k->name != NULL; k++) {
		found = 0;
		for (i = 0; i < ndirectives && !found; i++)
			if (directives[i].keys == d->keys)
				found = key_documented(p, directives[i].name,
				    k->name);
		if (!found) {
			printf("%s: missing option %s of %s: add \"%s%s\" "
			    "in the item of %s\n", p->path, k->name, d->name,
			    MAC_KEY, k->name, d->name);
			bad++;
		}
	}
	return bad;
}

static int
check_methods(const struct page *p)
{
	char		 full[NAME_MAX_LEN];
	const char	*pre;
	size_t		 i;
	int		 bad = 0;

	for (i = 0; i < nmethods; i++) {
		if ((pre = method_prefix(methods[i].type)) == NULL) {
			printf("%s: no object name for the type of method %s "
			    "(%u): extend method_prefixes[] in %s\n", p->path,
			    methods[i].name, methods[i].type, __FILE__);
			bad++;
			continue;
		}
		snprintf(full, sizeof(full), "%s:%s", pre, methods[i].name);
		if (page_find(p, MAC_ITEM, full, 0, p->nlines) == -1) {
			printf("%s: missing method %s%s: add \"%s%s\"\n",
			    p->path, full, methods[i].args, MAC_ITEM, full);
			bad++;
		}
	}
	return bad;
}

static int
check_values(const struct page *p)
{
	size_t	 i;
	int	 bad = 0;

	for (i = 0; i < ndir_values; i++)
		if (page_find(p, MAC_ITEM, dir_values[i].name, 0,
		    p->nlines) == -1) {
			printf("%s: missing value %s: add \"%s%s\"\n",
			    p->path, dir_values[i].name, MAC_ITEM,
			    dir_values[i].name);
			bad++;
		}
	return bad;
}

/*
 * The other way round: every ".It Ic" names something the loader knows,
 * and every ".It Cm" inside a directive's item is one of its keys.
 */
static int
check_conf_items(const struct page *p)
{
	const struct directive	*cur = NULL;
	char			 arg[NAME_MAX_LEN];
	size_t			 i;
	int			 bad = 0, in_item = 0;

	for (i = 0; i < p->nlines; i++) {
		if (strncmp(p->lines[i], ".Sh ", 4) == 0 ||
		    strncmp(p->lines[i], ".Ss ", 4) == 0) {
			cur = NULL;
			in_item = 0;
			continue;
		}
		if (line_arg(p->lines[i], MAC_ITEM, arg, sizeof(arg)) == 0) {
			cur = directive_find(arg);
			in_item = 1;
			if (!known_item(arg)) {
				printf("%s:%zu: %s is no directive, method or "
				    "value of the loader\n", p->path, i + 1,
				    arg);
				bad++;
			}
			continue;
		}
		if (in_item && line_arg(p->lines[i], MAC_KEY, arg,
		    sizeof(arg)) == 0 && (cur == NULL ||
		    !key_in(cur->keys, arg))) {
			printf("%s:%zu: %s is no option of %s\n", p->path,
			    i + 1, arg, cur != NULL ? cur->name : "this item");
			bad++;
		}
	}
	return bad;
}

/* shoalctl(8): every counter, and nothing but counters, as ".It Li". */
static int
check_counters(const struct page *p)
{
	char	 arg[NAME_MAX_LEN];
	size_t	 i, k;
	int	 bad = 0;

	for (k = 0; k < WCTR_MAX; k++)
		if (page_find(p, MAC_COUNTER, worker_counter_names[k], 0,
		    p->nlines) == -1) {
			printf("%s: missing counter %s (%s): add \"%s%s\"\n",
			    p->path, worker_counter_names[k],
			    worker_counter_descs[k], MAC_COUNTER,
			    worker_counter_names[k]);
			bad++;
		}
	for (i = 0; i < p->nlines; i++) {
		if (line_arg(p->lines[i], MAC_COUNTER, arg, sizeof(arg)) != 0)
			continue;
		for (k = 0; k < WCTR_MAX; k++)
			if (strcmp(worker_counter_names[k], arg) == 0)
				break;
		if (k == WCTR_MAX) {
			printf("%s:%zu: %s is no counter of shoald\n",
			    p->path, i + 1, arg);
			bad++;
		}
	}
	return bad;
}
