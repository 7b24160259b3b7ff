#!/usr/bin/env bash
# client-run.sh - one Autodiscover run shaped like the EWS Managed API's SOAP pass
# (ExchangeService.AutodiscoverUrl on a domain-joined host), made of real clients:
#
#   1. DC locator: dig SRV _ldap._tcp.dc._msdcs.<ad domain>, then A and AAAA of the
#      target; a real CLDAP netlogon ping (UDP 389) with Samba's locator
#      (python3-samba Net.finddc, the code behind `net ads lookup`).
#   2. [--bind=gssapi] kinit (AS exchange with the KDC on the DC).
#   3. LDAP, one ldapsearch (so one TCP connection) per step, as OpenLDAP does:
#      bind + RootDSE read of configurationNamingContext; bind + SCP search
#      (subtree of the config NC, EWS's exact filter, attributes keywords
#      serviceBindingInformation); if URL SCPs came back, bind + the site lookup
#      EWS does to rank them (one-level search of CN=Sites).
#   4. Candidate hosts in EWS order: SCP URL hosts (ranked by Site= keyword), then
#      <smtp domain>, then autodiscover.<smtp domain>. For each: dig A and AAAA
#      (the client resolves itself and hands the address to curl with --resolve, so
#      every lookup appears once), then one curl on one TLS connection:
#      GET /autodiscover/autodiscover.xml, then POST /autodiscover/autodiscover.svc.
#      Success = the POST got 200. A 30x on the GET to an https .../autodiscover.xml
#      URL switches host.
#   5. GET http://autodiscover.<smtp domain>/autodiscover/autodiscover.xml (port 80, no
#      auto-redirect); a 30x to an https autodiscover.xml URL is followed (as if the
#      caller's redirection callback accepted it - EWS's default callback would refuse).
#   6. dig SRV _autodiscover._tcp.<smtp domain>; the first port-443 target is tried.
#   Stops at the first success. LDAP failures are swallowed as EWS does (empty SCP
#   list, go on with step 4) - except when the DC locator finds no DC at all: then
#   this client stops (the lab's choice for the srv-nxdomain sample).
#   Not done: EWS's second, legacy POX pass after a failed SOAP pass (it would repeat
#   the whole chain once more and double the capture).
#
# Runs INSIDE the client namespace (make-samples.sh calls it there). Options:
#   --ad-domain=D      domain of the service account (DC locator)   [contoso.test]
#   --smtp-domain=D    domain of the mailbox's SMTP address         [contoso.test]
#   --user=U --password=P   service account (bound as U@<ad domain>) [crmsvc]
#   --bind=simple|gssapi    LDAP bind kind                            [simple]
#   --secprops=S       SASL security properties for gssapi, e.g. maxssf=0 (no layer,
#                      default), minssf=1,maxssf=1 (signed), "" (sealed)
#   --cacert=FILE      CA that curl trusts (none: the system store, i.e. lab certs fail)
#   --smbconf=FILE     client smb.conf for the CLDAP ping (none: no CLDAP ping)
#   --connect-timeout=S  curl connect timeout                          [3]
# Exit: 0 a candidate answered, 1 no candidate answered, 2 no DC found.
set -u

AD_DOMAIN=contoso.test
SMTP_DOMAIN=contoso.test
USER_NAME=crmsvc
PASSWORD=
BIND=simple
SECPROPS=maxssf=0
CACERT=
SMBCONF=
CONNECT_TIMEOUT=3
for a in "$@"; do
  case $a in
    --ad-domain=*) AD_DOMAIN=${a#*=} ;;
    --smtp-domain=*) SMTP_DOMAIN=${a#*=} ;;
    --user=*) USER_NAME=${a#*=} ;;
    --password=*) PASSWORD=${a#*=} ;;
    --bind=*) BIND=${a#*=} ;;
    --secprops=*) SECPROPS=${a#*=} ;;
    --cacert=*) CACERT=${a#*=} ;;
    --smbconf=*) SMBCONF=${a#*=} ;;
    --connect-timeout=*) CONNECT_TIMEOUT=${a#*=} ;;
    *) echo "client-run.sh: unknown option $a" >&2; exit 64 ;;
  esac
done

SCP_FILTER='(&(objectClass=serviceConnectionPoint)(|(keywords=67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68)(keywords=77378F46-2C66-4aa9-A6A6-3E7A48B19596)))'
SCP_URL_GUID=77378F46-2C66-4aa9-A6A6-3E7A48B19596
UA='ExchangeServicesClient/15.00.0913.015'
EMAIL="crm@$SMTP_DOMAIN"
say() { echo "client: $*"; }

# dns NAME TYPE: one query to the resolver in /etc/resolv.conf.
# Sets DNS_RCODE (NOERROR, NXDOMAIN, SERVFAIL, ..., or NORESPONSE) and DNS_ANS (rdata lines).
dns() {
  local out
  out=$(dig +tries=1 +time=3 +noall +comments +answer "$1" "$2" 2>&1)
  DNS_RCODE=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out" | head -1)
  [ -n "$DNS_RCODE" ] || DNS_RCODE=NORESPONSE
  DNS_ANS=$(awk -v t="$2" '$1 !~ /^;/ && $4 == t { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' <<<"$out")
  say "DNS $2 $1 -> $DNS_RCODE${DNS_ANS:+ [$(tr '\n' ' ' <<<"$DNS_ANS" | sed 's/ $//')]}"
}

# resolve HOST: A then AAAA (as getaddrinfo would); sets HOST_IP (first A) or "".
# Results are cached for the run, like the Windows DNS client cache.
declare -A RESOLVED=()
resolve() {
  local h=${1,,}
  if [ -n "${RESOLVED[$h]+x}" ]; then HOST_IP=${RESOLVED[$h]}; return; fi
  dns "$h" A
  HOST_IP=$(head -1 <<<"$DNS_ANS")
  dns "$h" AAAA
  RESOLVED[$h]=$HOST_IP
}

# ---------------------------------------------------------------- 1. DC locator
dns "_ldap._tcp.dc._msdcs.$AD_DOMAIN" SRV
DC_NAME=$(awk '{ print $4 }' <<<"$DNS_ANS" | head -1)
DC_NAME=${DC_NAME%.}
if [ -z "$DC_NAME" ]; then
  say "DC locator found no DC for $AD_DOMAIN: stop"
  exit 2
fi
resolve "$DC_NAME"
DC_IP=$HOST_IP
if [ -z "$DC_IP" ]; then say "DC $DC_NAME has no address: stop"; exit 2; fi
SITE=""
CLDAP_PY='
import sys
from samba import param, credentials
from samba.net import Net
from samba.dcerpc import nbt
lp = param.LoadParm(); lp.load(sys.argv[1])
c = credentials.Credentials(); c.guess(lp); c.set_anonymous()
r = Net(creds=c, lp=lp).finddc(address=sys.argv[2], domain=sys.argv[3],
        flags=nbt.NBT_SERVER_LDAP | nbt.NBT_SERVER_DS | nbt.NBT_SERVER_WRITABLE)
print("Domain Controller:", r.pdc_dns_name); print("Client Site Name:", r.client_site)
'
if [ -n "$SMBCONF" ]; then
  # A real CLDAP netlogon ping (LDAP search of the RootDSE Netlogon attribute on UDP
  # 389) from Samba's own DC locator code: one request with (DnsDomain=..)(NtVer=..)
  # to the DC found above. (`net ads lookup -S <dc>` would also work but sends the
  # ping twice and without DnsDomain; without -S it redoes the SRV lookup itself.)
  if ping_out=$(/usr/bin/python3 -c "$CLDAP_PY" "$SMBCONF" "$DC_IP" "$AD_DOMAIN" 2>&1); then
    say "CLDAP ping $DC_IP -> ok"
  else
    say "CLDAP ping $DC_IP -> failed: $(tail -1 <<<"$ping_out")"
  fi
  SITE=$(sed -n 's/^Client Site Name: *//p' <<<"$ping_out")
  say "client site: ${SITE:-<none>}"
fi
[ -n "$SITE" ] || SITE=Default-First-Site-Name   # Netlogon's cached site name

# ---------------------------------------------------------------- 2./3. LDAP
LDAP_OK=1
if [ "$BIND" = gssapi ]; then
  LDAP_ARGS=(-Y GSSAPI -N -O "$SECPROPS" -H "ldap://$DC_NAME")
  if ! kinit_out=$(printf '%s\n' "$PASSWORD" | kinit "$USER_NAME@${AD_DOMAIN^^}" 2>&1); then
    say "kinit failed: $(tail -1 <<<"$kinit_out")"
    LDAP_OK=0
  else
    say "kinit ok"
  fi
else
  LDAP_ARGS=(-x -D "$USER_NAME@$AD_DOMAIN" -w "$PASSWORD" -H "ldap://$DC_IP")
fi
ldap() { ldapsearch -LLL -o ldif-wrap=no -o nettimeout=3 "${LDAP_ARGS[@]}" "$@" 2>&1; }

SCP_URLS=()
if [ $LDAP_OK = 1 ]; then
  if out=$(ldap -b "" -s base configurationNamingContext); then
    CONFIG_NC=$(sed -n 's/^configurationNamingContext: //p' <<<"$out")
    say "RootDSE: configurationNamingContext=$CONFIG_NC"
  else
    say "LDAP RootDSE read failed: $(grep -v '^SASL' <<<"$out" | tr '\n' ' ')"; LDAP_OK=0
  fi
fi
if [ $LDAP_OK = 1 ] && [ -n "$CONFIG_NC" ]; then
  if out=$(ldap -b "$CONFIG_NC" -s sub "$SCP_FILTER" keywords serviceBindingInformation); then
    # entries with the URL GUID and a serviceBindingInformation value, ranked like
    # DirectoryHelper.cs: 1 Site=<our site>, 2 no Site= keyword (inserted in front), 3 other site
    ranked=$(awk -v guid="$SCP_URL_GUID" -v site="$SITE" '
      function flush() {
        if (dn != "" && isurl && sbi != "") {
          p = hassite ? (oursite ? 1 : 3) : 2
          n++; prio[n] = p; url[n] = sbi; ord[n] = (p == 2 ? -n : n)
        }
        dn = ""; isurl = 0; sbi = ""; hassite = 0; oursite = 0
      }
      /^dn: / { flush(); dn = substr($0, 5) }
      /^keywords: / { k = substr($0, 11)
        if (tolower(k) == tolower(guid)) isurl = 1
        if (tolower(k) ~ /^site=/) { hassite = 1; if (tolower(k) == "site=" tolower(site)) oursite = 1 } }
      /^serviceBindingInformation: / && sbi == "" { sbi = substr($0, 28) }
      END { flush(); for (i = 1; i <= n; i++) print prio[i], ord[i], url[i] }' <<<"$out" |
      sort -k1,1n -k2,2n | awk '{ print $3 }')
    while read -r u; do [ -n "$u" ] && SCP_URLS+=("$u"); done <<<"$ranked"
    say "SCP search: $(grep -c '^dn: ' <<<"$out") entries, URLs: ${SCP_URLS[*]:-<none>}"
    if [ ${#SCP_URLS[@]} -gt 0 ]; then
      # ActiveDirectorySite.FindByName(site): one-level search of CN=Sites
      ldap -b "CN=Sites,$CONFIG_NC" -s one \
        "(&(objectClass=site)(objectCategory=site)(name=$SITE))" distinguishedName >/dev/null ||
        say "site lookup failed"
    fi
  else
    say "LDAP SCP search failed: $(tr '\n' ' ' <<<"$out")"
  fi
fi

# ---------------------------------------------------------------- 4.-6. HTTPS candidates
BODY="<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:a=\"http://schemas.microsoft.com/exchange/2010/Autodiscover\" xmlns:wsa=\"http://www.w3.org/2005/08/addressing\" xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header><a:RequestedServerVersion>Exchange2010</a:RequestedServerVersion><wsa:Action>http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettings</wsa:Action><wsa:To>https://HOST/autodiscover/autodiscover.svc</wsa:To></soap:Header><soap:Body><a:GetUserSettingsRequestMessage><a:Request><a:Users><a:User><a:Mailbox>$EMAIL</a:Mailbox></a:User></a:Users><a:RequestedSettings><a:Setting>InternalEwsUrl</a:Setting><a:Setting>ExternalEwsUrl</a:Setting></a:RequestedSettings></a:Request></a:GetUserSettingsRequestMessage></soap:Body></soap:Envelope>"
CURL_TLS=()
[ -n "$CACERT" ] && CURL_TLS=(--cacert "$CACERT")
ERRF=$(mktemp)
trap 'rm -f "$ERRF"' EXIT
REDIRECT_RE='^https://([^/]+)/autodiscover/([^/]+/)*autodiscover\.xml$'

# try_host HOST [HOPS]: SOAP-path probe of one host. Returns 0 on success.
try_host() {
  local host=${1,,} hops=${2:-0} res get post loc
  resolve "$host"
  [ -n "$HOST_IP" ] || { say "$host: no address, next"; return 1; }
  # one curl, two transfers on one TLS connection; --next resets per-transfer options
  local opts=(-sS --resolve "$host:443:$HOST_IP" "${CURL_TLS[@]}" --connect-timeout "$CONNECT_TIMEOUT"
              -m $((CONNECT_TIMEOUT + 5)) -A "$UA" -o /dev/null)
  res=$(curl --fail-early "${opts[@]}" -w '%{http_code} %{redirect_url}\n' "https://$host/autodiscover/autodiscover.xml" \
      --next "${opts[@]}" -X POST -H 'Content-Type: text/xml; charset=utf-8' --data-binary "${BODY//HOST/$host}" \
      -w '%{http_code}\n' "https://$host/autodiscover/autodiscover.svc" 2>"$ERRF")
  local rc=$?
  get=$(sed -n 1p <<<"$res"); post=$(sed -n 2p <<<"$res")
  say "https://$host: curl rc=$rc GET=${get%% *} POST=${post:-none} $(grep '^curl:' "$ERRF")"
  case ${get%% *} in
    301|302|303|307)
      loc=${get#* }
      if [[ ${loc,,} =~ $REDIRECT_RE ]] && [ "$hops" -lt 10 ]; then
        say "redirect to $loc"; try_host "${BASH_REMATCH[1]}" $((hops + 1)); return
      fi ;;
  esac
  [ "$post" = 200 ]
}

HOSTS=()
for u in "${SCP_URLS[@]}"; do h=${u#*://}; h=${h%%/*}; h=${h%%:*}; HOSTS+=("${h,,}"); done
HOSTS+=("${SMTP_DOMAIN,,}" "autodiscover.${SMTP_DOMAIN,,}")
declare -A SEEN=()
for h in "${HOSTS[@]}"; do
  [ -n "${SEEN[$h]+x}" ] && continue
  SEEN[$h]=1
  if try_host "$h"; then say "SUCCESS via https://$h"; exit 0; fi
done

# 5. plain-HTTP redirect probe
h=autodiscover.${SMTP_DOMAIN,,}
resolve "$h"
if [ -n "$HOST_IP" ]; then
  res=$(curl -sS --resolve "$h:80:$HOST_IP" --connect-timeout "$CONNECT_TIMEOUT" -m $((CONNECT_TIMEOUT + 5)) \
        -A "$UA" -o /dev/null -w '%{http_code} %{redirect_url}\n' "http://$h/autodiscover/autodiscover.xml" 2>"$ERRF")
  say "http://$h: $res $(grep '^curl:' "$ERRF")"
  code=${res%% *}; loc=${res#* }
  case $code in
    301|302|303|307)
      if [[ ${loc,,} =~ $REDIRECT_RE ]] && try_host "${BASH_REMATCH[1]}" 1; then
        say "SUCCESS via redirect to $loc"; exit 0
      fi ;;
  esac
fi

# 6. SRV record
dns "_autodiscover._tcp.${SMTP_DOMAIN,,}" SRV
t=$(awk '$3 == 443 { print $4; exit }' <<<"$DNS_ANS")
if [ -n "$t" ] && try_host "${t%.}" 1; then say "SUCCESS via SRV target ${t%.}"; exit 0; fi

say "The Autodiscover service couldn't be located."
exit 1
