#!/usr/bin/python3
"""adv-mid.py HOST PASSWORD READYFILE GOFILE: ldap3 simple bind + RootDSE on one connection,
touch READYFILE, wait until GOFILE exists, then the SCP search and the site lookup on the
SAME connection (so a capture started in between sees the TCP stream mid-way)."""
import os, sys, time
import ldap3
host, pw, ready, go = sys.argv[1:5]
F = ("(&(objectClass=serviceConnectionPoint)(|(keywords=67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68)"
     "(keywords=77378F46-2C66-4aa9-A6A6-3E7A48B19596)))")
c = ldap3.Connection(ldap3.Server(host, get_info=ldap3.NONE), user="crmsvc@contoso.test", password=pw,
                     authentication=ldap3.SIMPLE, receive_timeout=5)
c.open(); print("BIND", c.bind(), flush=True)
c.search("", "(objectClass=*)", ldap3.BASE, attributes=["configurationNamingContext"])
open(ready, "w").close()
while not os.path.exists(go):
    time.sleep(0.05)
c.search("CN=Configuration,DC=contoso,DC=test", F, ldap3.SUBTREE, attributes=["keywords", "serviceBindingInformation"])
for r in c.response or []:
    if r.get("type") == "searchResEntry":
        for s in r["raw_attributes"].get("serviceBindingInformation", []):
            print("URL", s.decode(), flush=True)
c.search("CN=Sites,CN=Configuration,DC=contoso,DC=test", "(&(objectClass=site)(objectCategory=site)(name=Default-First-Site-Name))",
         ldap3.LEVEL, attributes=["distinguishedName"])
c.unbind()
