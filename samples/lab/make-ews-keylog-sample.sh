#!/usr/bin/env bash
# make-ews-keylog-sample.sh - record the HTTPS sample of an EWS GetItem answer whose item carries
# a binary extended property with an EMPTY Value, readable with its TLS key log.
#
# WHAT IT DOES
#   Builds two network namespaces joined by one veth pair (no route anywhere else), as
#   make-tls-keylog-samples.sh does (netns-pair.sh), under names of its own:
#     cdews-srv: nginx on 10.99.0.3:443 (mail.contoso.test, self-signed certificate made here),
#                HTTP/1.1 only, answering
#                  POST /autodiscover/autodiscover.xml with an Autodiscover POX response
#                    (responseschema 2006a, EXCH and EXPR with EwsUrl), and
#                  POST /EWS/Exchange.asmx with a GetItemResponse in the documented shape:
#                    m:GetItemResponseMessage ResponseClass="Success", m:ResponseCode NoError,
#                    t:Message with t:ItemId Id/ChangeKey, t:Subject "Quarterly budget" and
#                    t:ExtendedProperty (t:ExtendedFieldURI PropertyTag="0x1013"
#                    PropertyType="Binary") whose t:Value is EMPTY
#     cdews-cli: the client 10.99.0.2 running ONE curl with SSLKEYLOGFILE (one TLS 1.3
#                connection, kept alive): first the POX request (EMailAddress
#                crmsvc@contoso.test), then (curl --next) the GetItem SOAP request for that
#                item with the property in AdditionalProperties, SOAPAction GetItem, with the
#                EWS Managed API's User-Agent
#   tcpdump on the client's veth writes the capture; curl writes the key log. No DNS (curl
#   --resolve), no directory.
#
# NEEDS
#   root, ip (iproute2), nginx, curl built with OpenSSL (SSLKEYLOGFILE), openssl, tcpdump.
#   Installs nothing. Starts its own nginx and stops it (by PID).
#
# WHAT IT WRITES (in samples/, overwritten)
#   https-keylog-ews-empty-binary.pcap + https-keylog-ews-empty-binary.keylog
#   The key log is a lab secret of throwaway keys, committed as a test fixture. The
#   .expect.toml beside the capture is hand-written and NOT touched.
#
# USAGE
#   sudo samples/lab/make-ews-keylog-sample.sh
#   LAB_OUT=DIR ...  write to DIR instead of samples/
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${LAB_OUT:-$(cd "$HERE/.." && pwd)}
NS_SRV=cdews-srv
NS_CLI=cdews-cli
IF_SRV=cde-srv
IF_CLI=cde-cli
CLI_IP=10.99.0.2
WEB_IP=10.99.0.3
HOST=mail.contoso.test
URL="https://$HOST/autodiscover/autodiscover.xml"
EWS_URL="https://$HOST/EWS/Exchange.asmx"
EWS_UA="ExchangeServicesClient/15.00.0913.015"

log() { printf '[ews-lab %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

[ "$(id -u)" = 0 ] || die "run as root (it creates network namespaces)"
for t in ip nginx curl openssl tcpdump; do
  command -v "$t" >/dev/null 2>&1 || die "missing tool: $t"
done

LAB_TAG=ews-lab
source "$HERE/tls-lab-lib.sh"

# ---------------------------------------------------------------- the EWS GetItem exchange
cat > "$STATE/getitem-request.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<soap:Envelope xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
               xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages"
               xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types"
               xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/">
  <soap:Header>
    <t:RequestServerVersion Version="Exchange2013_SP1" />
  </soap:Header>
  <soap:Body>
    <m:GetItem>
      <m:ItemShape>
        <t:BaseShape>IdOnly</t:BaseShape>
        <t:AdditionalProperties>
          <t:FieldURI FieldURI="item:Subject" />
          <t:ExtendedFieldURI PropertyTag="0x1013" PropertyType="Binary" />
        </t:AdditionalProperties>
      </m:ItemShape>
      <m:ItemIds>
        <t:ItemId Id="AAMkADk0ZTFlNmE3LWVkNGQtNGM5Zi1hOTYzLTNmZWI0ZDc1YjcyMgBGAAAAAAC7" ChangeKey="CQAAABYAAAC9tlIJZSgXQ7y8Bq2Hd0n1AAAAAAIb" />
      </m:ItemIds>
    </m:GetItem>
  </soap:Body>
</soap:Envelope>
XML
cat > "$STATE/www/getitem-response.xml" <<'XML'
<?xml version="1.0" encoding="utf-8"?>
<s:Envelope xmlns:s="http://schemas.xmlsoap.org/soap/envelope/">
  <s:Header>
    <h:ServerVersionInfo MajorVersion="15" MinorVersion="1" MajorBuildNumber="2507" MinorBuildNumber="6" Version="V2017_07_11" xmlns:h="http://schemas.microsoft.com/exchange/services/2006/types" xmlns="http://schemas.microsoft.com/exchange/services/2006/types" xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" />
  </s:Header>
  <s:Body xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">
    <m:GetItemResponse xmlns:m="http://schemas.microsoft.com/exchange/services/2006/messages" xmlns:t="http://schemas.microsoft.com/exchange/services/2006/types">
      <m:ResponseMessages>
        <m:GetItemResponseMessage ResponseClass="Success">
          <m:ResponseCode>NoError</m:ResponseCode>
          <m:Items>
            <t:Message>
              <t:ItemId Id="AAMkADk0ZTFlNmE3LWVkNGQtNGM5Zi1hOTYzLTNmZWI0ZDc1YjcyMgBGAAAAAAC7" ChangeKey="CQAAABYAAAC9tlIJZSgXQ7y8Bq2Hd0n1AAAAAAIb" />
              <t:Subject>Quarterly budget</t:Subject>
              <t:ExtendedProperty>
                <t:ExtendedFieldURI PropertyTag="0x1013" PropertyType="Binary" />
                <t:Value></t:Value>
              </t:ExtendedProperty>
            </t:Message>
          </m:Items>
        </m:GetItemResponseMessage>
      </m:ResponseMessages>
    </m:GetItemResponse>
  </s:Body>
</s:Envelope>
XML
mkdir -p "$STATE/www/EWS"
: > "$STATE/www/EWS/Exchange.asmx"

start_nginx "$(cat <<'LOCATIONS'
    location = /EWS/Exchange.asmx {
      if ($request_method != POST) { return 403; }
      error_page 405 =200 /getitem-response.xml;
    }
    location = /getitem-response.xml {
      internal;
      default_type "text/xml; charset=utf-8";
    }
LOCATIONS
)"

# ---------------------------------------------------------------- capture
NAME=https-keylog-ews-empty-binary
PCAP="$OUT/$NAME.pcap" KEYLOG="$OUT/$NAME.keylog"
rm -f "$PCAP" "$KEYLOG"
ip netns exec "$NS_CLI" tcpdump -i "$IF_CLI" -s 0 -U --immediate-mode -w "$PCAP" ip 2>/dev/null &
DUMP=$!
sleep 1
# One curl, one connection: --next keeps the connection pool, so the GetItem reuses it.
ip netns exec "$NS_CLI" env SSLKEYLOGFILE="$KEYLOG" \
  curl -sk --http1.1 --tlsv1.3 --resolve "$HOST:443:$WEB_IP" -A "$EWS_UA" -X POST \
    -H 'Content-Type: text/xml; charset=utf-8' --data-binary @"$STATE/request.xml" \
    -o "$STATE/pox.response" -w '%{http_code} %{num_connects}\n' "$URL" \
  --next -sk --http1.1 --tlsv1.3 --resolve "$HOST:443:$WEB_IP" -A "$EWS_UA" -X POST \
    -H 'Content-Type: text/xml; charset=utf-8' \
    -H 'SOAPAction: "http://schemas.microsoft.com/exchange/services/2006/messages/GetItem"' \
    --data-binary @"$STATE/getitem-request.xml" \
    -o "$STATE/getitem.response" -w '%{http_code} %{num_connects}\n' "$EWS_URL" >&2
sleep 1
kill -INT "$DUMP"; wait "$DUMP" || true
grep -q EwsUrl "$STATE/pox.response" || die "no Autodiscover response"
grep -q GetItemResponseMessage "$STATE/getitem.response" || die "no GetItem response"
log "$NAME: $(wc -l < "$KEYLOG") key log lines, capture $PCAP"
