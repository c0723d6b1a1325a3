"""A small, fast HTTP server on 127.0.0.1 for the probe bench, run in its own process so that its
CPU time is not counted against the probing process.

`python -m bench.loopback_server [--lifetime SECONDS]` binds 127.0.0.1 on a free port, prints the
port on one line, and answers every request with `200 {"status": "UP"}` on a connection it then
closes (the probes never keep connections alive). It exits when stdin closes (its parent is gone)
or after `--lifetime` seconds, whichever comes first.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import threading

BODY = b'{"status": "UP", "version": "2.4.0"}'
RESPONSE = (
    b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: "
    + str(len(BODY)).encode() + b"\r\nConnection: close\r\n\r\n" + BODY
)
MAX_HEADER = 16 * 1024  # bytes of request head read at most
READ_TIMEOUT = 5.0  # seconds a client may take to send its request


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    try:
        await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), READ_TIMEOUT)
        writer.write(RESPONSE)
        await writer.drain()
    except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, TimeoutError, ConnectionError):
        pass
    finally:
        writer.close()


def _stdin_closed() -> asyncio.Future:
    """Done when stdin reaches EOF; read in a daemon thread, which never holds up exit."""
    loop = asyncio.get_running_loop()
    done = loop.create_future()

    def wait() -> None:
        sys.stdin.buffer.read()
        try:
            loop.call_soon_threadsafe(lambda: done.done() or done.set_result(None))
        except RuntimeError:  # the loop has already ended (lifetime over)
            pass

    threading.Thread(target=wait, name="stdin-watch", daemon=True).start()
    return done


async def serve(lifetime: float) -> None:
    server = await asyncio.start_server(_answer, "127.0.0.1", 0, limit=MAX_HEADER, backlog=1024)
    print(server.sockets[0].getsockname()[1], flush=True)
    async with server:
        try:
            await asyncio.wait_for(_stdin_closed(), lifetime)
        except TimeoutError:
            pass


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifetime", type=float, default=600.0, help="exit after this many seconds")
    args = parser.parse_args()
    try:
        asyncio.run(serve(args.lifetime))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
