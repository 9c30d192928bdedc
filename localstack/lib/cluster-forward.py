#!/usr/bin/env python3
"""TCP forwarder for the multi-node test cluster (localstack/lib/cluster).

Listens on the cluster bridge's address only (never 0.0.0.0, never an outside interface) and forwards each
connection to the same port on 127.0.0.1, where moto and DynamoDB Local listen. The cluster's hosts live in their
own network namespaces and cannot reach the machine's loopback; this is how they reach the AWS endpoints.

usage: cluster-forward.py BIND_ADDRESS PORT [PORT...]
"""
import asyncio
import errno
import sys


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


def handler(port):
    async def handle(client_reader, client_writer):
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, upstream_writer), pipe(upstream_reader, client_writer))

    return handle


async def main(bind, ports):
    servers = []
    for p in ports:
        try:
            servers.append(await asyncio.start_server(handler(p), bind, p, reuse_address=True))
            print(f"forwarding {bind}:{p} -> 127.0.0.1:{p}", flush=True)
        except OSError as e:
            if e.errno != errno.EADDRINUSE:
                raise
            # The server listens on every address already (DynamoDB Local binds *:8000): the bridge reaches it as is.
            print(f"{bind}:{p} is already served (a wildcard listener); not forwarded", flush=True)
    if not servers:
        await asyncio.Event().wait()  # nothing to forward; stay up so localstack/up sees its forwarder running
    await asyncio.gather(*(s.serve_forever() for s in servers))


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit("usage: cluster-forward.py BIND_ADDRESS PORT [PORT...]")
    asyncio.run(main(sys.argv[1], [int(p) for p in sys.argv[2:]]))
