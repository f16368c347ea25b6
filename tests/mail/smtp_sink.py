"""An SMTP server on 127.0.0.1 for Weerbaar's mail tests (aiosmtpd from PyPI).

Every accepted mail is written to DIR as <n>.eml: the envelope recipients on the first
line ("X-Rcpt-To: a, b"), the decoded subject ("Subject: ..."), the decoded text of each
part, and then the message as received (so that what is checked is what people read,
whatever the transfer encoding). With --refuse N the first N
mails are refused with "451 4.3.0 tijdelijk niet beschikbaar", so the sender retries.
Prints "ready <port>" once it listens, and serves until it is killed.

    python smtp_sink.py --port 0 --dir /tmp/mails [--refuse 2]
"""

import argparse
import asyncio
import email
import email.policy
import itertools
import os
import socket
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, folder, refuse):
        self.folder = folder
        self.refuse = refuse
        self.count = itertools.count(1)

    async def handle_DATA(self, server, session, envelope):
        if self.refuse > 0:
            self.refuse -= 1
            return "451 4.3.0 tijdelijk niet beschikbaar"
        number = next(self.count)
        path = os.path.join(self.folder, f"{number:05d}.eml")
        partial = path + ".part"
        with open(partial, "wb") as out:
            out.write(("X-Rcpt-To: " + ", ".join(envelope.rcpt_tos) + "\r\n").encode())
            raw = envelope.original_content or envelope.content
            message = email.message_from_bytes(raw, policy=email.policy.default)
            out.write(("Subject: " + str(message["subject"]) + "\r\n").encode())
            for part in message.walk():
                if part.get_content_maintype() == "text":
                    out.write(part.get_content().encode())
                    out.write(b"\r\n")
            out.write(b"\r\n-- raw --\r\n")
            out.write(raw)
        os.rename(partial, path)
        return "250 OK"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--refuse", type=int, default=0)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    port = args.port or free_port()
    controller = Controller(Sink(args.dir, args.refuse), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"ready {port}", flush=True)
    try:
        asyncio.run(asyncio.Event().wait())
    finally:
        controller.stop()


if __name__ == "__main__":
    sys.exit(main())
