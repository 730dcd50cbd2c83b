#!/usr/bin/python3
"""Relays one guest connection (this process's stdin/stdout, as QEMU's guestfwd=...-cmd:
gives it) to a TCP server on this host. QEMU starts one relay per connection; a guestfwd to
a tcp: character device instead carries a single connection for the guest's whole life,
and a client that opens a second one (libsmbclient does) waits in vain."""
import os
import select
import socket
import sys


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    server = socket.create_connection((host, port), timeout=10)
    server.settimeout(None)
    guest_in, guest_out = sys.stdin.fileno(), sys.stdout.fileno()
    while True:
        ready, _, _ = select.select([guest_in, server], [], [])
        if guest_in in ready:
            data = os.read(guest_in, 65536)
            if not data:
                server.shutdown(socket.SHUT_WR)
                guest_in = -1
            else:
                server.sendall(data)
        if server in ready:
            data = server.recv(65536)
            if not data:
                return
            while data:
                data = data[os.write(guest_out, data):]
        if guest_in == -1:
            # The guest closed its side: pass on what the server still sends, then stop.
            while True:
                data = server.recv(65536)
                if not data:
                    return
                while data:
                    data = data[os.write(guest_out, data):]


if __name__ == "__main__":
    main()
