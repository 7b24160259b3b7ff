# scenarios-v2.sh - the scenarios of make-samples-v2.sh (sourced by it after make-samples.sh).
# Each sc2_NAME makes samples/NAME.pcap. Client scripts (the single-quoted strings) run
# inside a client namespace with client-lib.sh sourced (see ccli in make-samples-v2.sh);
# $PW is the service account's good password there, $LAB the client state dir.
ALL2=(rootdse-anon-then-bind-fail ntlm-bind-abandoned ntlm-bind-unfinished kerberos-only-preauth-failed
      partial-https-refused directory-only windows-workstation sealed-scp-unrelated-lookups
      dc-side-three-clients clock-skew spn-missing-ntlm-fallback srv-over-tcp
      sll2-any ipv6-only scp-pointer-followed scp-base-not-found first-dc-refuses site-srv-fallback
      nflog ldap-other-port)

ADMIN_LDAP_URL="ldap://$DC_IP"
V1RUN=(bash "$STATE/client-run.sh" --smbconf="$STATE/client/smb.conf" --cacert="$STATE/client/lab-ca.crt")

sc2_rootdse_anon_then_bind_fail() {
  # ldap3: conn 1 anonymous bind + RootDSE; conn 2 simple bind with a wrong password -> 49/52e;
  # the client gives up (no fallbacks)
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  capture2 rootdse-anon-then-bind-fail "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    ldapc ldap3-anon --host "$DC_IP" rootdse
    ldapc ldap3-simple --host "$DC_IP" --password "Wrong-Pw-1!" rootdse scp || { say "bind failed: giving up"; exit 1; }'
}

sc2_ntlm_bind_abandoned() {
  # DC locator, then a GSS-SPNEGO NTLM bind from impacket's builders on a raw socket:
  # NEGOTIATE -> saslBindInProgress + CHALLENGE -> unbind + close (no AUTHENTICATE)
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  capture2 ntlm-bind-abandoned "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    ldapc raw-ntlm-abandon --host "$DC_IP" --think 0.3'
}

_unfinished_client() {  # runs the abandoning client in the background until it holds the challenge
  local hold="$STATE/client/hold"
  touch "$hold"; rm -f "$hold.got-challenge"
  ccli "$NS_CLI" 'locate_dc contoso.test || exit 2
    ldapc raw-ntlm-abandon --host "$DC_IP" --hold-file "$LAB/hold"' > "$STATE/client-unfinished-bg.log" 2>&1 &
  UNF_PID=$!
  local i
  for i in $(seq 100); do [ -e "$hold.got-challenge" ] && break; sleep 0.05; done
  cat "$STATE/client-unfinished-bg.log"
}
sc2_ntlm_bind_unfinished() {
  # as ntlm-bind-abandoned, but tcpdump stops right after the CHALLENGE arrived (the client
  # holds the connection open meanwhile; it unbinds only after the capture ended)
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  local UNF_PID
  capture2 ntlm-bind-unfinished "$NS_CLI" "$IF_CLI" ip -- _unfinished_client
  rm -f "$STATE/client/hold"; wait "$UNF_PID" || true
}

sc2_kerberos_only_preauth_failed() {
  # capture filter "port 88": Heimdal kinit with a wrong password (DC locator not in the capture)
  printf '%s\n' 'Wrong-Pw-1!' > "$STATE/client/wrong.pw"
  capture2 kerberos-only-preauth-failed "$NS_CLI" "$IF_CLI" "port 88" -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    $HEIMDAL_KINIT --password-file="$LAB/wrong.pw" crmsvc@CONTOSO.TEST && say "kinit ok" || say "kinit failed"'
}

sc2_partial_https_refused() {
  # the client runs its lookup (DC locator, bind, RootDSE, SCP search: no SCP, contoso.test:443 RST)
  # BEFORE tcpdump starts; the capture holds only autodiscover.contoso.test: A/AAAA, SYN -> RST
  remove_scp; nginx_stop
  sdns add "$DOMAIN" autodiscover A "$WEB2_IP"
  ccli "$NS_CLI" 'locate_dc contoso.test; ldapc ldap3-simple --host "$DC_IP" --password "$PW" rootdse scp; try_host contoso.test' \
      > "$STATE/client-partial-before.log" 2>&1 || true
  capture2 partial-https-refused "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" 'try_host autodiscover.contoso.test'
  sdns delete "$DOMAIN" autodiscover A "$WEB2_IP"
}

sc2_directory_only() {
  # DC locator, impacket NTLM bind (GSS-SPNEGO, no sign/seal: readable), RootDSE, users,
  # PKI enrollment services, group members; no SCP search, no autodiscover name
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  capture2 directory-only "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    ldapc impacket-ntlm --host "$DC_IP" --password "$PW" rootdse \
      "search=DC=contoso,DC=test|sub|(&(objectCategory=person)(objectClass=user))|sAMAccountName,userPrincipalName" \
      "search=CN=Enrollment Services,CN=Public Key Services,CN=Services,CN=Configuration,DC=contoso,DC=test|one|(objectClass=pKIEnrollmentService)|cn,dNSHostName,certificateTemplates" \
      "search=CN=Domain Admins,CN=Users,DC=contoso,DC=test|base|(objectClass=group)|member"'
}

sc2_windows_workstation() {
  # a Windows 10 workstation's background domain traffic (no Autodiscover)
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  capture2 windows-workstation "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    S=Default-First-Site-Name
    for q in _ldap._tcp.$S._sites.dc._msdcs.contoso.test _ldap._tcp.dc._msdcs.contoso.test \
             _ldap._tcp.pdc._msdcs.contoso.test _ldap._tcp.gc._msdcs.contoso.test \
             _kerberos._tcp.$S._sites.dc._msdcs.contoso.test \
             _ldap._tcp.$S._sites.DomainDnsZones.contoso.test _ldap._tcp.$S._sites.ForestDnsZones.contoso.test \
             _ldap._tcp.Branch-Office._sites.dc._msdcs.contoso.test; do dns $q SRV; done
    resolve dc1.contoso.test; DC_IP=$HOST_IP
    cldap_ping "$DC_IP" contoso.test; cldap_ping "$DC_IP" contoso.test
    printf "%s\n" "$PW" | kinit crmsvc@CONTOSO.TEST >/dev/null && say "kinit ok"
    for spn in ldap/dc1.contoso.test cifs/dc1.contoso.test host/dc1.contoso.test HTTP/wsus.contoso.test; do
      kvno "$spn" 2>&1 | sed "s/^/client: kvno: /"
    done
    echo x | env KRB5CCNAME=FILE:$LAB/ccache.machine kinit "WS99\$@CONTOSO.TEST" 2>&1 | sed "s/^/client: kinit machine: /"
    cldap_ping "$DC_IP" contoso.test
    ldapc samba-krb --host dc1.contoso.test --password "$PW" rootdse \
      "search=DC=contoso,DC=test|sub|(&(objectCategory=computer)(sAMAccountName=DC1\$))|dNSHostName,servicePrincipalName" \
      "search=CN=Policies,CN=System,DC=contoso,DC=test|one|(objectClass=groupPolicyContainer)|displayName,gPCFileSysPath"
    for n in wpad.contoso.test wec.contoso.test v10.events.data.microsoft.com ctldl.windowsupdate.com; do dns $n A; done'
}

sc2_sealed_scp_unrelated_lookups() {
  # Kerberos sign+seal LDAP (Samba python ldb) with the real SCP search, then lookups of
  # wpad/wec/wdcp.microsoft.com only; nothing Autodiscover-named afterwards
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  capture2 sealed-scp-unrelated-lookups "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    ldapc samba-krb --host dc1.contoso.test --password "$PW" rootdse scp
    for n in wpad.contoso.test wec.contoso.test wdcp.microsoft.com; do dns $n A; done'
}

_three_clients() {
  publish_scp "$SCP_URL_GOOD"
  cli "${V1RUN[@]}" --password="$SVCPASS" 2>&1 | sed 's/^/[10.99.0.2] /'
  cli5 "${V1RUN[@]}" --password='Wrong-Pw-1!' 2>&1 | sed 's/^/[10.99.0.5] /'
  publish_scp "$SCP_URL_STALE"
  cli6 "${V1RUN[@]}" --password="$SVCPASS" 2>&1 | sed 's/^/[10.99.0.6] /'
  # the DC itself resolves an out-of-zone name: Samba forwards it to 10.99.0.9 (dns-fwd.py)
  srv dig +tries=1 +time=3 @127.0.0.1 time.windows.com A | grep -E 'status|^time' | sed 's/^/[dc] /'
  srv dig +tries=1 +time=3 @127.0.0.1 www.fabrikam.test A | grep -E 'status|^www' | sed 's/^/[dc] /'
}
sc2_dc_side_three_clients() {
  # capture on the DC's bridge: three clients (complete / bad password / stale SCP host) and
  # the DC's own forwarded DNS queries
  nginx_start good
  capture2 dc-side-three-clients "$NS_SRV" "$IF_BR" ip -- _three_clients
  publish_scp "$SCP_URL_GOOD"
}

_skew_wrappers() {  # kinit and ldapsearch (the Kerberos users) see a clock 10 minutes ahead
  # (libfaketime; dig under faketime hangs, and dig/curl/CLDAP do not care about the clock)
  local t
  for t in kinit ldapsearch; do
    printf '#!/bin/sh\nexec faketime -f +10m /usr/bin/%s "$@"\n' "$t" > "$STATE/bin/$t"; chmod +x "$STATE/bin/$t"
  done
}
sc2_clock_skew() {
  # the client's clock is 10 minutes ahead; MIT kinit with kdc_timesync = 0 (no
  # self-correction): PREAUTH_REQUIRED, then KRB_AP_ERR_SKEW; no LDAP; fallbacks fail
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  _skew_wrappers
  write_krb5_conf "$STATE/krb5-skew.conf" "$DC_IP" "    kdc_timesync = 0"
  capture2 clock-skew "$NS_CLI" "$IF_CLI" ip -- cli env KRB5_CONFIG="$STATE/krb5-skew.conf" \
      "${V1RUN[@]}" --password="$SVCPASS" --bind=gssapi --secprops=maxssf=0
  rm -f "$STATE/bin/kinit" "$STATE/bin/ldapsearch"
}
# Not made: a "clock skew, then corrected" sample. MIT kinit with its default kdc_timesync = 1
# takes the KDC's time from the PREAUTH_REQUIRED error and never sends a skewed timestamp, so
# such a run shows no KRB_AP_ERR_SKEW at all (tried: it is a plain complete chain).

sc2_spn_missing_ntlm_fallback() {
  # ldap/ SPNs of DC1$ removed: MIT kinit ok, ldapsearch -Y GSSAPI -> TGS-REQ ldap/dc1 ->
  # KDC_ERR_S_PRINCIPAL_UNKNOWN; the client falls back to NTLM (impacket, GSS-SPNEGO, no
  # sign/seal): RootDSE, SCP search, site lookup in clear; HTTPS to mail works
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  local spns s
  spns=$(stool spn list 'DC1$' 2>/dev/null | awk '/^[[:space:]]*ldap\//{print $1}')
  for s in $spns; do stool spn delete "$s" 'DC1$' >/dev/null 2>&1 || true; done
  capture2 spn-missing-ntlm-fallback "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    printf "%s\n" "$PW" | kinit crmsvc@CONTOSO.TEST >/dev/null && say "kinit ok"
    ldapsearch -LLL -Y GSSAPI -N -O maxssf=0 -H ldap://dc1.contoso.test -b "" -s base configurationNamingContext 2>&1 | sed "s/^/client: ldapsearch: /"
    out=$(ldapc impacket-ntlm --host "$DC_IP" --password "$PW" rootdse scp site=Default-First-Site-Name); echo "$out"
    scp_urls_from "$out"
    autodiscover contoso.test "${SCP_URLS[@]}"'
  for s in $spns; do stool spn add "$s" 'DC1$' >/dev/null 2>&1 || true; done
}

sc2_srv_over_tcp() {
  # 30 more SRV records for _ldap._tcp.dc._msdcs (priority 10): a 939-byte answer. Samba's
  # internal DNS never sets TC (it sends the whole answer over UDP even without EDNS), so the
  # client asks over TCP 53 itself (dig +tcp); then the normal chain with ldap3 simple binds
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  local i
  for i in $(seq -w 1 30); do sdns add "_msdcs.$DOMAIN" _ldap._tcp.dc SRV "rodc$i.branch.contoso.test 389 10 100"; done
  capture2 srv-over-tcp "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    DIG_OPTS=+tcp srv_targets _ldap._tcp.dc._msdcs.contoso.test
    DC_NAME=${SRV_TARGETS[0]}; say "${#SRV_TARGETS[@]} targets, first (priority 0) $DC_NAME"
    resolve "$DC_NAME"; DC_IP=$HOST_IP; cldap_ping "$DC_IP" contoso.test
    out=$(ldapc ldap3-simple --host "$DC_IP" --password "$PW" rootdse scp site=Default-First-Site-Name); echo "$out"
    scp_urls_from "$out"; autodiscover contoso.test "${SCP_URLS[@]}"'
  for i in $(seq -w 1 30); do sdns delete "_msdcs.$DOMAIN" _ldap._tcp.dc SRV "rodc$i.branch.contoso.test 389 10 100"; done
}

sc2_sll2_any() {
  # the complete chain (client-run.sh, as complete.pcap) captured with tcpdump -i any (SLL2)
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  TCPDUMP_EXTRA="-y LINUX_SLL2" capture2 sll2-any "$NS_CLI" any ip -- cli "${V1RUN[@]}" --password="$SVCPASS"
}

sc2_nflog() {
  # the complete chain captured from nftables "log group 5" rules in the client namespace
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  cat > "$STATE/nflog.nft" <<EOF
table inet cdlablog {
  chain in {
    type filter hook input priority 0; policy accept;
    iif "$IF_CLI" meta nfproto ipv4 log group 5
  }
  chain out {
    type filter hook output priority 0; policy accept;
    oif "$IF_CLI" meta nfproto ipv4 log group 5
  }
}
EOF
  cli nft -f "$STATE/nflog.nft"
  capture2 nflog "$NS_CLI" nflog:5 "" -- cli "${V1RUN[@]}" --password="$SVCPASS"
  cli nft delete table inet cdlablog
}

sc2_ipv6_only() {
  # the whole chain over IPv6: client fd99::2 (its IPv4 address removed for the run), DNS,
  # CLDAP, LDAP on fd99::1, HTTPS on fd99::3; AAAA records for dc1 and mail
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  sed -i "s|^\(\s*listen $WEB_IP:443 ssl;\)|\1\n    listen [$WEB_IP6]:443 ssl;|" "$STATE/nginx/nginx.conf"
  kill -HUP "$NGINX_PID"; sleep 0.5
  sdns add "$DOMAIN" dc1 AAAA "$DC_IP6"; sdns add "$DOMAIN" mail AAAA "$WEB_IP6"
  ip netns exec "$NS_CLI" sysctl -qw net.ipv6.conf.all.accept_ra=0 net.ipv6.conf.default.accept_ra=0 \
      net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.router_solicitations=0 \
      net.ipv6.conf.all.disable_ipv6=0 net.ipv6.conf.default.disable_ipv6=0
  ip netns exec "$NS_CLI" sysctl -qw net.ipv6.conf.$IF_CLI.disable_ipv6=0 net.ipv6.conf.$IF_CLI.accept_dad=0 \
      net.ipv6.conf.$IF_CLI.router_solicitations=0 net.ipv6.conf.$IF_CLI.accept_ra=0
  ip -n "$NS_CLI" addr add "$CLI_IP6/64" dev "$IF_CLI" nodad
  ip -n "$NS_CLI" addr del "$CLI_IP/24" dev "$IF_CLI"
  cp "$STATE/resolv.conf" "$STATE/resolv.conf.v4"
  printf 'nameserver %s\nsearch %s\noptions timeout:2 attempts:1\n' "$DC_IP6" "$DOMAIN" > "$STATE/resolv.conf"
  sleep 1
  capture2 ipv6-only "$NS_CLI" "$IF_CLI" "ip6 and not icmp6" -- ccli "$NS_CLI" '
    FAMILY=6
    srv_targets _ldap._tcp.dc._msdcs.contoso.test; DC_NAME=${SRV_TARGETS[0]}
    resolve "$DC_NAME"; DC_IP=$HOST_IP; cldap_ping "$DC_IP" contoso.test
    L=(-LLL -o ldif-wrap=no -x -D crmsvc@contoso.test -w "$PW" -H "ldap://[$DC_IP]")
    ldapsearch "${L[@]}" -b "" -s base configurationNamingContext
    out=$(ldapsearch "${L[@]}" -b "CN=Configuration,DC=contoso,DC=test" -s sub "$SCP_FILTER" keywords serviceBindingInformation); echo "$out"
    mapfile -t SCP_URLS < <(sed -n "s/^serviceBindingInformation: //p" <<<"$out")
    ldapsearch "${L[@]}" -b "CN=Sites,CN=Configuration,DC=contoso,DC=test" -s one "(&(objectClass=site)(objectCategory=site)(name=Default-First-Site-Name))" distinguishedName >/dev/null
    autodiscover contoso.test "${SCP_URLS[@]}"'
  cp "$STATE/resolv.conf.v4" "$STATE/resolv.conf"
  ip -n "$NS_CLI" addr add "$CLI_IP/24" dev "$IF_CLI"
  ip -n "$NS_CLI" addr del "$CLI_IP6/64" dev "$IF_CLI"
  ip netns exec "$NS_CLI" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  sdns delete "$DOMAIN" dc1 AAAA "$DC_IP6"; sdns delete "$DOMAIN" mail AAAA "$WEB_IP6"
  nginx_stop
}

sc2_scp_pointer_followed() {
  # the configuration NC holds only a pointer SCP (keyword 67661d7F-...) whose
  # serviceBindingInformation is LDAP://dc1.contoso.test/<DN>; the URL SCP lives under that DN
  # (in the domain NC, standing in for a resource forest). ldap3 simple bind follows it.
  remove_scp; nginx_start good
  cat > "$STATE/scp-ptr.ldif" <<EOF
dn: $SCP_DN_PTR
objectClass: serviceConnectionPoint
cn: EXCH-PTR
keywords: 67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68
keywords: Site=Default-First-Site-Name
serviceBindingInformation: LDAP://dc1.contoso.test/$RF_DN

dn: $RF_DN
objectClass: container

EOF
  scp_entry_ldif "$SCP_DN_RF" EXCH02 "$SCP_URL_GOOD" >> "$STATE/scp-ptr.ldif"
  admin_ldap ldapadd -f "$STATE/scp-ptr.ldif" >> "$STATE/ldapadd.log"
  capture2 scp-pointer-followed "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    out=$(ldapc ldap3-simple --host "$DC_IP" --password "$PW" rootdse scp follow site=Default-First-Site-Name); echo "$out"
    scp_urls_from "$out"; autodiscover contoso.test "${SCP_URLS[@]}"'
  admin_ldap ldapdelete "$SCP_DN_PTR" "$SCP_DN_RF" "$RF_DN" >/dev/null 2>&1 || true
  publish_scp "$SCP_URL_GOOD"
}

sc2_scp_base_not_found() {
  # OpenLDAP ldapsearch, simple binds: RootDSE ok, then the SCP search with the base of a
  # forest that does not exist here (CN=Configuration,DC=wrong,DC=test) -> noSuchObject (32);
  # fallbacks: contoso.test:443 RST, autodiscover NXDOMAIN, SRV NXDOMAIN
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  capture2 scp-base-not-found "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    L=(-LLL -o ldif-wrap=no -o nettimeout=3 -x -D crmsvc@contoso.test -w "$PW" -H "ldap://$DC_IP")
    ldapsearch "${L[@]}" -b "" -s base configurationNamingContext
    ldapsearch "${L[@]}" -b "CN=Configuration,DC=wrong,DC=test" -s sub "$SCP_FILTER" keywords serviceBindingInformation 2>&1
    autodiscover contoso.test'
}

sc2_first_dc_refuses() {
  # SRV: dc2 (weight 200, 10.99.0.7, TCP 389 rejected with a reset by nftables) and dc1.
  # OpenLDAP ldapsearch with both URIs tries dc2 (SYN -> RST), then dc1; the rest goes to dc1
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  sdns add "_msdcs.$DOMAIN" _ldap._tcp.dc SRV "dc2.contoso.test 389 0 200"
  sdns add "$DOMAIN" dc2 A "$DC2_IP"
  nft_set "ip daddr $DC2_IP tcp dport 389 reject with tcp reset"
  capture2 first-dc-refuses "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    srv_targets _ldap._tcp.dc._msdcs.contoso.test
    uris=(); for t in "${SRV_TARGETS[@]}"; do resolve "$t"; [ -n "$HOST_IP" ] && uris+=("ldap://$HOST_IP"); done
    resolve dc1.contoso.test; DC_IP=$HOST_IP; cldap_ping "$DC_IP" contoso.test
    L=(-LLL -o ldif-wrap=no -o nettimeout=3 -x -D crmsvc@contoso.test -w "$PW")
    ldapsearch "${L[@]}" -H "${uris[*]}" -b "" -s base configurationNamingContext dnsHostName
    out=$(ldapsearch "${L[@]}" -H "ldap://$DC_IP" -b "CN=Configuration,DC=contoso,DC=test" -s sub "$SCP_FILTER" keywords serviceBindingInformation); echo "$out"
    mapfile -t SCP_URLS < <(sed -n "s/^serviceBindingInformation: //p" <<<"$out")
    ldapsearch "${L[@]}" -H "ldap://$DC_IP" -b "CN=Sites,CN=Configuration,DC=contoso,DC=test" -s one "(&(objectClass=site)(objectCategory=site)(name=Default-First-Site-Name))" distinguishedName >/dev/null
    autodiscover contoso.test "${SCP_URLS[@]}"'
  nft_set ""
  sdns delete "_msdcs.$DOMAIN" _ldap._tcp.dc SRV "dc2.contoso.test 389 0 200"
  sdns delete "$DOMAIN" dc2 A "$DC2_IP"
}

sc2_site_srv_fallback() {
  # the client's cached site Branch-Office has no DC: site SRV NXDOMAIN, generic SRV works;
  # ldap3 simple bind, SCP, HTTPS
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  capture2 site-srv-fallback "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    srv_targets _ldap._tcp.Branch-Office._sites.dc._msdcs.contoso.test
    [ ${#SRV_TARGETS[@]} -gt 0 ] || locate_dc contoso.test || exit 2
    out=$(ldapc ldap3-simple --host "$DC_IP" --password "$PW" rootdse scp site=Default-First-Site-Name); echo "$out"
    scp_urls_from "$out"; autodiscover contoso.test "${SCP_URLS[@]}"'
}

sc2_ldap_other_port() {
  # socat on 10.99.0.1:10389 forwards to Samba's 389; OpenLDAP ldapsearch (simple binds) uses
  # ldap://10.99.0.1:10389 for RootDSE, SCP search and site lookup; HTTPS works
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  local NSX; nsx "$NS_SRV"
  "${NSX[@]}" socat TCP-LISTEN:10389,bind=$DC_IP,fork,reuseaddr TCP:$DC_IP:389 &
  local SOCAT_PID=$!; PIDS+=("$SOCAT_PID"); sleep 0.5
  capture2 ldap-other-port "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    L=(-LLL -o ldif-wrap=no -o nettimeout=3 -x -D crmsvc@contoso.test -w "$PW" -H "ldap://$DC_IP:10389")
    ldapsearch "${L[@]}" -b "" -s base configurationNamingContext
    out=$(ldapsearch "${L[@]}" -b "CN=Configuration,DC=contoso,DC=test" -s sub "$SCP_FILTER" keywords serviceBindingInformation); echo "$out"
    mapfile -t SCP_URLS < <(sed -n "s/^serviceBindingInformation: //p" <<<"$out")
    ldapsearch "${L[@]}" -b "CN=Sites,CN=Configuration,DC=contoso,DC=test" -s one "(&(objectClass=site)(objectCategory=site)(name=Default-First-Site-Name))" distinguishedName >/dev/null
    autodiscover contoso.test "${SCP_URLS[@]}"'
  stop_pid "$SOCAT_PID"
}
