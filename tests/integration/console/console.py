#!/usr/bin/env python3
#
# Copyright (c) 2026 The shoal authors. ISC licence: see COPYING.
#
# A client of dnsdist's console written from the protocol alone (libnacl,
# Debian's python3-libnacl): the nonce exchange, then length-prefixed
# crypto_secretbox messages, the nonces incremented after each message.
#
#   console.py KEY_B64 ADDR PORT [--source SRC] COMMAND...
#
# sends the commands over one connection and prints each reply followed
# by a line "--". Exit status: 0, 3 when the server closed the
# connection (refused it, or could not decrypt), 2 on a usage error.

import argparse
import base64
import os
import socket
import struct
import sys

import libnacl
import libnacl.utils

NONCE = 24
HALF = NONCE // 2


class Closed(Exception):
    pass


def incr(nonce):
    """The first 4 bytes as a big-endian counter, plus one."""
    n = (struct.unpack("!I", nonce[:4])[0] + 1) & 0xffffffff
    return struct.pack("!I", n) + nonce[4:]


def recv_all(sock, n):
    data = b""
    while len(data) < n:
        chunk = sock.recv(n - len(data))
        if not chunk:
            raise Closed()
        data += chunk
    return data


class Console:
    def __init__(self, key, addr, port, source=None, timeout=15):
        self.key = key
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.settimeout(timeout)
        if source:
            self.sock.bind((source, 0))
        self.sock.connect((addr, port))
        ours = libnacl.utils.rand_nonce()
        try:
            self.sock.sendall(ours)
            theirs = recv_all(self.sock, NONCE)
        except (ConnectionResetError, BrokenPipeError):
            raise Closed()
        self.rx = ours[:HALF] + theirs[HALF:]
        self.tx = theirs[:HALF] + ours[HALF:]

    def command(self, text):
        box = libnacl.crypto_secretbox(text.encode(), self.tx, self.key)
        self.tx = incr(self.tx)
        try:
            self.sock.sendall(struct.pack("!I", len(box)) + box)
            (n,) = struct.unpack("!I", recv_all(self.sock, 4))
            reply = recv_all(self.sock, n)
        except (ConnectionResetError, BrokenPipeError):
            raise Closed()
        if n == 0:
            return ""
        plain = libnacl.crypto_secretbox_open(reply, self.rx, self.key)
        self.rx = incr(self.rx)
        return plain.decode()

    def close(self):
        self.sock.close()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("key")
    ap.add_argument("addr")
    ap.add_argument("port", type=int)
    ap.add_argument("--source")
    ap.add_argument("commands", nargs="+")
    args = ap.parse_args()
    key = base64.b64decode(args.key)
    try:
        c = Console(key, args.addr, args.port, args.source)
        for cmd in args.commands:
            sys.stdout.write(c.command(cmd))
            sys.stdout.write("--\n")
            sys.stdout.flush()
        c.close()
    except Closed:
        print("closed by the server")
        return 3
    return 0


if __name__ == "__main__":
    sys.exit(main())
