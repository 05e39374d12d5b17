#!/usr/bin/python3
"""GSS-API initiator + acceptor in one process (python3-gssapi).

Writes the raw initiator token (GSS framing + AP-REQ), the acceptor's
reply token (GSS framing + AP-REP), and the bare AP-REQ / AP-REP with the
GSS framing removed (ap-req.der, ap-rep.der) to OUT_DIR. Needs KRB5_CONFIG,
KRB5CCNAME (a ccache holding a TGT) and KRB5_KTNAME (host/localhost keys).
"""
import os
import sys

import gssapi

out_dir = sys.argv[1]
target = gssapi.Name("host@localhost", gssapi.NameType.hostbased_service)
flags = [gssapi.RequirementFlag.mutual_authentication]
init = gssapi.SecurityContext(name=target, usage="initiate", flags=flags)
token = init.step()
with open(os.path.join(out_dir, "gss-init-token.bin"), "wb") as f:
    f.write(token)
acc = gssapi.SecurityContext(usage="accept")
reply = acc.step(token)
with open(os.path.join(out_dir, "gss-accept-token.bin"), "wb") as f:
    f.write(reply)
init.step(reply)


def strip_gss(tok, want_id):
    """Remove the RFC 2743 framing and RFC 1964 TOK_ID; return the Kerberos message."""
    assert tok[0] == 0x60
    i = 1
    if tok[i] & 0x80:
        n = tok[i] & 0x7F
        i += 1 + n
    else:
        i += 1
    assert tok[i] == 0x06
    oid_len = tok[i + 1]
    i += 2 + oid_len
    assert tok[i:i + 2] == want_id, tok[i:i + 2]
    return tok[i + 2:]


with open(os.path.join(out_dir, "ap-req.der"), "wb") as f:
    f.write(strip_gss(token, b"\x01\x00"))
with open(os.path.join(out_dir, "ap-rep.der"), "wb") as f:
    f.write(strip_gss(reply, b"\x02\x00"))
assert init.complete and acc.complete
print("GSS exchange complete; initiator =", acc.initiator_name)
