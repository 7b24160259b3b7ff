# client-lib.sh - client-side steps for make-samples-v2.sh scenarios, sourced by bash
# inside a client namespace (make-samples-v2.sh's ccli). Same shapes as client-run.sh
# (dig, Samba's CLDAP ping, curl GET .xml + POST .svc on one TLS connection, EWS's
# candidate order), but as functions so each scenario composes its own run, with the
# LDAP part done by ldapc.py (ldap3, Samba python ldb, impacket) or ldapsearch.
# Environment: LAB (client state dir), LABLIB (this dir), SMBCONF_CLI, CACERT.
SCP_FILTER='(&(objectClass=serviceConnectionPoint)(|(keywords=67661d7F-8FC4-4fa7-BFAC-E1D7794C1F68)(keywords=77378F46-2C66-4aa9-A6A6-3E7A48B19596)))'
UA='ExchangeServicesClient/15.00.0913.015'
FAMILY=${FAMILY:-4}            # 6: resolve() takes the AAAA answer
DIG_OPTS=${DIG_OPTS:-}
CONNECT_TIMEOUT=${CONNECT_TIMEOUT:-3}
say() { echo "client: $*"; }

# dns NAME TYPE: one dig query; sets DNS_RCODE and DNS_ANS (rdata lines)
dns() {
  local out
  # shellcheck disable=SC2086
  out=$(dig $DIG_OPTS +tries=1 +time=3 +noall +comments +answer "$1" "$2" 2>&1)
  DNS_RCODE=$(sed -n 's/.*status: \([A-Z]*\),.*/\1/p' <<<"$out" | tail -1)
  [ -n "$DNS_RCODE" ] || DNS_RCODE=NORESPONSE
  DNS_ANS=$(awk -v t="$2" '$1 !~ /^;/ && $4 == t { $1 = $2 = $3 = $4 = ""; sub(/^ +/, ""); print }' <<<"$out")
  say "DNS $2 $1 -> $DNS_RCODE${DNS_ANS:+ [$(tr '\n' ' ' <<<"$DNS_ANS" | sed 's/ $//')]}"
}
# srv_targets NAME: SRV query, targets sorted by priority then weight (descending) -> SRV_TARGETS
srv_targets() {
  dns "$1" SRV
  mapfile -t SRV_TARGETS < <(awk 'NF >= 4 { sub(/\.$/, "", $4); print $1, -$2, $4 }' <<<"$DNS_ANS" | sort -k1,1n -k2,2n | awk '{ print $3 }')
}
declare -A RESOLVED=()
resolve() {  # resolve HOST: A then AAAA, cached; HOST_IP = first address of FAMILY
  local h=${1,,} a4 a6
  if [ -n "${RESOLVED[$h]+x}" ]; then HOST_IP=${RESOLVED[$h]}; return; fi
  dns "$h" A; a4=$(head -1 <<<"$DNS_ANS")
  dns "$h" AAAA; a6=$(head -1 <<<"$DNS_ANS")
  if [ "$FAMILY" = 6 ]; then HOST_IP=$a6; else HOST_IP=$a4; fi
  RESOLVED[$h]=$HOST_IP
}
# cldap_ping ADDR DOMAIN: Samba's DC locator ping (python3-samba Net.finddc); sets SITE
cldap_ping() {
  local out
  if out=$(/usr/bin/python3 - "$SMBCONF_CLI" "$1" "$2" 2>&1 <<'EOF'
import sys
from samba import param, credentials
from samba.net import Net
from samba.dcerpc import nbt
lp = param.LoadParm(); lp.load(sys.argv[1])
c = credentials.Credentials(); c.guess(lp); c.set_anonymous()
r = Net(creds=c, lp=lp).finddc(address=sys.argv[2], domain=sys.argv[3],
        flags=nbt.NBT_SERVER_LDAP | nbt.NBT_SERVER_DS | nbt.NBT_SERVER_WRITABLE)
print("Domain Controller:", r.pdc_dns_name); print("Client Site Name:", r.client_site)
EOF
  ); then say "CLDAP ping $1 -> ok"; else say "CLDAP ping $1 -> failed: $(tail -1 <<<"$out")"; fi
  SITE=$(sed -n 's/^Client Site Name: *//p' <<<"$out")
}
# locate_dc DOMAIN: generic SRV, first target, A/AAAA, CLDAP ping -> DC_NAME DC_IP
locate_dc() {
  srv_targets "_ldap._tcp.dc._msdcs.$1"
  DC_NAME=${SRV_TARGETS[0]:-}
  [ -n "$DC_NAME" ] || { say "no DC for $1"; return 1; }
  resolve "$DC_NAME"; DC_IP=$HOST_IP
  cldap_ping "$DC_IP" "$1"
}
ldapc() { /usr/bin/python3 "$LABLIB/ldapc.py" "$@"; }

BODY_T="<?xml version=\"1.0\" encoding=\"utf-8\"?><soap:Envelope xmlns:a=\"http://schemas.microsoft.com/exchange/2010/Autodiscover\" xmlns:wsa=\"http://www.w3.org/2005/08/addressing\" xmlns:soap=\"http://schemas.xmlsoap.org/soap/envelope/\"><soap:Header><a:RequestedServerVersion>Exchange2010</a:RequestedServerVersion><wsa:Action>http://schemas.microsoft.com/exchange/2010/Autodiscover/Autodiscover/GetUserSettings</wsa:Action><wsa:To>https://HOST/autodiscover/autodiscover.svc</wsa:To></soap:Header><soap:Body><a:GetUserSettingsRequestMessage><a:Request><a:Users><a:User><a:Mailbox>crm@contoso.test</a:Mailbox></a:User></a:Users><a:RequestedSettings><a:Setting>InternalEwsUrl</a:Setting><a:Setting>ExternalEwsUrl</a:Setting></a:RequestedSettings></a:Request></a:GetUserSettingsRequestMessage></soap:Body></soap:Envelope>"
REDIRECT_RE='^https://([^/]+)/autodiscover/([^/]+/)*autodiscover\.xml$'
# try_host HOST [HOPS]: GET .xml then POST .svc on one TLS connection; 0 if the POST got 200
try_host() {
  local host=${1,,} hops=${2:-0} res get post loc rc errf addr
  resolve "$host"
  [ -n "$HOST_IP" ] || { say "$host: no address, next"; return 1; }
  addr=$HOST_IP; [ "$FAMILY" = 6 ] && addr="[$HOST_IP]"
  errf=$(mktemp)
  local opts=(-sS --resolve "$host:443:$addr" --cacert "$CACERT" --connect-timeout "$CONNECT_TIMEOUT"
              -m $((CONNECT_TIMEOUT + 5)) -A "$UA" -o /dev/null)
  res=$(curl --fail-early "${opts[@]}" -w '%{http_code} %{redirect_url}\n' "https://$host/autodiscover/autodiscover.xml" \
      --next "${opts[@]}" -X POST -H 'Content-Type: text/xml; charset=utf-8' --data-binary "${BODY_T//HOST/$host}" \
      -w '%{http_code}\n' "https://$host/autodiscover/autodiscover.svc" 2>"$errf"); rc=$?
  get=$(sed -n 1p <<<"$res"); post=$(sed -n 2p <<<"$res")
  say "https://$host: curl rc=$rc GET=${get%% *} POST=${post:-none} $(grep '^curl:' "$errf")"
  rm -f "$errf"
  case ${get%% *} in
    301|302|303|307) loc=${get#* }
      if [[ ${loc,,} =~ $REDIRECT_RE ]] && [ "$hops" -lt 10 ]; then try_host "${BASH_REMATCH[1]}" $((hops + 1)); return; fi ;;
  esac
  [ "$post" = 200 ]
}
# autodiscover SMTP-DOMAIN URL...: EWS's candidates (SCP URL hosts, domain,
# autodiscover.domain), then the port-80 redirect probe and the SRV record
autodiscover() {
  local d=${1,,} u h hosts=() res code loc t; shift
  for u in "$@"; do h=${u#*://}; h=${h%%/*}; h=${h%%:*}; hosts+=("${h,,}"); done
  hosts+=("$d" "autodiscover.$d")
  local -A seen=()
  for h in "${hosts[@]}"; do
    [ -n "${seen[$h]+x}" ] && continue; seen[$h]=1
    if try_host "$h"; then say "SUCCESS via https://$h"; return 0; fi
  done
  h=autodiscover.$d; resolve "$h"
  if [ -n "$HOST_IP" ]; then
    res=$(curl -sS --resolve "$h:80:$HOST_IP" --connect-timeout "$CONNECT_TIMEOUT" -m $((CONNECT_TIMEOUT + 5)) \
          -A "$UA" -o /dev/null -w '%{http_code} %{redirect_url}\n' "http://$h/autodiscover/autodiscover.xml" 2>&1)
    say "http://$h: $res"; code=${res%% *}; loc=${res#* }
    case $code in 301|302|303|307)
      if [[ ${loc,,} =~ $REDIRECT_RE ]] && try_host "${BASH_REMATCH[1]}" 1; then say "SUCCESS via redirect"; return 0; fi ;;
    esac
  fi
  dns "_autodiscover._tcp.$d" SRV
  t=$(awk '$3 == 443 { print $4; exit }' <<<"$DNS_ANS")
  if [ -n "$t" ] && try_host "${t%.}" 1; then say "SUCCESS via SRV target ${t%.}"; return 0; fi
  say "The Autodiscover service couldn't be located."; return 1
}
# scp_urls_from OUTPUT: the "URL <url>" lines ldapc.py prints -> SCP_URLS
scp_urls_from() { mapfile -t SCP_URLS < <(sed -n 's/^URL //p' <<<"$1"); say "SCP URLs: ${SCP_URLS[*]:-<none>}"; }
