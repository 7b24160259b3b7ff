# scenarios-adv.sh - adversarial captures for reviewing capdiag's verdicts (sourced by
# adv-run.sh, a copy of make-samples-v2.sh). Same lab, same helpers; new orders of events.
ALLADV=(bind-fail-other-creds two-scp-first-timeout complete-then-unrelated-fail
        two-clients-concurrent kerberos-preauth-other-principal dns-retrans-cldap-drop
        scp-url-cname scp-midstream http-redirect-badpath retry-after-outage sealed-scp-refused)

CHAIN_LDAP3='
    out=$(ldapc ldap3-simple --host "$DC_IP" --password "$PW" rootdse scp site=Default-First-Site-Name); echo "$out"
    scp_urls_from "$out"; autodiscover contoso.test "${SCP_URLS[@]}"'

sc2_bind_fail_other_creds() {
  # conn 1: ldap3 simple bind crmsvc with a wrong password -> 49; conn 2: simple bind as
  # Administrator (good password): RootDSE, SCP, site; HTTPS to mail works
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  CCLI_ENV="ADMPW=$ADMINPASS" capture2 bind-fail-other-creds "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    ldapc ldap3-simple --host "$DC_IP" --password "Wrong-Pw-1!" rootdse scp site=Default-First-Site-Name || say "bind failed, trying another account"
    out=$(ldapc ldap3-simple --host "$DC_IP" --user Administrator --password "$ADMPW" rootdse scp site=Default-First-Site-Name); echo "$out"
    scp_urls_from "$out"; autodiscover contoso.test "${SCP_URLS[@]}"'
}

sc2_two_scp_first_timeout() {
  # two URL SCPs: EXCH01 -> mail2.contoso.test (10.99.0.4, 443 silently dropped), EXCH02 ->
  # mail.contoso.test; the client tries mail2 first (SYN x3, 3 s), then mail: HTTPS works
  publish_scp "https://mail2.contoso.test/Autodiscover/Autodiscover.xml"; nginx_start good
  local dn2="CN=EXCH02,CN=Autodiscover,CN=Protocols,$SERVER_DN"
  scp_entry_ldif "$dn2" EXCH02 "$SCP_URL_GOOD" > "$STATE/scp2.ldif"
  admin_ldap ldapadd -f "$STATE/scp2.ldif" >> "$STATE/ldapadd.log"
  sdns add "$DOMAIN" mail2 A "$WEB2_IP"
  nft_set "ip daddr $WEB2_IP tcp dport 443 drop"
  capture2 two-scp-first-timeout "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    out=$(ldapc ldap3-simple --host "$DC_IP" --password "$PW" rootdse scp site=Default-First-Site-Name); echo "$out"
    scp_urls_from "$out"; mapfile -t SCP_URLS < <(printf "%s\n" "${SCP_URLS[@]}" | LC_ALL=C sort -r); say "order: ${SCP_URLS[*]}"
    autodiscover contoso.test "${SCP_URLS[@]}"'
  nft_set ""
  admin_ldap ldapdelete "$dn2" >/dev/null 2>&1 || true
  sdns delete "$DOMAIN" mail2 A "$WEB2_IP"
}

sc2_complete_then_unrelated_fail() {
  # the complete chain (ldap3 simple), then 1 s later two unrelated LDAP connections whose
  # binds are refused: Administrator and crmsvc (!) with wrong passwords
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  capture2 complete-then-unrelated-fail "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    '"$CHAIN_LDAP3"'
    sleep 1
    ldapc ldap3-simple --host "$DC_IP" --user Administrator --password "Wrong-Pw-1!" rootdse || say "later bind refused (admin)"
    ldapc ldap3-simple --host "$DC_IP" --password "Wrong-Pw-2!" "search=DC=contoso,DC=test|sub|(sAMAccountName=jdoe)|cn" || say "later bind refused (crmsvc)"'
}

_two_clients_conc() {
  ccli "$NS_CLI" 'locate_dc contoso.test || exit 2
    '"$CHAIN_LDAP3" 2>&1 | sed 's/^/[10.99.0.2] /' &
  local p=$!
  sleep 0.05
  ccli "$NS_CLI5" 'locate_dc contoso.test || exit 2
    '"$CHAIN_LDAP3" 2>&1 | sed 's/^/[10.99.0.5] /'
  wait "$p"
}
sc2_two_clients_concurrent() {
  # captured on the DC bridge: 10.99.0.2 and 10.99.0.5 run the same chain at the same time;
  # 443 from 10.99.0.5 to mail is dropped (timeout), fallbacks fail for .5; .2 completes
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  nft_set "ip saddr $CLI5_IP ip daddr $WEB_IP tcp dport 443 drop"
  capture2 two-clients-concurrent "$NS_SRV" "$IF_BR" ip -- _two_clients_conc
  nft_set ""
}

sc2_kerberos_preauth_other_principal() {
  # MIT kinit Administrator with a wrong password -> PREAUTH_FAILED; kinit crmsvc ok;
  # ldapsearch GSSAPI (no layer): RootDSE, SCP; HTTPS to mail works
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  capture2 kerberos-preauth-other-principal "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    printf "%s\n" "Wrong-Pw-1!" | kinit Administrator@CONTOSO.TEST >/dev/null 2>&1 && say "kinit admin ok" || say "kinit admin failed"
    printf "%s\n" "$PW" | kinit crmsvc@CONTOSO.TEST >/dev/null && say "kinit crmsvc ok"
    L=(-LLL -o ldif-wrap=no -Y GSSAPI -N -O maxssf=0 -H ldap://dc1.contoso.test)
    ldapsearch "${L[@]}" -b "" -s base configurationNamingContext 2>&1 | sed "s/^/client: /"
    out=$(ldapsearch "${L[@]}" -b "CN=Configuration,DC=contoso,DC=test" -s sub "$SCP_FILTER" keywords serviceBindingInformation 2>/dev/null); echo "$out"
    mapfile -t SCP_URLS < <(sed -n "s/^serviceBindingInformation: //p" <<<"$out")
    autodiscover contoso.test "${SCP_URLS[@]}"'
}

sc2_dns_retrans_cldap_drop() {
  # UDP 53 from the client dropped for the first ~2.5 s (dig +tries=5 +time=1 retransmits the
  # SRV query until one is answered); UDP 389 (CLDAP) dropped throughout; LDAP over TCP works
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  nft_set "ip saddr $CLI_IP udp dport 53 drop
    ip saddr $CLI_IP udp dport 389 drop"
  ( sleep 2.5; nft_set "ip saddr $CLI_IP udp dport 389 drop" ) &
  local np=$!
  capture2 dns-retrans-cldap-drop "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    out=$(dig +tries=5 +time=1 +noall +comments +answer _ldap._tcp.dc._msdcs.contoso.test SRV); echo "$out" | sed "s/^/client: dig: /"
    resolve dc1.contoso.test; DC_IP=$HOST_IP
    cldap_ping "$DC_IP" contoso.test
    '"$CHAIN_LDAP3"
  wait "$np" || true
  nft_set ""
}

sc2_scp_url_cname() {
  # SCP URL https://ews.contoso.test/...; ews is a CNAME for mail.contoso.test; a lab-CA
  # certificate for ews + mail; HTTPS works
  publish_scp "https://ews.contoso.test/Autodiscover/Autodiscover.xml"; nginx_start good
  ( cd "$STATE/pki" &&
    openssl req -new -nodes -newkey ec -pkeyopt ec_paramgen_curve:P-256 -subj "/O=Contoso Lab/CN=ews.contoso.test" -keyout ews.key -out ews.csr &&
    printf '%s\n' "subjectAltName=DNS:ews.contoso.test,DNS:mail.contoso.test" "extendedKeyUsage=serverAuth" "basicConstraints=CA:false" > ews.ext &&
    openssl x509 -req -in ews.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -extfile ews.ext -out ews.crt ) >/dev/null 2>&1
  sed -i "s|$STATE/pki/mail.crt|$STATE/pki/ews.crt|; s|$STATE/pki/mail.key|$STATE/pki/ews.key|" "$STATE/nginx/nginx.conf"
  kill -HUP "$NGINX_PID"; sleep 0.7
  sdns add "$DOMAIN" ews CNAME mail.contoso.test
  capture2 scp-url-cname "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    '"$CHAIN_LDAP3"
  sdns delete "$DOMAIN" ews CNAME mail.contoso.test
  nginx_stop; publish_scp "$SCP_URL_GOOD"
}

_mid_go() {  # runs with tcpdump listening: let the held SCP answer through
  srv nft delete table inet advmid
  wait "$MID_PID"; cat "$STATE/client-mid-bg.log"
}
sc2_scp_midstream() {
  # one ldap3 connection: bind + RootDSE before the capture; the SCP search request is sent
  # before tcpdump starts and its answer is held by an nftables drop on the DC's output
  # (data segments only) until tcpdump listens: the capture starts with the (retransmitted)
  # SCP answer on an established connection, then the site lookup, unbind, HTTPS
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  local MID_PID i
  rm -f "$STATE/client/mid.ready" "$STATE/client/mid.go"
  ccli "$NS_CLI" 'locate_dc contoso.test || exit 2
    out=$(/usr/bin/python3 "$LABLIB/adv-mid.py" "$DC_IP" "$PW" "$LAB/mid.ready" "$LAB/mid.go"); echo "$out"
    scp_urls_from "$out"; autodiscover contoso.test "${SCP_URLS[@]}"' > "$STATE/client-mid-bg.log" 2>&1 &
  MID_PID=$!
  for i in $(seq 200); do [ -e "$STATE/client/mid.ready" ] && break; sleep 0.05; done
  printf 'table inet advmid {\n chain out {\n  type filter hook output priority 0; policy accept;\n  ip daddr %s tcp sport 389 ip length > 64 drop\n }\n}\n' "$CLI_IP" > "$STATE/advmid.nft"
  srv nft -f "$STATE/advmid.nft"
  touch "$STATE/client/mid.go"; sleep 0.8
  capture2 scp-midstream "$NS_CLI" "$IF_CLI" ip -- _mid_go
}

sc2_http_redirect_badpath() {
  # no SCP; contoso.test:443 RST; autodiscover.contoso.test (10.99.0.4) :443 RST; GET port 80
  # -> 302 https://mail.contoso.test/owa/ (not an autodiscover.xml URL: not followed); SRV NXDOMAIN
  remove_scp; nginx_start redirect
  sed -i 's|return 302 https://mail.contoso.test/autodiscover/autodiscover.xml;|return 302 https://mail.contoso.test/owa/;|' "$STATE/nginx/nginx.conf"
  kill -HUP "$NGINX_PID"; sleep 0.7
  sdns add "$DOMAIN" autodiscover A "$WEB2_IP"
  capture2 http-redirect-badpath "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    '"$CHAIN_LDAP3"
  sdns delete "$DOMAIN" autodiscover A "$WEB2_IP"
  nginx_stop; publish_scp "$SCP_URL_GOOD"
}

_outage_client() {
  ccli "$NS_CLI" 'locate_dc contoso.test || exit 2
    '"$CHAIN_LDAP3" || true
  nginx_start good; sleep 1
  ccli "$NS_CLI" 'locate_dc contoso.test || exit 2
    '"$CHAIN_LDAP3"
}
sc2_retry_after_outage() {
  # two whole discovery passes: the first while nginx is down (mail:443 RST, fallbacks fail),
  # the second after nginx started: HTTPS to mail works
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  capture2 retry-after-outage "$NS_CLI" "$IF_CLI" ip -- _outage_client
  nginx_stop
}

sc2_sealed_scp_refused() {
  # Samba ldb Kerberos sign+seal: sealed RootDSE + SCP search (the SCP is mail.contoso.test);
  # then mail.contoso.test:443 RST (nginx down) and the fallbacks fail
  publish_scp "$SCP_URL_GOOD"; nginx_stop
  capture2 sealed-scp-refused "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    out=$(ldapc samba-krb --host dc1.contoso.test --password "$PW" rootdse scp); echo "$out"
    scp_urls_from "$out"; autodiscover contoso.test "${SCP_URLS[@]}"'
}

# ---- second round
ALLADV2=(success-then-outage rebind-same-connection dual-capture-point)
ALLADV+=("${ALLADV2[@]}")

_success_then_outage_client() {
  ccli "$NS_CLI" 'locate_dc contoso.test || exit 2
    '"$CHAIN_LDAP3" || true
  nginx_stop; sleep 1
  ccli "$NS_CLI" 'locate_dc contoso.test || exit 2
    '"$CHAIN_LDAP3"
}
sc2_success_then_outage() {
  # two whole discovery passes: the first complete (HTTPS to mail), then nginx stops and the
  # second pass fails (mail:443 RST, fallbacks fail)
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  capture2 success-then-outage "$NS_CLI" "$IF_CLI" ip -- _success_then_outage_client
  nginx_stop
}

sc2_rebind_same_connection() {
  # ONE LDAP connection: bind crmsvc wrong password -> 49, rebind as Administrator -> success on
  # the same connection, RootDSE, SCP, site; HTTPS to mail works
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  CCLI_ENV="ADMPW=$ADMINPASS" capture2 rebind-same-connection "$NS_CLI" "$IF_CLI" ip -- ccli "$NS_CLI" '
    locate_dc contoso.test || exit 2
    out=$(/usr/bin/python3 "$LABLIB/adv-rebind.py" "$DC_IP" "Wrong-Pw-1!" "$ADMPW"); echo "$out"
    scp_urls_from "$out"; autodiscover contoso.test "${SCP_URLS[@]}"'
}

_dual_point_client() {  # a second tcpdump on the DC bridge while capture2's runs on the client veth
  local NSX p
  nsx "$NS_SRV"
  "${NSX[@]}" tcpdump -i "$IF_BR" -s 0 -U --immediate-mode -n -w "$OUT/dual-capture-point-dcside.pcap" "ip and host $CLI_IP" > /dev/null 2> "$STATE/tcpdump-dual.log" &
  p=$!
  for i in $(seq 50); do grep -qs 'listening on' "$STATE/tcpdump-dual.log" && break; sleep 0.1; done
  ccli "$NS_CLI" 'locate_dc contoso.test || exit 2
    '"$CHAIN_LDAP3" || true
  sleep 0.5; kill -INT "$p"; wait "$p" || true
}
sc2_dual_capture_point() {
  # the same run captured on the client veth (dual-capture-point.pcap) and on the DC bridge
  # (dual-capture-point-dcside.pcap): mail:443 silently dropped (timeout), fallbacks fail
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  nft_set "ip daddr $WEB_IP tcp dport 443 drop"
  capture2 dual-capture-point "$NS_CLI" "$IF_CLI" ip -- _dual_point_client
  nft_set ""
}
