#!/usr/bin/python3
"""A GSS-API exchange through Heimdal's libgssapi (ctypes, no bindings).

Usage: heimdal_both.py LIBGSSAPI SERVICE EXPECTED_CLIENT [COUNT]

Initiator and acceptor in one process, COUNT times (default 1): the
initiator takes the TGT from KRB5CCNAME (the first run asks the KDC for the
service ticket), the acceptor uses KRB5_KTNAME. Mutual authentication, then
gss_wrap/gss_unwrap both ways (sealed) and a MIC check. Prints one line per
exchange: "OK <client name> <flags hex> <AP-REQ token length>", or an "ERR"
line and exit status 1.
"""
import ctypes
import sys

lib_path, service, expected_client = sys.argv[1], sys.argv[2], sys.argv[3]
count = int(sys.argv[4]) if len(sys.argv) > 4 else 1
gss = ctypes.CDLL(lib_path)

OM_uint32 = ctypes.c_uint32
c_void_p = ctypes.c_void_p


class Buffer(ctypes.Structure):
    _fields_ = [("length", ctypes.c_size_t), ("value", c_void_p)]


class Oid(ctypes.Structure):
    _fields_ = [("length", OM_uint32), ("elements", c_void_p)]


def oid(der_body):
    raw = ctypes.create_string_buffer(der_body, len(der_body))
    o = Oid(len(der_body), ctypes.cast(raw, c_void_p))
    o._keep = raw
    return o


# 1.2.840.113554.1.2.1.4 (host-based service name), 1.2.840.113554.1.2.2 (krb5)
NT_HOSTBASED = oid(b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x01\x04")
MECH_KRB5 = oid(b"\x2a\x86\x48\x86\xf7\x12\x01\x02\x02")

MUTUAL, REPLAY, SEQUENCE, CONF, INTEG = 2, 4, 8, 16, 32
CONTINUE_NEEDED = 1
P = ctypes.POINTER

gss.gss_import_name.argtypes = [P(OM_uint32), P(Buffer), P(Oid), P(c_void_p)]
gss.gss_init_sec_context.argtypes = [
    P(OM_uint32), c_void_p, P(c_void_p), c_void_p, P(Oid), OM_uint32, OM_uint32,
    c_void_p, P(Buffer), P(c_void_p), P(Buffer), P(OM_uint32), P(OM_uint32)]
gss.gss_accept_sec_context.argtypes = [
    P(OM_uint32), P(c_void_p), c_void_p, P(Buffer), c_void_p, P(c_void_p),
    P(c_void_p), P(Buffer), P(OM_uint32), P(OM_uint32), P(c_void_p)]
gss.gss_display_name.argtypes = [P(OM_uint32), c_void_p, P(Buffer), P(c_void_p)]
gss.gss_wrap.argtypes = [P(OM_uint32), c_void_p, ctypes.c_int, OM_uint32,
                         P(Buffer), P(ctypes.c_int), P(Buffer)]
gss.gss_unwrap.argtypes = [P(OM_uint32), c_void_p, P(Buffer), P(Buffer),
                           P(ctypes.c_int), P(OM_uint32)]
gss.gss_get_mic.argtypes = [P(OM_uint32), c_void_p, OM_uint32, P(Buffer), P(Buffer)]
gss.gss_verify_mic.argtypes = [P(OM_uint32), c_void_p, P(Buffer), P(Buffer), P(OM_uint32)]
gss.gss_release_buffer.argtypes = [P(OM_uint32), P(Buffer)]
gss.gss_release_name.argtypes = [P(OM_uint32), P(c_void_p)]
gss.gss_delete_sec_context.argtypes = [P(OM_uint32), P(c_void_p), P(Buffer)]
gss.gss_display_status.argtypes = [P(OM_uint32), OM_uint32, ctypes.c_int, P(Oid),
                                   P(OM_uint32), P(Buffer)]
for f in ("gss_import_name", "gss_init_sec_context", "gss_accept_sec_context",
          "gss_display_name", "gss_wrap", "gss_unwrap", "gss_get_mic",
          "gss_verify_mic", "gss_release_buffer", "gss_release_name",
          "gss_delete_sec_context", "gss_display_status"):
    getattr(gss, f).restype = OM_uint32


def status_text(code, kind):
    out, ctx, minor = [], OM_uint32(0), OM_uint32(0)
    while True:
        buf = Buffer()
        gss.gss_display_status(ctypes.byref(minor), code, kind, None,
                               ctypes.byref(ctx), ctypes.byref(buf))
        out.append(ctypes.string_at(buf.value, buf.length).decode(errors="replace"))
        gss.gss_release_buffer(ctypes.byref(minor), ctypes.byref(buf))
        if ctx.value == 0:
            return "; ".join(out)


def check(what, major, minor):
    if major & 0xFFFF0000:
        print("ERR %s: %s (%s)" % (what, status_text(major, 1),
                                   status_text(minor.value, 2)), flush=True)
        sys.exit(1)


def take(buf):
    data = ctypes.string_at(buf.value, buf.length) if buf.length else b""
    minor = OM_uint32(0)
    gss.gss_release_buffer(ctypes.byref(minor), ctypes.byref(buf))
    return data


def inbuf(data):
    raw = ctypes.create_string_buffer(data, len(data))
    b = Buffer(len(data), ctypes.cast(raw, c_void_p))
    b._keep = raw
    return b


def protect(what, sender, receiver, message):
    minor = OM_uint32(0)
    conf, out = ctypes.c_int(0), Buffer()
    check(what + " wrap", gss.gss_wrap(ctypes.byref(minor), sender, 1, 0,
                                       ctypes.byref(inbuf(message)), ctypes.byref(conf),
                                       ctypes.byref(out)), minor)
    token = take(out)
    if conf.value != 1 or message in token:
        print("ERR %s: wrap did not seal" % what, flush=True)
        sys.exit(1)
    plain, conf2, qop = Buffer(), ctypes.c_int(0), OM_uint32(0)
    check(what + " unwrap", gss.gss_unwrap(ctypes.byref(minor), receiver,
                                           ctypes.byref(inbuf(token)), ctypes.byref(plain),
                                           ctypes.byref(conf2), ctypes.byref(qop)), minor)
    if take(plain) != message or conf2.value != 1:
        print("ERR %s: unwrap gave something else" % what, flush=True)
        sys.exit(1)
    mic = Buffer()
    check(what + " get_mic", gss.gss_get_mic(ctypes.byref(minor), sender, 0,
                                             ctypes.byref(inbuf(message)), ctypes.byref(mic)),
          minor)
    mic_token = take(mic)
    # A changed message must not verify (checked first: the good one then
    # still carries a fresh sequence number).
    bad = gss.gss_verify_mic(ctypes.byref(minor), receiver, ctypes.byref(inbuf(message + b"!")),
                             ctypes.byref(inbuf(mic_token)), None)
    if not bad & 0xFFFF0000:
        print("ERR %s: a changed message verified (%x)" % (what, bad), flush=True)
        sys.exit(1)
    check(what + " verify_mic", gss.gss_verify_mic(ctypes.byref(minor), receiver,
                                                   ctypes.byref(inbuf(message)),
                                                   ctypes.byref(inbuf(mic_token)), None), minor)


def exchange(i):
    minor = OM_uint32(0)
    target = c_void_p()
    check("import_name", gss.gss_import_name(ctypes.byref(minor),
                                             ctypes.byref(inbuf(service.encode())),
                                             ctypes.byref(NT_HOSTBASED), ctypes.byref(target)),
          minor)
    ictx, actx = c_void_p(), c_void_p()
    want = MUTUAL | REPLAY | SEQUENCE | CONF | INTEG
    out, iflags, t = Buffer(), OM_uint32(0), OM_uint32(0)
    major = gss.gss_init_sec_context(ctypes.byref(minor), None, ctypes.byref(ictx), target,
                                     ctypes.byref(MECH_KRB5), want, 0, None, None, None,
                                     ctypes.byref(out), ctypes.byref(iflags), ctypes.byref(t))
    check("init_sec_context", major, minor)
    if major != CONTINUE_NEEDED:
        print("ERR init_sec_context: mutual auth did not ask for a reply", flush=True)
        sys.exit(1)
    token1 = take(out)
    src, out2, aflags, deleg = c_void_p(), Buffer(), OM_uint32(0), c_void_p()
    major = gss.gss_accept_sec_context(ctypes.byref(minor), ctypes.byref(actx), None,
                                       ctypes.byref(inbuf(token1)), None, ctypes.byref(src),
                                       None, ctypes.byref(out2), ctypes.byref(aflags),
                                       ctypes.byref(t), ctypes.byref(deleg))
    check("accept_sec_context", major, minor)
    token2 = take(out2)
    if major != 0 or not token2:
        print("ERR accept_sec_context: no AP-REP for mutual auth", flush=True)
        sys.exit(1)
    major = gss.gss_init_sec_context(ctypes.byref(minor), None, ctypes.byref(ictx), target,
                                     ctypes.byref(MECH_KRB5), want, 0, None,
                                     ctypes.byref(inbuf(token2)), None, ctypes.byref(out),
                                     ctypes.byref(iflags), ctypes.byref(t))
    check("init_sec_context (AP-REP)", major, minor)
    take(out)
    if major != 0 or not iflags.value & MUTUAL or not aflags.value & MUTUAL:
        print("ERR mutual authentication not established (%x %x)"
              % (iflags.value, aflags.value), flush=True)
        sys.exit(1)
    name = Buffer()
    check("display_name", gss.gss_display_name(ctypes.byref(minor), src, ctypes.byref(name),
                                               None), minor)
    client = take(name).decode()
    if client != expected_client:
        print("ERR acceptor saw %r, expected %r" % (client, expected_client), flush=True)
        sys.exit(1)
    protect("initiator->acceptor", ictx, actx, b"hello from the initiator %d" % i)
    protect("acceptor->initiator", actx, ictx, b"hello from the acceptor %d" % i)
    for h in (ictx, actx):
        gss.gss_delete_sec_context(ctypes.byref(minor), ctypes.byref(h), None)
    for n in (target, src):
        gss.gss_release_name(ctypes.byref(minor), ctypes.byref(n))
    print("OK %s %x %d" % (client, aflags.value, len(token1)), flush=True)


for i in range(count):
    exchange(i)
