#!/usr/bin/python3
"""ldapc.py IMPL [--host H] [--port P] [--user U] [--password P] OP...

LDAP clients for make-samples-v2.sh, all on ONE connection per invocation (the ADSI
shape), against the lab's real Samba DC. Run with /usr/bin/python3 (python3-samba).

IMPL
  ldap3-anon      python ldap3, anonymous simple bind
  ldap3-simple    python ldap3, simple bind as USER@contoso.test (--ldaps --port 636: over
                  LDAPS, the TLS key log written to SSLKEYLOGFILE if set; --starttls: on 389,
                  the StartTLS extended request first, then TLS on the same connection)
  ldap3-ntlm      python ldap3, NTLM bind: ldap3 uses the Sicily bind choices, which Samba 4.17
                  does not implement (it drops the connection), so no scenario uses it
  samba-krb       Samba's python ldb (samba.Ldb) over ldap://, Kerberos via GSS-SPNEGO,
                  sign+seal (Samba's default 'client ldap sasl wrapping = seal')
  samba-ntlm      the same with Kerberos disabled: GSS-SPNEGO NTLMSSP, sign+seal
  impacket-ntlm   impacket's ldap module, GSS-SPNEGO NTLMSSP without sign/seal (LDAP in clear)
  impacket-ntlm-seal  the same with sign+seal (impacket's SPNEGOCipher)
  raw-ntlm-abandon  impacket's NTLMSSP/SPNEGO builders over a raw socket, ADSI-shaped
                  BER (4-byte lengths): bindRequest GSS-SPNEGO NEGOTIATE ->
                  saslBindInProgress + CHALLENGE -> [wait for --hold-file to vanish] ->
                  unbindRequest and close, never AUTHENTICATE
OP (in order, on the same connection)
  rootdse                RootDSE read (prints CONFIG <configurationNamingContext>)
  scp[=BASE]             the EWS SCP search (default base: the RootDSE's config NC)
                         prints URL <sbi> / POINTER <sbi> per entry
  follow                 for each POINTER LDAP://host/DN: the same search with base DN
  site=NAME              the site lookup EWS does (one level under CN=Sites)
  search=BASE|SCOPE|FILTER|ATTR,ATTR   any search (SCOPE base|one|sub)
Exit 0 if every step succeeded, 1 otherwise (bind failure stops the run).
"""
import argparse
import socket
import sys
import time

SCP_FILTER = ("(&(objectClass=serviceConnectionPoint)(|(keywords=67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68)"
              "(keywords=77378F46-2C66-4aa9-A6A6-3E7A48B19596)))")
PTR_GUID = "67661d7f-8fc4-4fa7-bfac-e1d7794c1f68"
URL_GUID = "77378f46-2c66-4aa9-a6a6-3e7a48b19596"
DOMAIN, NETBIOS, REALM = "contoso.test", "CONTOSO", "CONTOSO.TEST"


def out(*a):
    print(*a, flush=True)


def report_entries(entries):
    """entries: list of (dn, keywords, sbi-list). Prints URL/POINTER lines."""
    ptrs = []
    for dn, kws, sbis in entries:
        kl = [k.lower() for k in kws]
        for s in sbis:
            if PTR_GUID in kl:
                out("POINTER", s); ptrs.append(s)
            elif URL_GUID in kl:
                out("URL", s)
        out("ENTRY", dn, "keywords=" + ";".join(kws))
    return ptrs


def run_ops(ops, search):
    """Runs the scenario's operations with one backend's `search(base, scope, filter, attrs)`,
    which returns (ok, [(dn, keywords, serviceBindingInformation, attributes)]). Returns the exit
    code: 0 when every operation succeeded."""
    config = None
    ptrs = []
    rc = 0
    for op in ops:
        name, _, arg = op.partition("=")
        if name == "rootdse":
            ok, ents = search("", "base", "(objectClass=*)", ["configurationNamingContext", "defaultNamingContext", "dnsHostName"])
            if ents:
                attrs = ents[0][3]
                config = str(attrs["configurationNamingContext"][0]) if "configurationNamingContext" in attrs else None
                out("CONFIG", config)
        elif name == "scp":
            ok, ents = search(arg or config, "sub", SCP_FILTER, ["keywords", "serviceBindingInformation"])
            ptrs += report_entries([e[:3] for e in ents])
        elif name == "follow":
            ok = True
            for p in ptrs:
                dn = p.split("/", 3)[3] if p.lower().startswith("ldap://") and p.count("/") >= 3 else ""
                if dn:
                    ok, ents = search(dn, "sub", SCP_FILTER, ["keywords", "serviceBindingInformation"])
                    report_entries([e[:3] for e in ents])
        elif name == "site":
            ok, ents = search("CN=Sites," + (config or "CN=Configuration,DC=contoso,DC=test"), "one",
                              f"(&(objectClass=site)(objectCategory=site)(name={arg}))", ["distinguishedName"])
        elif name == "search":
            base, scope, flt, attrs = arg.split("|")
            ok, ents = search(base, scope, flt, attrs.split(",") if attrs else [])
            for e in ents:
                out("ENTRY", e[0])
        else:
            raise SystemExit(f"unknown op {op}")
        rc |= 0 if ok else 1
    return rc


# ------------------------------------------------------------------ ldap3
def run_ldap3(a, ops):
    import ldap3
    from ldap3 import Server, Connection
    auth = {"ldap3-anon": ldap3.ANONYMOUS, "ldap3-simple": ldap3.SIMPLE, "ldap3-ntlm": ldap3.NTLM}[a.impl]
    user = None
    if a.impl == "ldap3-simple":
        user = f"{a.user}@{DOMAIN}"
    elif a.impl == "ldap3-ntlm":
        user = f"{NETBIOS}\\{a.user}"
    tls = None
    if a.ldaps or a.starttls:
        # LDAPS and StartTLS: ldap3 builds its context with ssl.create_default_context (in
        # Tls.wrap_socket, for both), which writes the TLS key log to SSLKEYLOGFILE when that
        # is set (Python 3.8+). The lab DC's certificate is Samba's own self-signed one: not
        # verified.
        import ssl
        tls = ldap3.Tls(validate=ssl.CERT_NONE)
    srv = Server(a.host, port=a.port, use_ssl=a.ldaps, tls=tls, get_info=ldap3.NONE,
                 connect_timeout=3)
    c = Connection(srv, user=user, password=a.password if user else None, authentication=auth,
                   raise_exceptions=False, receive_timeout=5)
    c.open()
    if a.starttls:
        # the extended request 1.3.6.1.4.1.1466.20037, then the TLS handshake on this socket
        ok = c.start_tls()
        out("STARTTLS", ok, c.result.get("result"), c.result.get("description"))
        if not ok:
            c.unbind()
            return 1
    ok = c.bind()
    out("BIND", a.impl, c.result.get("result"), c.result.get("description"), c.result.get("message", ""))
    if not ok:
        c.unbind()
        return 1
    scopes = {"base": ldap3.BASE, "one": ldap3.LEVEL, "sub": ldap3.SUBTREE}

    def search(base, scope, flt, attrs):
        c.search(base, flt, scopes[scope], attributes=attrs)
        out("SEARCH", repr(base), scope, c.result.get("result"), c.result.get("description"),
            c.result.get("message", ""), len(c.response or []), "responses")
        ents = []
        for r in c.response or []:
            if r.get("type") == "searchResEntry":
                at = r.get("raw_attributes", {})
                dec = lambda v: [x.decode() if isinstance(x, bytes) else str(x) for x in v]
                ents.append((r["dn"], dec(at.get("keywords", [])), dec(at.get("serviceBindingInformation", [])),
                             {k: dec(v) for k, v in at.items()}))
        return c.result.get("result") == 0, ents

    rc = run_ops(ops, search)
    c.unbind()
    return rc


# ------------------------------------------------------------------ Samba python ldb
def run_samba(a, ops):
    import ldb
    import samba
    from samba import param, credentials
    lp = param.LoadParm()
    lp.load(a.smbconf)
    cr = credentials.Credentials()
    cr.guess(lp)
    cr.set_username(a.user)
    cr.set_password(a.password)
    cr.set_domain(NETBIOS)
    cr.set_realm(REALM)
    cr.set_workstation(socket.gethostname().upper())
    cr.set_kerberos_state(credentials.MUST_USE_KERBEROS if a.impl == "samba-krb" else credentials.DONT_USE_KERBEROS)
    url = f"ldap://{a.host}" + (f":{a.port}" if a.port != 389 else "")
    try:
        db = samba.Ldb(url=url, credentials=cr, lp=lp)
    except ldb.LdbError as e:
        out("BIND", a.impl, "failed", e)
        return 1
    out("BIND", a.impl, "ok")
    scopes = {"base": ldb.SCOPE_BASE, "one": ldb.SCOPE_ONELEVEL, "sub": ldb.SCOPE_SUBTREE}

    def search(base, scope, flt, attrs):
        try:
            res = db.search(base=base, scope=scopes[scope], expression=flt, attrs=attrs)
        except ldb.LdbError as e:
            out("SEARCH", repr(base), scope, "error", e)
            return False, []
        out("SEARCH", repr(base), scope, "ok", len(res), "entries")
        ents = []
        for m in res:
            g = lambda k: [str(x) for x in m.get(k, [])] if k in m else []
            ents.append((str(m.dn), g("keywords"), g("serviceBindingInformation"), m))
        return True, ents

    rc = run_ops(ops, search)
    del db  # closes the connection (Samba's ildap sends no unbind; the TCP connection is closed)
    return rc


# ------------------------------------------------------------------ impacket's LDAP module
def run_impacket(a, ops):
    from impacket.ldap import ldap as ildap, ldapasn1
    seal = a.impl == "impacket-ntlm-seal"
    url = f"ldap://{a.host}"
    try:
        c = ildap.LDAPConnection(url, dstIp=a.host, signing=seal)
        if a.port != 389:
            raise SystemExit("impacket: port 389 only here")
        c.login(a.user, a.password, NETBIOS)  # GSS-SPNEGO NTLMSSP (NEGOTIATE, CHALLENGE, AUTHENTICATE)
    except ildap.LDAPSessionError as e:
        out("BIND", a.impl, "failed", e)
        return 1
    out("BIND", a.impl, "ok")
    scopes = {"base": "baseObject", "one": "singleLevel", "sub": "wholeSubtree"}

    def search(base, scope, flt, attrs):
        try:
            res = c.search(searchBase=base, scope=ldapasn1.Scope(scopes[scope]), searchFilter=flt, attributes=attrs)
        except ildap.LDAPSearchError as e:
            out("SEARCH", repr(base), scope, "error", e.getErrorString())
            return False, []
        ents = []
        for r in res:
            if not isinstance(r, ldapasn1.SearchResultEntry):
                continue
            at = {str(x["type"]): [str(v) for v in x["vals"]] for x in r["attributes"]}
            ents.append((str(r["objectName"]), at.get("keywords", []), at.get("serviceBindingInformation", []), at))
        out("SEARCH", repr(base), scope, "ok", len(ents), "entries")
        return True, ents

    rc = run_ops(ops, search)
    c.close()
    return rc


# ------------------------------------------------------------------ raw NTLM over a socket
def ber_len(n, long):
    if long:
        return b"\x84" + n.to_bytes(4, "big")
    if n < 0x80:
        return bytes([n])
    b = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(b)]) + b


def tlv(tag, content, long=False):
    return bytes([tag]) + ber_len(len(content), long) + content


def ber_read(buf, i):
    tag = buf[i]; i += 1
    n = buf[i]; i += 1
    if n & 0x80:
        k = n & 0x7F
        n = int.from_bytes(buf[i:i + k], "big"); i += k
    return tag, buf[i:i + n], i + n


def recv_ldap(s):
    buf = b""
    while True:
        if len(buf) >= 2:
            n, hl = buf[1], 2
            if n & 0x80:
                k = n & 0x7F
                if len(buf) >= 2 + k:
                    n, hl = int.from_bytes(buf[2:2 + k], "big"), 2 + k
                else:
                    n = None
            if n is not None and len(buf) >= hl + n:
                return buf[:hl + n]
        d = s.recv(65536)
        if not d:
            raise SystemExit("connection closed")
        buf += d


def run_raw_ntlm_abandon(a, ops):
    from impacket import ntlm
    from impacket.spnego import SPNEGO_NegTokenInit, SPNEGO_NegTokenResp, TypesMech
    neg = ntlm.getNTLMSSPType1(socket.gethostname().upper(), NETBIOS, signingRequired=True, use_ntlmv2=True,
                               version=b"\x0a\x00\x63\x45\x00\x00\x00\x0f")  # 10.0 build 17763, NTLM rev 15
    blob = SPNEGO_NegTokenInit()
    blob["MechTypes"] = [TypesMech["NTLMSSP - Microsoft NTLM Security Support Provider"]]
    blob["MechToken"] = neg.getData()
    L = True  # ADSI's long-form lengths on constructed elements
    sasl = tlv(0xA3, tlv(0x04, b"GSS-SPNEGO") + tlv(0x04, blob.getData(), L), L)
    bind = tlv(0x60, tlv(0x02, b"\x03") + tlv(0x04, b"") + sasl, L)
    msg = tlv(0x30, tlv(0x02, b"\x01") + bind, L)
    fam = socket.AF_INET6 if ":" in a.host else socket.AF_INET
    s = socket.socket(fam, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect((a.host, a.port))
    s.sendall(msg)
    resp = recv_ldap(s)
    _, body, _ = ber_read(resp, 0)
    _, _, i = ber_read(body, 0)                 # messageID
    tag, br, _ = ber_read(body, i)               # [APPLICATION 1] BindResponse
    _, rcode, j = ber_read(br, 0)
    out("BIND step 1 resultCode", rcode[0], "(14 = saslBindInProgress)")
    # serverSaslCreds [7]: the SPNEGO NegTokenResp with the NTLMSSP CHALLENGE
    _, _, j = ber_read(br, j); _, diag, j = ber_read(br, j)
    while j < len(br):
        t, v, j = ber_read(br, j)
        if t == 0x87:
            r = SPNEGO_NegTokenResp(v)
            ch = ntlm.NTLMAuthChallenge(r["ResponseToken"])
            out("CHALLENGE from", ch["domain_name"].decode("utf-16le", "replace") if ch["domain_name"] else "?",
                "flags", hex(ch["flags"]))
    if a.hold_file:
        open(a.hold_file + ".got-challenge", "w").close()
        while True:
            try:
                open(a.hold_file).close()
            except FileNotFoundError:
                break
            time.sleep(0.05)
    else:
        time.sleep(a.think)
    # give up: unbindRequest (messageID 2), then close; never send AUTHENTICATE
    s.sendall(tlv(0x30, tlv(0x02, b"\x02") + b"\x42\x00", L))
    s.close()
    out("UNBIND sent, closed without AUTHENTICATE")
    return 1


def main():
    p = argparse.ArgumentParser()
    p.add_argument("impl")
    p.add_argument("ops", nargs="*")
    p.add_argument("--host", default="dc1.contoso.test")
    p.add_argument("--port", type=int, default=389)
    p.add_argument("--user", default="crmsvc")
    p.add_argument("--password", default="")
    p.add_argument("--ldaps", action="store_true",
                   help="ldap3 impls: TLS from the first byte (use with --port 636)")
    p.add_argument("--starttls", action="store_true",
                   help="ldap3 impls: StartTLS on the plain port before the bind")
    p.add_argument("--smbconf", default=None)
    p.add_argument("--hold-file", default=None)
    p.add_argument("--think", type=float, default=0.2)
    a = p.parse_intermixed_args()
    if a.impl.startswith("ldap3-"):
        return run_ldap3(a, a.ops)
    if a.impl.startswith("samba-"):
        import os
        a.smbconf = a.smbconf or os.environ.get("SMBCONF_CLI")
        return run_samba(a, a.ops)
    if a.impl.startswith("impacket-"):
        return run_impacket(a, a.ops)
    if a.impl == "raw-ntlm-abandon":
        return run_raw_ntlm_abandon(a, a.ops)
    raise SystemExit("unknown impl " + a.impl)


if __name__ == "__main__":
    sys.exit(main())
