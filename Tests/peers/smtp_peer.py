#!/usr/bin/env python3
"""A loopback SMTP server (aiosmtpd) for the email sink's tests.

Usage: smtp_peer.py DIR [--tls starttls|implicit|none] [--auth USER:PASSWORD]
                        [--mechanisms LOGIN,PLAIN] [--reply STAGE=CODE[,CODE...]] ...

--tls starttls (the default) offers STARTTLS and refuses MAIL and AUTH before it;
implicit speaks TLS from the first byte (smtps); none offers no TLS at all. The
certificate is made at start-up for 127.0.0.1 and written to DIR/cert.pem, which
the tests use as the CA file.
--auth requires AUTH with that user and password (PLAIN and LOGIN unless --mechanisms
says otherwise); a wrong password gets 535.
--mute accepts connections and never answers (for timeouts).
--reply STAGE=CODES scripts the answers to MAIL, RCPT or DATA: each command of that
stage gets the next code of the list, then the normal 250; a code ending in `*`
answers every later command too (RCPT=550* rejects every recipient).

Every command the server sees is appended to DIR/events.jsonl ({"command", "tls"}),
before it is answered. Every accepted message is parsed with Python's `email`
package and appended to DIR/messages.jsonl before the final 250 is sent, so a test
can read both files as soon as its delivery returns. Prints `PORT <n>` when ready."""
import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl
import subprocess

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

parser = argparse.ArgumentParser()
parser.add_argument("dir")
parser.add_argument("--tls", choices=["starttls", "implicit", "none"], default="starttls")
parser.add_argument("--auth")
parser.add_argument("--mechanisms")
parser.add_argument("--reply", action="append", default=[])
parser.add_argument("--mute", action="store_true", help="accept connections and never say anything")
options = parser.parse_args()

replies = {}
for entry in options.reply:
    stage, codes = entry.split("=", 1)
    replies[stage.upper()] = codes.split(",")


def scripted(stage):
    """The next scripted reply for `stage`, or None for the normal answer."""
    codes = replies.get(stage)
    if not codes:
        return None
    code = codes[0]
    if code.endswith("*"):
        return code[:-1]
    codes.pop(0)
    return code


texts = {"421": "4.3.0 try again later", "450": "4.2.0 mailbox busy", "451": "4.3.0 local problem, try later",
         "452": "4.3.1 insufficient storage", "550": "5.1.1 no such mailbox", "552": "5.3.4 message too big",
         "554": "5.7.1 message refused"}


def answer(code):
    return f"{code} {texts.get(code, 'scripted reply')}"


def append(name, entry):
    with open(os.path.join(options.dir, name), "a") as out:
        out.write(json.dumps(entry) + "\n")
        out.flush()


def make_certificate():
    cert = os.path.join(options.dir, "cert.pem")
    key = os.path.join(options.dir, "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", key, "-out", cert, "-days", "2", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    return context


def describe(message_bytes, envelope, session):
    """The message as the tests check it: envelope, headers, MIME parts, line lengths."""
    message = email.message_from_bytes(message_bytes, policy=email.policy.default)
    lines = message_bytes.split(b"\r\n")
    header_end = lines.index(b"") if b"" in lines else len(lines)
    parts = []
    for part in message.walk():
        if part.is_multipart():
            continue
        parts.append({"type": part.get_content_type(), "charset": part.get_content_charset(),
                      "encoding": part.get("Content-Transfer-Encoding"), "content": part.get_content()})
    return {
        "mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos,
        "tls": session.ssl is not None, "login": session.login_data.decode() if session.login_data else None,
        "headers": {name: str(value) for name, value in message.items()},
        "raw_headers": [line.decode("ascii", "replace") for line in lines[:header_end]],
        "content_type": message.get_content_type(),
        "parts": parts,
        "max_line": max(len(line) for line in lines),
        "bare_lf": b"\n" in message_bytes.replace(b"\r\n", b""),
        "ascii": all(byte < 128 for byte in message_bytes),
        "defects": [type(defect).__name__ for defect in message.defects],
    }


class Handler:
    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        reply = scripted("MAIL")
        if reply:
            return answer(reply)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        reply = scripted("RCPT")
        if reply:
            return answer(reply)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        reply = scripted("DATA")
        if reply:
            return answer(reply)
        append("messages.jsonl", describe(envelope.original_content, envelope, session))
        return "250 2.0.0 stored"


def authenticator(server, session, envelope, mechanism, auth_data):
    user, password = options.auth.split(":", 1)
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == user.encode() and auth_data.password == password.encode()
    append("events.jsonl", {"command": "AUTH-RESULT", "mechanism": mechanism, "ok": ok, "tls": session.ssl is not None})
    # handled=False: aiosmtpd then answers 535 itself.
    return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


class LoggingSMTP(SMTP):
    """Records each command (never its argument) with whether TLS was on at that point."""

    async def _log_then(self, command, method, arg):
        append("events.jsonl", {"command": command, "tls": self.session.ssl is not None})
        return await method(arg)

    async def smtp_EHLO(self, arg):
        return await self._log_then("EHLO", super().smtp_EHLO, arg)

    async def smtp_STARTTLS(self, arg):
        return await self._log_then("STARTTLS", super().smtp_STARTTLS, arg)

    async def smtp_AUTH(self, arg):
        return await self._log_then("AUTH", super().smtp_AUTH, arg)

    async def smtp_MAIL(self, arg):
        return await self._log_then("MAIL", super().smtp_MAIL, arg)

    async def smtp_RCPT(self, arg):
        return await self._log_then("RCPT", super().smtp_RCPT, arg)

    async def smtp_DATA(self, arg):
        return await self._log_then("DATA", super().smtp_DATA, arg)


async def mute(reader, writer):
    await asyncio.sleep(3600)


async def main():
    if options.mute:
        server = await asyncio.start_server(mute, "127.0.0.1", 0)
        print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
        await server.serve_forever()
    context = make_certificate() if options.tls != "none" else None
    excluded = []
    if options.mechanisms:
        wanted = options.mechanisms.upper().split(",")
        excluded = [name for name in ("PLAIN", "LOGIN") if name not in wanted]

    def factory():
        smtp = LoggingSMTP(
            Handler(), hostname="peer.test",
            tls_context=context if options.tls == "starttls" else None,
            require_starttls=options.tls == "starttls",
            auth_required=options.auth is not None,
            # Implicit TLS is TLS from the start: aiosmtpd only knows STARTTLS as TLS.
            auth_require_tls=options.tls == "starttls",
            authenticator=authenticator if options.auth else None,
            auth_exclude_mechanism=excluded)
        if options.tls == "implicit":
            # aiosmtpd notes TLS only after STARTTLS; mark implicit TLS sessions for the log.
            made = smtp.connection_made

            def connection_made(transport):
                made(transport)
                smtp.session.ssl = transport.get_extra_info("ssl_object") and {"implicit": True}
            smtp.connection_made = connection_made
        return smtp

    loop = asyncio.get_running_loop()
    server = await loop.create_server(factory, "127.0.0.1", 0, ssl=context if options.tls == "implicit" else None)
    print(f"PORT {server.sockets[0].getsockname()[1]}", flush=True)
    await server.serve_forever()


asyncio.run(main())
