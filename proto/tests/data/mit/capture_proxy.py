#!/usr/bin/python3
"""Tiny TCP relay that records every Kerberos message it forwards.

Usage: capture_proxy.py LISTEN_PORT KDC_PORT OUT_DIR

Each message (TCP record marking removed) is written to OUT_DIR as
NNN-<direction>.der, where direction is "req" (client to KDC) or "rep".
Only loopback addresses are used. Stops when OUT_DIR/stop exists.
"""
import os
import socket
import struct
import sys
import threading

listen_port, kdc_port, out_dir = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
counter = [0]
lock = threading.Lock()


def read_exact(sock, n):
    buf = b""
    while len(buf) < n:
        chunk = sock.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def read_record(sock):
    head = read_exact(sock, 4)
    if head is None:
        return None
    (length,) = struct.unpack(">I", head)
    return read_exact(sock, length)


def save(direction, data):
    with lock:
        counter[0] += 1
        name = "%03d-%s.der" % (counter[0], direction)
    with open(os.path.join(out_dir, name), "wb") as f:
        f.write(data)


def handle(client):
    kdc = socket.create_connection(("127.0.0.1", kdc_port))
    try:
        req = read_record(client)
        if req is None:
            return
        save("req", req)
        kdc.sendall(struct.pack(">I", len(req)) + req)
        rep = read_record(kdc)
        if rep is None:
            return
        save("rep", rep)
        client.sendall(struct.pack(">I", len(rep)) + rep)
    finally:
        kdc.close()
        client.close()


srv = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen_port))
srv.listen(8)
srv.settimeout(0.5)
while not os.path.exists(os.path.join(out_dir, "stop")):
    try:
        conn, _ = srv.accept()
    except socket.timeout:
        continue
    handle(conn)
