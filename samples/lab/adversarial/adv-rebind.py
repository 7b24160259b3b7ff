#!/usr/bin/python3
"""adv-rebind.py HOST BADPW ADMPW: ONE ldap3 connection: simple bind crmsvc with BADPW (-> 49),
then a rebind on the SAME connection as Administrator, RootDSE, SCP search, site lookup."""
import sys
import ldap3
from adv_common import scp_then_site
host, bad, adm = sys.argv[1:4]
c = ldap3.Connection(ldap3.Server(host, get_info=ldap3.NONE), user="crmsvc@contoso.test", password=bad,
                     authentication=ldap3.SIMPLE, receive_timeout=5, raise_exceptions=False)
c.open(); print("BIND1", c.bind(), c.result.get("description"), flush=True)
print("BIND2", c.rebind(user="Administrator@contoso.test", password=adm, authentication=ldap3.SIMPLE), flush=True)
c.search("", "(objectClass=*)", ldap3.BASE, attributes=["configurationNamingContext"])
scp_then_site(c)
c.unbind()
