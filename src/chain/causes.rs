//! Every cause code capdiag can give, each one rule in one place: its stable code, what it means
//! and the fix. Constructors build a [`Cause`] with the specifics of what was seen.

use super::model::{Cause, Severity};
use crate::proto::dns::rcode_name;
use crate::proto::ldap::{
    LdapResult, logon_data_meaning, parse_ad_diagnostic, result_name, win32_status_meaning,
};
use crate::proto::tls::alert_name;

/// A cause code in the catalogue: code (a `*` stands for a name filled in), meaning, remediation.
pub struct CauseInfo {
    pub code: &'static str,
    /// The stage(s) it is found at.
    pub stage: &'static str,
    /// What the evidence frames show.
    pub evidence: &'static str,
    pub severity: Severity,
    pub meaning: &'static str,
    pub remediation: &'static str,
}

/// The catalogue, in chain order. docs/causes.md is written from the same list.
pub const CATALOGUE: &[CauseInfo] = &[
    CauseInfo {
        code: "dns.nxdomain",
        severity: Severity::Failure,
        stage: "dc_locator_dns, scp_url_dns (any DNS step)",
        evidence: "the query and its NXDOMAIN response",
        meaning: "The DNS server says the name does not exist (NXDOMAIN).",
        remediation: "Check the name the client asked for. For DC locator records run `nltest /dsgetdc:<domain> /force` and `dcdiag /test:dns`, and restart Netlogon on a DC to re-register its SRV records; for an Autodiscover host add the A record, or fix the URL that pointed the client at it (for a stale SCP: `Set-ClientAccessService <server> -AutoDiscoverServiceInternalUri https://<valid host>/Autodiscover/Autodiscover.xml`).",
    },
    CauseInfo {
        code: "dns.no_answer",
        severity: Severity::Failure,
        stage: "dc_locator_dns, scp_url_dns (any DNS step)",
        evidence: "the query and its empty NOERROR response",
        meaning: "The name exists but has no record of the type asked for (NOERROR with an empty answer).",
        remediation: "Add the missing record (`Resolve-DnsName <name> -Type <type>` shows it). An out-of-zone name answered empty by an AD DNS server usually means the zone or a forwarder is missing.",
    },
    CauseInfo {
        code: "dns.servfail",
        severity: Severity::Failure,
        stage: "dc_locator_dns, scp_url_dns (any DNS step)",
        evidence: "the query and its SERVFAIL/REFUSED response",
        meaning: "The DNS server failed to answer (SERVFAIL or REFUSED).",
        remediation: "Check the DNS server the client uses (`ipconfig /all`), its forwarders and the zone's health (`dcdiag /test:dns`).",
    },
    CauseInfo {
        code: "dns.no_response",
        severity: Severity::Failure,
        stage: "dc_locator_dns, scp_url_dns (any DNS step)",
        evidence: "the query and its retries",
        meaning: "The DNS query was never answered.",
        remediation: "Check that the DNS server in the client's configuration is reachable on UDP and TCP 53 (firewall, server down): `Resolve-DnsName <name> -Server <dns server>`.",
    },
    CauseInfo {
        code: "dc.srv_target_no_address",
        stage: "dc_locator_dns",
        evidence: "the SRV answer and the empty address lookups of its target",
        severity: Severity::Warning,
        meaning: "A DC locator SRV record names a host that has no address record: clients that pick it cannot reach that DC.",
        remediation: "Re-register the DC's records (`ipconfig /registerdns` and restart Netlogon on that DC), or remove the stale SRV records of a retired DC (`dnscmd /recorddelete`, or DNS Manager under _msdcs).",
    },
    CauseInfo {
        code: "dc.domain_not_in_capture",
        stage: "dc_locator_dns",
        evidence: "the client's first DC locator query",
        severity: Severity::Warning,
        meaning: "The domain given with --domain is not the one the capture's DC locator queries ask for; capdiag judges what the capture shows.",
        remediation: "Check which domain the client is joined to and looks up (`nltest /dsgetdc:` without a domain, `systeminfo | findstr Domain`); if the client looks up the wrong one, fix its primary DNS suffix or the account's domain.",
    },
    CauseInfo {
        code: "cldap.no_response",
        severity: Severity::Failure,
        stage: "dc_locator_ping",
        evidence: "the ping request(s) on UDP 389",
        meaning: "The CLDAP netlogon ping (UDP 389) to the domain controller was never answered.",
        remediation: "Open UDP 389 from the client to the DC and check the DC is up: `nltest /dsgetdc:<domain> /force`.",
    },
    CauseInfo {
        code: "cldap.domain_not_served",
        severity: Severity::Failure,
        stage: "dc_locator_ping",
        evidence: "the ping and the empty SearchResultEntry",
        meaning: "The DC answered the netlogon ping with an empty entry: it does not serve the domain (or GUID/SID) asked for.",
        remediation: "Point the client at a DC of the right domain; check the DnsDomain in the ping and the SRV records that named this DC.",
    },
    CauseInfo {
        code: "cldap.user_unknown",
        stage: "dc_locator_ping",
        evidence: "the ping naming the account and the reply with opcode 25",
        severity: Severity::Failure,
        meaning: "The DC answered the netlogon ping with USER_UNKNOWN (opcode 25): the account named in the ping does not exist there, is disabled, or its type does not match.",
        remediation: "Check the account the client runs as (`Get-ADUser <account>` / `Get-ADComputer <name>`) in the domain the DC serves; `nltest /dsgetdc:<domain> /force` repeats the lookup.",
    },
    CauseInfo {
        code: "cldap.paused",
        stage: "dc_locator_ping",
        evidence: "the ping and the reply with opcode 24",
        severity: Severity::Failure,
        meaning: "The DC answered the netlogon ping with PAUSE (opcode 24): its Netlogon service is paused or it is not yet synchronised.",
        remediation: "On the DC: `Get-Service Netlogon`, `net continue netlogon`, `repadmin /showrepl` and `dcdiag /test:advertising`.",
    },
    CauseInfo {
        code: "cldap.client_site_unknown",
        stage: "dc_locator_ping",
        evidence: "the netlogon reply with an empty client site",
        severity: Severity::Warning,
        meaning: "The DC does not know the client's site (empty ClientSiteName): the client's address matches no subnet. EWS then ignores every SCP URL and goes straight to the DNS fallbacks.",
        remediation: "Add the client's subnet to a site in Active Directory Sites and Services (`New-ADReplicationSubnet -Name <cidr> -Site <site>`), then `nltest /dsgetsite` on the client.",
    },
    CauseInfo {
        code: "cldap.dc_other_site",
        stage: "dc_locator_ping",
        evidence: "the netlogon reply with different DC and client sites",
        severity: Severity::Info,
        meaning: "The DC that answered is not in the client's site; Windows keeps it for now and looks for a closer one after 15 minutes.",
        remediation: "Usually fine. If it persists, check that the client's site has a reachable DC with its SRV records registered (`nltest /dsgetdc:<domain> /force /site:<site>`).",
    },
    CauseInfo {
        code: "kerberos.preauth_failed",
        severity: Severity::Failure,
        stage: "kerberos",
        evidence: "the AS-REQ with pre-authentication and the KRB-ERROR",
        meaning: "The KDC refused the pre-authentication (KDC_ERR_PREAUTH_FAILED, 24): wrong password for the account.",
        remediation: "Fix the password the service runs with (for CRM: the service account in the application pool / service logon); `klist purge` and retry; check the account is not being locked out (`Get-ADUser <account> -Properties LockedOut,badPwdCount`).",
    },
    CauseInfo {
        code: "kerberos.client_unknown",
        severity: Severity::Failure,
        stage: "kerberos",
        evidence: "the request and the KRB-ERROR",
        meaning: "The KDC does not know the client principal (KDC_ERR_C_PRINCIPAL_UNKNOWN, 6).",
        remediation: "Check the account name and realm the client uses (`whoami /upn`, `Get-ADUser <account>`); a renamed or deleted account, or a UPN suffix the domain does not have.",
    },
    CauseInfo {
        code: "kerberos.service_unknown",
        severity: Severity::Failure,
        stage: "kerberos",
        evidence: "the TGS-REQ naming the SPN and the KRB-ERROR",
        meaning: "The KDC does not know the service principal asked for (KDC_ERR_S_PRINCIPAL_UNKNOWN, 7): a missing or misspelt SPN.",
        remediation: "Find who holds the SPN: `setspn -Q ldap/<dc>` or `setspn -Q HTTP/<host>`; register it on the right account (`setspn -S HTTP/<host> <account>`) and remove duplicates (`setspn -X`).",
    },
    CauseInfo {
        code: "kerberos.clock_skew",
        severity: Severity::Failure,
        stage: "kerberos",
        evidence: "the request and the KRB-ERROR",
        meaning: "The client's clock differs from the KDC's by more than the allowed skew (KRB_AP_ERR_SKEW, 37).",
        remediation: "Resynchronise time: `w32tm /resync` on the client, and check the domain time hierarchy (`w32tm /query /status`, `w32tm /stripchart /computer:<dc>`).",
    },
    CauseInfo {
        code: "kerberos.client_revoked",
        severity: Severity::Failure,
        stage: "kerberos",
        evidence: "the request and the KRB-ERROR",
        meaning: "The client's credentials are revoked (KDC_ERR_CLIENT_REVOKED, 18): account disabled, locked out or expired.",
        remediation: "Unlock or re-enable the account (`Unlock-ADAccount`, `Enable-ADAccount`) and find what locks it (event 4740 on the PDC emulator).",
    },
    CauseInfo {
        code: "kerberos.wrong_realm",
        severity: Severity::Failure,
        stage: "kerberos",
        evidence: "the request and the KRB-ERROR",
        meaning: "The request went to the wrong realm (KDC_ERR_WRONG_REALM, 68).",
        remediation: "Check the realm in the client's configuration and the DNS suffix / UPN suffix it derives it from.",
    },
    CauseInfo {
        code: "kerberos.*",
        severity: Severity::Failure,
        stage: "kerberos",
        evidence: "the request and the KRB-ERROR",
        meaning: "The KDC refused a request with another Kerberos error; its RFC 4120 name follows the prefix in lower case (e.g. kerberos.etype_nosupp).",
        remediation: "Read the error name and meaning in the summary; `klist` on the client and the KDC's security log (events 4768/4769/4771) tell more.",
    },
    CauseInfo {
        code: "tcp.refused",
        severity: Severity::Failure,
        stage: "ldap_connect, https_connect",
        evidence: "the SYN and the RST",
        meaning: "The server answered the connection attempt with a reset: nothing listens on that port.",
        remediation: "Start the service on the server or open the port (`Test-NetConnection <host> -Port <port>`); for 443 check the IIS binding of the Exchange server.",
    },
    CauseInfo {
        code: "tcp.no_answer",
        severity: Severity::Failure,
        stage: "ldap_connect, https_connect",
        evidence: "the SYN and its retransmissions",
        meaning: "The connection attempt (SYN) was never answered: a firewall drops it or the host is down.",
        remediation: "Check the route and the firewalls between client and server (`Test-NetConnection <host> -Port <port>`).",
    },
    CauseInfo {
        code: "ldap.bind_failed",
        severity: Severity::Failure,
        stage: "ldap_bind, rootdse, scp_search",
        evidence: "the BindRequest and the BindResponse with its result code and AD text",
        meaning: "The domain controller refused the LDAP bind.",
        remediation: "Fix the account the process binds as (for CRM server-side sync: the CRM service account). The `data` code says what is wrong: 52e bad password, 525 no such user, 530/531 logon hours/workstation, 532 password expired, 533 disabled, 701 account expired, 773 must reset password, 775 locked out.",
    },
    CauseInfo {
        code: "ldap.no_response",
        severity: Severity::Failure,
        stage: "ldap_bind, rootdse, scp_search",
        evidence: "the unanswered request",
        meaning: "An LDAP request was never answered.",
        remediation: "Check the DC's health and the network path on TCP 389; retry with ldp.exe using the recipe below.",
    },
    CauseInfo {
        code: "ldap.bind_abandoned",
        severity: Severity::Failure,
        stage: "ldap_bind",
        evidence: "the bind steps (the last answered saslBindInProgress) and the client's unbind or close",
        meaning: "A multi-step SASL bind (GSS-SPNEGO/NTLM, GSSAPI, DIGEST-MD5) was given up by the client: the DC answered saslBindInProgress (14) with its challenge, and the client unbound or closed the connection instead of sending its next message. The client could not compute the answer: usually no usable credentials for the mechanism (NTLM blocked by policy, a missing or expired password, a Kerberos ticket it could not get), or a mechanism it does not support.",
        remediation: "Check the account the process runs as and its credentials; for NTLM, the `Network security: Restrict NTLM` policies on the client and the DC (event 8001-8004 in Microsoft-Windows-NTLM/Operational); for Kerberos, `klist` and the SPN `ldap/<dc>` (`setspn -Q ldap/<dc>`).",
    },
    CauseInfo {
        code: "ldap.search_failed",
        severity: Severity::Failure,
        stage: "ldap_bind, rootdse, scp_search",
        evidence: "the SearchRequest and the SearchResultDone",
        meaning: "The domain controller answered the search with an error.",
        remediation: "Read the result and the AD diagnostic below; repeat the search with ldp.exe using the recipe to confirm, under the same account.",
    },
    CauseInfo {
        code: "ldap.sealed",
        severity: Severity::Info,
        stage: "ldap_bind, rootdse, scp_search",
        evidence: "the first wrapped buffer after the SASL bind",
        meaning: "The LDAP traffic is encrypted: a sealed SASL layer after the bind (Kerberos or NTLM confidentiality), StartTLS, or LDAPS on 636/3269; the searches cannot be read from the capture.",
        remediation: "Not a failure. To see the SCP search, capture on a client that signs without sealing, or run the search with ldp.exe.",
    },
    CauseInfo {
        code: "scp.sealed_no_url",
        severity: Severity::Failure,
        stage: "scp_search",
        evidence: "the first sealed LDAP buffer of each sealed connection, since which one carried the search cannot be read (the failure that followed is a finding of its own)",
        meaning: "The LDAP traffic was sealed, so the SCP search cannot be read, and afterwards the client tried no host the capture ties to it (only hosts with an Autodiscover name count, never a guess): it went on to the fallbacks, as EWS does when the SCP gave it no URL that worked (no SCP object, no URL, the client's site unknown, or a URL host that failed in a way the capture cannot tie to the SCP).",
        remediation: "See what the SCP holds with ldp.exe (recipe below, under the same account) or `Get-ClientAccessService | fl Name,AutoDiscoverServiceInternalUri`; to see the search itself, capture on a client that signs without sealing.",
    },
    CauseInfo {
        code: "scp.not_found",
        severity: Severity::Failure,
        stage: "scp_search",
        evidence: "the SCP SearchRequest and a SearchResultDone with no entry",
        meaning: "The SCP search succeeded but found no Autodiscover service connection point.",
        remediation: "Check that Exchange published its SCP in this forest: `Get-ClientAccessService | fl Name,AutoDiscoverServiceInternalUri` (Exchange 2016+) or `Get-ClientAccessServer` (2010/2013); check the account can read CN=Services in the configuration partition.",
    },
    CauseInfo {
        code: "scp.base_not_found",
        severity: Severity::Failure,
        stage: "scp_search",
        evidence: "the SCP SearchRequest and a SearchResultDone with noSuchObject (32, AD 0000208D)",
        meaning: "The SCP search was run on a base DN that does not exist on that DC (noSuchObject): a configuration naming context of another forest, a mistyped or hard-coded base.",
        remediation: "Search under the configurationNamingContext the DC's RootDSE gives (shown in the cause); if the base is configured in the application, fix it there. Check with ldp.exe using the recipe below, with the RootDSE's value as Base DN.",
    },
    CauseInfo {
        code: "scp.no_url",
        severity: Severity::Failure,
        stage: "scp_search",
        evidence: "the SCP search and its entries",
        meaning: "SCP entries came back, but none has a serviceBindingInformation URL.",
        remediation: "Set the URL: `Set-ClientAccessService <server> -AutoDiscoverServiceInternalUri https://<host>/Autodiscover/Autodiscover.xml`.",
    },
    CauseInfo {
        code: "scp.pointer_only",
        severity: Severity::Warning,
        stage: "scp_search",
        evidence: "the SCP entries with the pointer keyword 67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68",
        meaning: "The SCP search found only pointer entries (serviceBindingInformation `LDAP://<host>`), no URL entry: the client must follow the pointer and search again on that LDAP server (another forest, usually). The stage detail says whether the capture shows the client doing so.",
        remediation: "If the client never reaches the pointer's server, check that it resolves and answers on 389 from the client and that the account may read its CN=Configuration; if the pointer is stale, re-run `Export-AutoDiscoverConfig -TargetForestDomainController <dc> -DomainController <local dc>` or remove it (ADSI Edit, CN=Microsoft Exchange Autodiscover,CN=Services,CN=Configuration).",
    },
    CauseInfo {
        code: "scp.url_not_https",
        severity: Severity::Warning,
        stage: "scp_search",
        evidence: "the SCP URL entry whose serviceBindingInformation is not https://",
        meaning: "An SCP URL is not https. EWS's SOAP pass keeps only the host (and speaks https to it anyway); its legacy POX pass and other clients use the URL as it is, in clear text or not at all.",
        remediation: "`Set-ClientAccessService <server> -AutoDiscoverServiceInternalUri https://<host>/Autodiscover/Autodiscover.xml` (Exchange 2010/2013: `Set-ClientAccessServer`).",
    },
    CauseInfo {
        code: "scp.only_other_sites",
        severity: Severity::Warning,
        stage: "scp_search",
        evidence: "the SCP URL entries and their Site= keywords, and the client site of the netlogon reply",
        meaning: "Every SCP URL entry is scoped (Site= keyword) to sites other than the client's: EWS ranks them last (priority 3) and still tries them, but the admin probably meant another server for this site.",
        remediation: "Add the client's site to the scope of the server that should serve it: `Set-ClientAccessService <server> -AutoDiscoverSiteScope <site1>,<client site>`; or map the client's subnet to the intended site.",
    },
    CauseInfo {
        code: "scp.urls_skipped_no_site",
        severity: Severity::Warning,
        stage: "scp_search",
        evidence: "the netlogon reply with an empty client site and the SCP URL entries",
        meaning: "The DC does not know the client's site (see cldap.client_site_unknown), so EWS skips the whole SCP URL pass: the URLs found are never used and the client goes to the DNS fallbacks. The summary says where the client went next.",
        remediation: "Map the client's subnet to a site (`New-ADReplicationSubnet -Name <cidr> -Site <site>`), then `nltest /dsgetsite` on the client; or publish the fallback names (autodiscover.<domain>) for clients without a site.",
    },
    CauseInfo {
        code: "scp.second_pass",
        severity: Severity::Info,
        stage: "scp_search",
        evidence: "the first SCP search of each pass",
        meaning: "The capture holds more than one discovery pass, each with its own SCP search after fallback attempts: EWS reran the whole lookup (the SOAP pass failed, then the legacy POX pass). The chain is judged on the last pass; the passes are not counted twice.",
        remediation: "Nothing on its own: read the verdict of the last pass. The first pass failed the same way or on the SOAP endpoint (autodiscover.svc).",
    },
    CauseInfo {
        code: "tls.alert.*",
        severity: Severity::Failure,
        stage: "tls_handshake",
        evidence: "the ClientHello, ServerHello, Certificate and the alert",
        meaning: "The TLS handshake ended with an alert (its name follows the prefix, e.g. unknown_ca: the client does not trust the certificate's issuer).",
        remediation: "Check the certificate on the Autodiscover host: its names (SAN) must include the host the client used, it must be in date, and its issuing CA must be trusted by the client (`Test-NetConnection`, then open https://<host>/autodiscover/autodiscover.xml in a browser on the client).",
    },
    CauseInfo {
        code: "tls.aborted_by_client",
        severity: Severity::Failure,
        stage: "tls_handshake",
        evidence: "the handshake and the client's FIN or RST",
        meaning: "The client closed the connection during the handshake without an alert (typical of a rejected certificate).",
        remediation: "Check the certificate's names, validity and issuer against what the client trusts.",
    },
    CauseInfo {
        code: "tls.name_mismatch",
        severity: Severity::Failure,
        stage: "tls_handshake",
        evidence: "the server's Certificate message (TLS 1.2 and earlier)",
        meaning: "No DNS name of the server certificate (SAN, or the subject CN when there is no SAN; a `*` covers one left-most label) matches the host the client asked for (its SNI, else the candidate host). A failure when the handshake failed; a warning when it succeeded anyway (a client that does not check names, or a trusting callback).",
        remediation: "Put the host on the certificate (a SAN entry), or make the client use a name the certificate has: for an SCP URL `Set-ClientAccessService <server> -AutoDiscoverServiceInternalUri https://<name on the certificate>/Autodiscover/Autodiscover.xml`; `Get-ExchangeCertificate | fl Subject,CertificateDomains,Services` shows what each certificate covers.",
    },
    CauseInfo {
        code: "tls.expired",
        severity: Severity::Failure,
        stage: "tls_handshake",
        evidence: "the server's Certificate message and its capture time",
        meaning: "The server certificate was expired, or not yet valid, at the time of the capture. A failure when the handshake failed; a warning when it succeeded anyway.",
        remediation: "Renew the certificate and bind it to IIS/Exchange (`New-ExchangeCertificate`, `Enable-ExchangeCertificate -Services IIS`); for a not-yet-valid one check the server's and the client's clocks.",
    },
    CauseInfo {
        code: "tls.self_signed",
        severity: Severity::Info,
        stage: "tls_handshake",
        evidence: "the server's Certificate message (issuer = subject)",
        meaning: "The server certificate signed itself. Only a client that trusts that very certificate accepts it; the client's alert (e.g. unknown_ca) or its silence decides.",
        remediation: "Replace it with a certificate from a CA the clients trust (the enterprise CA or a public one), or deploy this certificate to the clients' Trusted Root store if that is the intent.",
    },
    CauseInfo {
        code: "tls.issuer_not_sent",
        severity: Severity::Info,
        stage: "tls_handshake",
        evidence: "the server's Certificate message",
        meaning: "The server sent its certificate without the certificate of its issuer: the client must already have the issuer (an intermediate or root it trusts) or fetch it (AIA).",
        remediation: "If clients fail with unknown_ca, install the intermediate certificate on the server so it is sent with the chain (`certutil -verify -urlfetch <cert>` shows what is missing).",
    },
    CauseInfo {
        code: "tls.no_server_hello",
        severity: Severity::Failure,
        stage: "tls_handshake",
        evidence: "the ClientHello (and the close)",
        meaning: "The server never answered the ClientHello.",
        remediation: "Check the TLS configuration of the web server (protocol versions and ciphers the client offers) and any TLS-inspecting device in between.",
    },
    CauseInfo {
        code: "http.not_redirect",
        severity: Severity::Failure,
        stage: "https (of the port-80 step)",
        evidence: "the port-80 GET /autodiscover/autodiscover.xml and its response",
        meaning: "The port-80 GET to autodiscover.<domain> was answered with something other than a redirect (typically 200 from a web site, or 401/404): EWS counts only 301, 302, 303 and 307, so this fallback gives no host.",
        remediation: "Make http://autodiscover.<domain>/autodiscover/autodiscover.xml answer with a 302 to https://<Exchange host>/autodiscover/autodiscover.xml (IIS HTTP Redirect on a site without SSL required), or use the https or SRV methods instead.",
    },
    CauseInfo {
        code: "http.redirect_insecure",
        severity: Severity::Failure,
        stage: "https (of the port-80 step)",
        evidence: "the port-80 GET and the redirect response with its Location",
        meaning: "The port-80 GET was redirected, but not as EWS accepts: the Location is not https, or its path does not match `/autodiscover/([^/]+/)*autodiscover.xml` (or there is no Location). The summary says which.",
        remediation: "Redirect to https://<Exchange host>/autodiscover/autodiscover.xml exactly (IIS HTTP Redirect: 'Redirect all requests to exact destination', status Found 302).",
    },
    CauseInfo {
        code: "http.no_response",
        severity: Severity::Failure,
        stage: "https (of the port-80 step)",
        evidence: "the port-80 request",
        meaning: "The port-80 GET to autodiscover.<domain> was never answered.",
        remediation: "Check the web server or load balancer that serves autodiscover.<domain> on port 80.",
    },
    CauseInfo {
        code: "srv.no_port_443",
        severity: Severity::Failure,
        stage: "scp_url_dns (of the SRV step)",
        evidence: "the _autodiscover._tcp SRV query and its answer",
        meaning: "The _autodiscover._tcp.<domain> SRV records name only ports other than 443: EWS takes only port-443 targets (\"No appropriate SRV records were found.\").",
        remediation: "Publish `_autodiscover._tcp.<domain> SRV 0 0 443 <Exchange host>` (`Add-DnsServerResourceRecord -Srv -ZoneName <domain> -Name _autodiscover._tcp -DomainName <host> -Port 443 -Priority 0 -Weight 0`).",
    },
    CauseInfo {
        code: "https.no_response",
        severity: Severity::Failure,
        stage: "https",
        evidence: "the client's first application data record",
        meaning: "The TLS handshake completed but no HTTP response came back.",
        remediation: "Check the Autodiscover virtual directory and the application pool on the Exchange server (`Test-OutlookWebServices`).",
    },
];

/// The cause page (docs/causes.md): every code with its stage, meaning, evidence and fix.
/// The rule `chain::progress` applies, for people.
const WAY_FORWARD_RULE: &str = "
<a id=\"the-way-forward-rule\"></a>
## The way-forward rule

A chain breaks only where the client had no way forward. Every attempt of the client counts
(every DNS query and retry, every DC, connection, bind step, search and fallback host), and a
step that failed is where the chain broke only if the client never got past it:

| a failure at | is got past when this worked afterwards |
| --- | --- |
| dc_locator_dns | any directory step: a ping, a Kerberos ticket, an LDAP connection, bind, RootDSE read or SCP search (one SRV query that names a DC is enough: site-specific, pdc, gc, DomainDnsZones queries may be NXDOMAIN by design) |
| dc_locator_ping | an LDAP connection, bind, RootDSE read or SCP search |
| kerberos (AS exchange, tickets for `ldap/` or `GC/`) | the LDAP bind that gates the SCP search, or the SCP search (NTLM after a refused ticket); refusals of tickets for other services (`cifs/`, `host/`, `HTTP/`) are warnings, never the break |
| ldap_connect | a bind, RootDSE read or SCP search (a second DC after a refused one) |
| ldap_bind (the bind on the SCP search's connection, else the last one as someone) | the SCP search; a RootDSE read on another, anonymous connection is not |
| rootdse, scp_search and every host stage | HTTPS reached (through any candidate host or fallback) |

A failure got past is shown as a warning with its frames (stage status `recovered`); the first
stage in chain order that failed with no way forward is `broken_at`. When HTTPS was reached the
chain is complete, whatever failed on the way. `saslBindInProgress (14)` is a step of a bind,
not an answer: a client that unbinds or closes after it abandoned the bind
([`ldap.bind_abandoned`](#ldap-bind_abandoned)); a capture that ends there is incomplete.
";

pub fn catalogue_markdown() -> String {
    let mut out = String::from(
        "# Cause codes\n\nEvery cause capdiag gives, in chain order. Text and JSON output name the code; the anchor\n\
         of each section is the code with dots as dashes (e.g. `docs/causes.md#ldap-bind_failed`).\n\
         This page is generated from the catalogue in `src/chain/causes.rs` (a test keeps them equal).\n",
    );
    out.push_str(WAY_FORWARD_RULE);
    for c in CATALOGUE {
        let anchor = anchor_of(c.code);
        out.push_str(&format!(
            "\n## {}\n\n<a id=\"{anchor}\"></a>\n- **Stage:** {}\n- **Severity:** {}\n- **Meaning:** {}\n- **Evidence (frames):** {}\n- **Fix:** {}\n",
            c.code,
            c.stage,
            match c.severity {
                Severity::Failure => "failure (the stage fails)",
                Severity::Warning => "warning (the stage passes, a later step will suffer)",
                Severity::Info => "information",
            },
            c.meaning,
            c.evidence,
            c.remediation
        ));
    }
    out
}

fn anchor_of(catalogue_code: &str) -> String {
    catalogue_code.trim_end_matches(".*").replace('.', "-")
}

/// The anchor of a code's section in docs/causes.md (`tls.alert.unknown_ca` → `tls-alert`).
pub fn doc_anchor(code: &str) -> String {
    anchor_of(info(code).map_or(code, |c| c.code))
}

/// Looks a code up in the catalogue (`tls.alert.unknown_ca` finds `tls.alert.*`).
pub fn info(code: &str) -> Option<&'static CauseInfo> {
    CATALOGUE.iter().find(|c| match c.code.strip_suffix('*') {
        Some(prefix) => code.starts_with(prefix),
        None => c.code == code,
    })
}

/// A cause with the catalogue's remediation for its code.
pub fn cause(code: &str, summary: String, frames: Vec<u64>) -> Cause {
    let frames = super::model::frame_set(frames);
    let found = info(code);
    let remediation = found.map(|c| c.remediation).unwrap_or_default().to_string();
    let severity = found.map_or(Severity::Failure, |c| c.severity);
    Cause {
        severity,
        code: code.to_string(),
        summary,
        frames,
        remediation,
    }
}

/// A DNS lookup that did not give what was asked: by rcode, or no response.
pub fn dns_failure(name: &str, qtype: &str, rcode: Option<u16>, frames: Vec<u64>) -> Cause {
    match rcode {
        None => cause(
            "dns.no_response",
            format!("No response to the DNS {qtype} query for {name}."),
            frames,
        ),
        Some(3) => cause(
            "dns.nxdomain",
            format!("DNS says {name} does not exist (NXDOMAIN, {qtype} query)."),
            frames,
        ),
        Some(0) => cause(
            "dns.no_answer",
            format!("DNS has no {qtype} record for {name} (NOERROR, empty answer)."),
            frames,
        ),
        Some(r) => cause(
            "dns.servfail",
            format!(
                "DNS failed to answer the {qtype} query for {name} ({}).",
                rcode_name(r)
            ),
            frames,
        ),
    }
}

/// An LDAP result that is not success: its name and, for AD texts, the decoded diagnostic.
pub fn ldap_result_text(r: &LdapResult) -> String {
    let mut text = format!("{} ({})", result_name(r.code), r.code);
    if let Some(ad) = parse_ad_diagnostic(&r.diagnostic) {
        if let Some((name, meaning)) = ad.data.and_then(logon_data_meaning) {
            text.push_str(&format!(
                ": data {:x} = {name}, {meaning}",
                ad.data.unwrap_or_default()
            ));
        } else if let Some((name, meaning)) = win32_status_meaning(ad.status) {
            text.push_str(&format!(": {:08X} = {name}, {meaning}", ad.status));
        }
        if let Some(best) = ad.best_match.filter(|b| !b.is_empty()) {
            text.push_str(&format!("; best match {best}"));
        }
    }
    if !r.diagnostic.is_empty() {
        text.push_str(&format!(
            " — server text: \"{}\"",
            r.diagnostic.trim_end_matches('\0').trim()
        ));
    }
    text
}

pub fn tls_alert(alert: Option<u8>, sender: &str, host: &str, frames: Vec<u64>) -> Cause {
    match alert {
        Some(d) => {
            let name = alert_name(d);
            cause(
                &format!("tls.alert.{name}"),
                format!(
                    "The {sender} ended the TLS handshake with {host} with the alert {name} ({d})."
                ),
                frames,
            )
        }
        None => cause(
            "tls.alert.encrypted",
            format!("The {sender} sent an encrypted alert during the TLS handshake with {host}."),
            frames,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_codes_are_unique_and_have_fixes() {
        let mut codes: Vec<_> = CATALOGUE.iter().map(|c| c.code).collect();
        let n = codes.len();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), n);
        assert!(
            CATALOGUE
                .iter()
                .all(|c| !c.remediation.is_empty() && !c.meaning.is_empty())
        );
    }

    /// docs/causes.md is generated from the catalogue: rerun with CAPDIAG_UPDATE_DOCS=1 after a
    /// change to the catalogue, and review the diff.
    #[test]
    fn the_cause_page_is_the_catalogue() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/causes.md");
        let want = catalogue_markdown();
        if std::env::var_os("CAPDIAG_UPDATE_DOCS").is_some() {
            std::fs::write(path, &want).unwrap();
        }
        let page = std::fs::read_to_string(path).unwrap();
        assert!(
            page == want,
            "docs/causes.md is stale: rerun with CAPDIAG_UPDATE_DOCS=1"
        );
    }

    #[test]
    fn wildcard_codes_resolve() {
        assert_eq!(
            info("tls.alert.unknown_ca").map(|c| c.code),
            Some("tls.alert.*")
        );
        assert!(info("no.such").is_none());
        assert_eq!(
            dns_failure("x.test", "A", Some(3), vec![1, 2]).code,
            "dns.nxdomain"
        );
        assert_eq!(
            dns_failure("x.test", "A", Some(0), vec![]).code,
            "dns.no_answer"
        );
        assert_eq!(
            dns_failure("x.test", "A", Some(2), vec![]).code,
            "dns.servfail"
        );
        assert_eq!(
            dns_failure("x.test", "A", None, vec![]).code,
            "dns.no_response"
        );
    }

    #[test]
    fn bind_failure_text_decodes_the_ad_data_code() {
        let r = LdapResult {
            code: 49,
            matched_dn: String::new(),
            diagnostic: "80090308: LdapErr: DSID-0C0903A9, comment: AcceptSecurityContext error, data 52e, v1db1".into(),
            referral: vec![],
        };
        let t = ldap_result_text(&r);
        assert!(
            t.starts_with("invalidCredentials (49): data 52e = ERROR_LOGON_FAILURE"),
            "{t}"
        );
    }
}
