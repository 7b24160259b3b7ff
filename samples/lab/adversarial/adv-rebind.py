#!/usr/bin/python3
"""adv-rebind.py HOST BADPW ADMPW: ONE ldap3 connection: simple bind crmsvc with BADPW (-> 49),
then a rebind on the SAME connection as Administrator, RootDSE, SCP search, site lookup."""
import sys
import ldap3
host, bad, adm = sys.argv[1:4]
F = ("(&(objectClass=serviceConnectionPoint)(|(keywords=67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68)"
     "(keywords=77378F46-2C66-4aa9-A6A6-3E7A48B19596)))")
c = ldap3.Connection(ldap3.Server(host, get_info=ldap3.NONE), user="crmsvc@contoso.test", password=bad,
                     authentication=ldap3.SIMPLE, receive_timeout=5, raise_exceptions=False)
c.open(); print("BIND1", c.bind(), c.result.get("description"), flush=True)
print("BIND2", c.rebind(user="Administrator@contoso.test", password=adm, authentication=ldap3.SIMPLE), flush=True)
c.search("", "(objectClass=*)", ldap3.BASE, attributes=["configurationNamingContext"])
c.search("CN=Configuration,DC=contoso,DC=test", F, ldap3.SUBTREE, attributes=["keywords", "serviceBindingInformation"])
for r in c.response or []:
    if r.get("type") == "searchResEntry":
        for s in r["raw_attributes"].get("serviceBindingInformation", []):
            print("URL", s.decode(), flush=True)
c.search("CN=Sites,CN=Configuration,DC=contoso,DC=test", "(&(objectClass=site)(objectCategory=site)(name=Default-First-Site-Name))",
         ldap3.LEVEL, attributes=["distinguishedName"])
c.unbind()
