/*
 * Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
 */
#ifndef SHOAL_CTL_CONSOLE_H
#define SHOAL_CTL_CONSOLE_H

/*
 * dnsdist's console protocol (libconsole.a: ctl/console_client.c), used
 * by the server in the master (master/console.c) and by the client
 * (shoald -c, shoalctl console).
 *
 * A connection opens with a random 24-byte nonce from each side, the
 * client's first. Every message after that is a 4-byte big-endian length
 * and that many bytes of crypto_secretbox (XSalsa20-Poly1305: a 16-byte
 * MAC, then the text) under the 32-byte key of setKey(). Each direction
 * has its own nonce, the first half of the reader's and the second half
 * of the writer's; the writer and the reader increment it after every
 * message (its first 4 bytes as a big-endian counter). Every reply is
 * such a box, an empty text too (a box of the MAC alone); only a
 * message of length 0 from the client, which dnsdist allows as a ping,
 * gets the length 0 back. Those move no nonce.
 */

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

#include "shared/conf/conf.h"

#define CONSOLE_KEY_BYTES	32
#define CONSOLE_NONCE_BYTES	24
#define CONSOLE_MAC_BYTES	16
#define CONSOLE_LEN_BYTES	4
#define CONSOLE_PORT		5199
#define CONSOLE_CMD_MAX		(64 * 1024)	/* box bytes of a command */
#define CONSOLE_REPLY_MAX	(4 * 1024 * 1024) /* text bytes of a reply */

struct console_crypto {
	uint8_t		 key[CONSOLE_KEY_BYTES];
	uint8_t		 rx[CONSOLE_NONCE_BYTES];	/* next message read */
	uint8_t		 tx[CONSOLE_NONCE_BYTES];	/* next one written */
};

/* Sets up both directions from the key, our nonce and the peer's. */
void	 console_crypto_init(struct console_crypto *, const uint8_t *,
	    const uint8_t *, const uint8_t *);
/* Wipes the key and the nonces. */
void	 console_crypto_wipe(struct console_crypto *);
/* Adds one to the nonce's first 4 bytes, big endian, wrapping. */
void	 console_nonce_incr(uint8_t *);
/* Bytes of the message console_seal() makes of len bytes of text. */
size_t	 console_sealed_len(size_t);
/*
 * Writes the message (length, MAC, ciphertext) of the text, which may
 * be empty, into out and moves the tx nonce on. Returns its size, or 0
 * when out is too small or the text over CONSOLE_REPLY_MAX.
 */
size_t	 console_seal(struct console_crypto *, const void *, size_t,
	    uint8_t *, size_t);
/*
 * Looks for one whole message at the start of buf: 0 when more bytes
 * are needed, -1 when its length is over max or shorter than a MAC,
 * else the message's size (CONSOLE_LEN_BYTES + *boxlen); the box starts
 * at buf + CONSOLE_LEN_BYTES.
 */
ssize_t	 console_frame(const uint8_t *, size_t, size_t, size_t *);
/*
 * Opens a box of boxlen (>= CONSOLE_MAC_BYTES) bytes into out, which has
 * room for boxlen - CONSOLE_MAC_BYTES bytes, and moves the rx nonce on.
 * 0, or -1 for a box that is not ours (wrong key, nonce or bytes).
 */
int	 console_unseal(struct console_crypto *, const uint8_t *, size_t,
	    uint8_t *);

/*
 * The client: connects to addr, then sends each line of standard input
 * (read with line editing and history when it is a terminal) and
 * prints the reply. Returns the exit status.
 */
int	 console_client(const struct sockaddr_x *, const uint8_t *);
/*
 * The client for a loaded configuration: its controlSocket (or addr,
 * "IP[:PORT]", when not NULL) and its setKey. Returns the exit status.
 */
int	 console_client_conf(const struct conf *, const char *);
/*
 * shoalctl console [-C FILE] [ADDR]: loads FILE (default defconf) for
 * the key and address, then runs the client. argv[0] is "console".
 */
int	 console_client_main(int, char **, const char *);

#endif
