/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
/*
 * Fuzz harness for the console's framing (ctl/console_client.c), as the
 * server in the master reads a client's bytes: a bounded input buffer
 * filled in chunks, messages cut with console_frame() and opened with
 * console_unseal(). The first byte chooses how the rest is read:
 *
 * - even: raw bytes from an unknown client. The first 24 are its nonce,
 *   the rest arrives in chunks whose sizes come from the input. Every
 *   message cut must respect the limits; none may open (the fuzzer does
 *   not know the key), and the first that does not ends the connection.
 * - odd: a well-behaved client. The rest is a list of texts (a length
 *   byte, then the text) that a client sealed with the key; one byte
 *   chosen by the input may be flipped on the way. Every message must be
 *   cut whole and open to its text, in order, with the nonces of both
 *   sides in step (each reply opens at the client), until the flipped
 *   one, which must not open.
 */
#include "config.h"

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "ctl/console.h"

#define FUZZ_ASSERT(x)	do { if (!(x)) abort(); } while (0)
#define IN_MAX		(CONSOLE_LEN_BYTES + CONSOLE_CMD_MAX)
#define TEXTS_MAX	64
#define STREAM_MAX	(TEXTS_MAX * (CONSOLE_LEN_BYTES + \
			    CONSOLE_MAC_BYTES + 255))

struct rx {
	uint8_t		 in[IN_MAX];
	size_t		 inlen;
	int		 closed;
};

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void	 fuzz_raw(const uint8_t *, size_t);
static void	 fuzz_client(const uint8_t *, size_t);
static size_t	 rx_feed(struct rx *, const uint8_t *, size_t);
static ssize_t	 rx_next(struct rx *, size_t *);
static void	 rx_consume(struct rx *, size_t);
static void	 keys(uint8_t *, uint8_t *, uint8_t *);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int	 init;

	if (!init) {
		FUZZ_ASSERT(sodium_init() != -1);
		init = 1;
	}
	if (size < 1)
		return 0;
	if (data[0] & 1)
		fuzz_client(data + 1, size - 1);
	else
		fuzz_raw(data + 1, size - 1);
	return 0;
}

/* A fixed key and server nonce; the client's nonce from the input. */
static void
keys(uint8_t *key, uint8_t *snonce, uint8_t *cnonce)
{
	memset(key, 0x42, CONSOLE_KEY_BYTES);
	memset(snonce, 0x17, CONSOLE_NONCE_BYTES);
	if (cnonce != NULL)
		memset(cnonce, 0x99, CONSOLE_NONCE_BYTES);
}

static void
fuzz_raw(const uint8_t *p, size_t len)
{
	static struct rx	 rx;
	struct console_crypto	 srv;
	uint8_t			 key[CONSOLE_KEY_BYTES];
	uint8_t			 sn[CONSOLE_NONCE_BYTES];
	uint8_t			 before[CONSOLE_NONCE_BYTES];
	uint8_t			*text;
	size_t			 chunk, used, boxlen;
	ssize_t			 n;

	if (len < CONSOLE_NONCE_BYTES + 1)
		return;
	keys(key, sn, NULL);
	console_crypto_init(&srv, key, sn, p);
	p += CONSOLE_NONCE_BYTES;
	len -= CONSOLE_NONCE_BYTES;
	rx.inlen = 0;
	rx.closed = 0;
	while (len > 1 && !rx.closed) {
		/* One byte of chunk size, then that many bytes of stream. */
		chunk = (size_t)p[0] * 37 + 1;
		p++;
		len--;
		if (chunk > len)
			chunk = len;
		used = rx_feed(&rx, p, chunk);
		FUZZ_ASSERT(used <= chunk);
		p += chunk;
		len -= chunk;
		while (!rx.closed && (n = rx_next(&rx, &boxlen)) != 0) {
			if (n == -1) {
				rx.closed = 1;
				break;
			}
			FUZZ_ASSERT((size_t)n == CONSOLE_LEN_BYTES + boxlen);
			FUZZ_ASSERT(boxlen <= CONSOLE_CMD_MAX);
			FUZZ_ASSERT(boxlen == 0 ||
			    boxlen >= CONSOLE_MAC_BYTES);
			if (boxlen > 0) {
				text = malloc(boxlen - CONSOLE_MAC_BYTES + 1);
				FUZZ_ASSERT(text != NULL);
				memcpy(before, srv.rx, sizeof(before));
				/* Forging a box is not the fuzzer's to find. */
				FUZZ_ASSERT(console_unseal(&srv, rx.in +
				    CONSOLE_LEN_BYTES, boxlen, text) == -1);
				FUZZ_ASSERT(memcmp(before, srv.rx,
				    sizeof(before)) == 0);
				free(text);
				rx.closed = 1;
				break;
			}
			rx_consume(&rx, (size_t)n);
		}
		/* A full buffer always holds a whole message or an error. */
		FUZZ_ASSERT(rx.closed || rx.inlen < IN_MAX);
	}
	console_crypto_wipe(&srv);
}

static void
fuzz_client(const uint8_t *p, size_t len)
{
	static struct rx	 rx;
	static uint8_t		 stream[STREAM_MAX];
	struct console_crypto	 cli, srv;
	const uint8_t		*texts[TEXTS_MAX];
	uint8_t			 key[CONSOLE_KEY_BYTES];
	uint8_t			 sn[CONSOLE_NONCE_BYTES];
	uint8_t			 cn[CONSOLE_NONCE_BYTES];
	uint8_t			 plain[CONSOLE_CMD_MAX], reply[300];
	size_t			 lens[TEXTS_MAX], ends[TEXTS_MAX];
	size_t			 ntexts = 0, slen = 0, flip, off, chunk, i;
	size_t			 boxlen, m;
	ssize_t			 n;
	int			 flipped = 0;

	if (len < 3)
		return;
	/* Two bytes: where a bit is flipped (past the end: nowhere). */
	flip = (size_t)p[0] << 8 | p[1];
	p += 2;
	len -= 2;
	keys(key, sn, cn);
	console_crypto_init(&cli, key, cn, sn);
	console_crypto_init(&srv, key, sn, cn);
	while (len > 0 && ntexts < TEXTS_MAX) {
		lens[ntexts] = p[0] < len - 1 ? p[0] : len - 1;
		texts[ntexts] = p + 1;
		m = console_seal(&cli, texts[ntexts], lens[ntexts],
		    stream + slen, sizeof(stream) - slen);
		FUZZ_ASSERT(m == console_sealed_len(lens[ntexts]));
		slen += m;
		ends[ntexts++] = slen;
		p += 1 + lens[ntexts - 1];
		len -= 1 + lens[ntexts - 1];
	}
	if (flip < slen) {
		stream[flip] ^= 0x01;
		flipped = 1;
	}
	/* Fed in chunks of 1, 2, 3 ... bytes: every cut is exercised. */
	rx.inlen = 0;
	rx.closed = 0;
	i = 0;
	for (off = 0, chunk = 1; off < slen && !rx.closed; chunk++) {
		if (chunk > slen - off)
			chunk = slen - off;
		FUZZ_ASSERT(rx_feed(&rx, stream + off, chunk) == chunk);
		off += chunk;
		while (!rx.closed && (n = rx_next(&rx, &boxlen)) != 0) {
			FUZZ_ASSERT(i < ntexts);
			if (n == -1 || console_unseal(&srv, rx.in +
			    CONSOLE_LEN_BYTES, boxlen, plain) == -1) {
				/* Only the flipped message may fail. */
				FUZZ_ASSERT(flipped && flip < ends[i] &&
				    (i == 0 || flip >= ends[i - 1]));
				rx.closed = 1;
				break;
			}
			FUZZ_ASSERT(boxlen == lens[i] + CONSOLE_MAC_BYTES);
			FUZZ_ASSERT(memcmp(plain, texts[i], lens[i]) == 0);
			/* The reply goes back and opens at the client. */
			m = console_seal(&srv, plain, lens[i], reply,
			    sizeof(reply));
			FUZZ_ASSERT(m == console_sealed_len(lens[i]));
			FUZZ_ASSERT(console_unseal(&cli, reply +
			    CONSOLE_LEN_BYTES, m - CONSOLE_LEN_BYTES,
			    plain) == 0);
			FUZZ_ASSERT(memcmp(plain, texts[i], lens[i]) == 0);
			rx_consume(&rx, (size_t)n);
			i++;
		}
	}
	/*
	 * Untouched, everything arrived; flipped, it stopped there, or a
	 * length made larger still waits for bytes that never come.
	 */
	FUZZ_ASSERT(flipped ? rx.closed || rx.inlen > 0 :
	    i == ntexts && rx.inlen == 0);
	FUZZ_ASSERT(memcmp(cli.tx, srv.rx, CONSOLE_NONCE_BYTES) == 0 ||
	    flipped);
	FUZZ_ASSERT(memcmp(srv.tx, cli.rx, CONSOLE_NONCE_BYTES) == 0);
	console_crypto_wipe(&cli);
	console_crypto_wipe(&srv);
}

/* Appends what fits in the buffer, as one read() would. */
static size_t
rx_feed(struct rx *rx, const uint8_t *p, size_t len)
{
	size_t	 n = IN_MAX - rx->inlen;

	if (n > len)
		n = len;
	memcpy(rx->in + rx->inlen, p, n);
	rx->inlen += n;
	return n;
}

static ssize_t
rx_next(struct rx *rx, size_t *boxlen)
{
	return console_frame(rx->in, rx->inlen, CONSOLE_CMD_MAX, boxlen);
}

static void
rx_consume(struct rx *rx, size_t n)
{
	FUZZ_ASSERT(n <= rx->inlen);
	memmove(rx->in, rx->in + n, rx->inlen - n);
	rx->inlen -= n;
}
