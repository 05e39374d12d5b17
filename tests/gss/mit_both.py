#!/usr/bin/python3
"""MIT GSS-API initiator and acceptor in one process (Debian's python3-gssapi).

Usage: mit_both.py SERVICE@HOST

The initiator uses the ccache in KRB5CCNAME (a TGT from the KDC under
test), the acceptor the keytab in KRB5_KTNAME. Establishes a context with
mutual authentication, then wraps (sealed and clear) and MICs in both
directions. Prints "OK <initiator name>" on success; any failure raises and
exits non-zero.
"""
import sys

import gssapi

F = gssapi.RequirementFlag
target = gssapi.Name(sys.argv[1], gssapi.NameType.hostbased_service)
init = gssapi.SecurityContext(
    name=target,
    usage="initiate",
    flags=[F.mutual_authentication, F.integrity, F.confidentiality, F.out_of_sequence_detection, F.replay_detection],
)
acc = gssapi.SecurityContext(creds=gssapi.Credentials(usage="accept"), usage="accept")

token = init.step()
reply = acc.step(token)
assert reply is not None, "acceptor sent no AP-REP token despite mutual auth"
init.step(reply)
assert init.complete and acc.complete, "context not established"
assert F.mutual_authentication in init.actual_flags, "mutual authentication not granted"

for (src, dst, label) in ((init, acc, b"initiator"), (acc, init, b"acceptor")):
    sealed = src.wrap(b"sealed from " + label, True)
    assert sealed.encrypted
    assert dst.unwrap(sealed.message).message == b"sealed from " + label
    clear = src.wrap(b"clear from " + label, False)
    assert dst.unwrap(clear.message).message == b"clear from " + label
    mic = src.get_signature(b"mic from " + label)
    dst.verify_signature(b"mic from " + label, mic)

print("OK", str(acc.initiator_name))
