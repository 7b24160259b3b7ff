"""adv_common.py: what adv-mid.py and adv-rebind.py share: EWS's SCP filter, and the SCP
search then the site lookup on an open ldap3 connection, printing each URL found."""
import ldap3

SCP_FILTER = ("(&(objectClass=serviceConnectionPoint)(|(keywords=67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68)"
              "(keywords=77378F46-2C66-4aa9-A6A6-3E7A48B19596)))")


def scp_then_site(c):
    c.search("CN=Configuration,DC=contoso,DC=test", SCP_FILTER, ldap3.SUBTREE,
             attributes=["keywords", "serviceBindingInformation"])
    for r in c.response or []:
        if r.get("type") == "searchResEntry":
            for s in r["raw_attributes"].get("serviceBindingInformation", []):
                print("URL", s.decode(), flush=True)
    c.search("CN=Sites,CN=Configuration,DC=contoso,DC=test",
             "(&(objectClass=site)(objectCategory=site)(name=Default-First-Site-Name))",
             ldap3.LEVEL, attributes=["distinguishedName"])
