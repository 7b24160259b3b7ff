#!/usr/bin/python3
"""adv-mid.py HOST PASSWORD READYFILE GOFILE: ldap3 simple bind + RootDSE on one connection,
touch READYFILE, wait until GOFILE exists, then the SCP search and the site lookup on the
SAME connection (so a capture started in between sees the TCP stream mid-way)."""
import os, sys, time
import ldap3
from adv_common import scp_then_site
host, pw, ready, go = sys.argv[1:5]
c = ldap3.Connection(ldap3.Server(host, get_info=ldap3.NONE), user="crmsvc@contoso.test", password=pw,
                     authentication=ldap3.SIMPLE, receive_timeout=5)
c.open(); print("BIND", c.bind(), flush=True)
c.search("", "(objectClass=*)", ldap3.BASE, attributes=["configurationNamingContext"])
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.05)
scp_then_site(c)
c.unbind()
