#!/usr/bin/python3
"""An MIT GSS-API peer (Debian's python3-gssapi) for Tessera's interop tests.

Usage: mit_peer.py initiate SERVICE@HOST | mit_peer.py accept

Talks over stdin/stdout, one hex-encoded token per line, so a test can put
Tessera on the other side. Environment: KRB5_CONFIG, and KRB5CCNAME (a
ccache with a TGT) to initiate or KRB5_KTNAME (the service keytab) to
accept.

After the context is established both roles run the same per-message
script: send our tokens, then check the peer's tokens, in this order:
  1. Wrap with confidentiality of b"wrap from mit"      -> peer sends its own
  2. MIC over b"mic from mit"                            -> peer sends its own
  3. Wrap without confidentiality of b"clear from mit"   -> peer sends its own
The peer's tokens carry b"wrap from tessera", b"mic from tessera" and
b"clear from tessera". Every step prints a line starting with OK on
success; any failure raises and exits non-zero.
"""
import sys

import gssapi


def send(tok):
    sys.stdout.write(tok.hex() + "\n")
    sys.stdout.flush()


def recv():
    line = sys.stdin.readline()
    if not line:
        raise SystemExit("peer closed the pipe")
    return bytes.fromhex(line.strip())


def say(text):
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main():
    role = sys.argv[1]
    if role == "initiate":
        target = gssapi.Name(sys.argv[2], gssapi.NameType.hostbased_service)
        flags = [
            gssapi.RequirementFlag.mutual_authentication,
            gssapi.RequirementFlag.replay_detection,
            gssapi.RequirementFlag.out_of_sequence_detection,
            gssapi.RequirementFlag.integrity,
            gssapi.RequirementFlag.confidentiality,
        ]
        ctx = gssapi.SecurityContext(name=target, usage="initiate", flags=flags)
        send(ctx.step())
        reply = recv()
        out = ctx.step(reply)
        assert out is None, "unexpected extra token"
        assert ctx.complete, "context not complete after the AP-REP"
        say("OK context complete mutual=%s" % bool(
            ctx.actual_flags & gssapi.RequirementFlag.mutual_authentication))
    elif role == "accept":
        ctx = gssapi.SecurityContext(usage="accept")
        out = ctx.step(recv())
        assert ctx.complete, "context not complete after the AP-REQ"
        send(out if out is not None else b"")
        say("OK accepted %s" % ctx.initiator_name)
    else:
        raise SystemExit("usage: mit_peer.py initiate SERVICE@HOST | accept")

    # Our tokens first.
    send(ctx.wrap(b"wrap from mit", True).message)
    send(ctx.get_signature(b"mic from mit"))
    send(ctx.wrap(b"clear from mit", False).message)

    # Then the peer's.
    res = ctx.unwrap(recv())
    assert res.message == b"wrap from tessera", res.message
    assert res.encrypted, "peer wrap was not encrypted"
    say("OK unwrap sealed")
    ctx.verify_signature(b"mic from tessera", recv())
    say("OK verify_mic")
    res = ctx.unwrap(recv())
    assert res.message == b"clear from tessera", res.message
    assert not res.encrypted, "peer clear wrap was encrypted"
    say("OK unwrap clear")


if __name__ == "__main__":
    main()
