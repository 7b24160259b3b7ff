#!/usr/bin/env bash
# show-key-frames.sh [PCAP...] - list the frames that carry each capture's story
# (DNS, CLDAP, Kerberos, LDAP operations, SYN/RST, TLS handshake and alerts, HTTP),
# to check a capture against its .expect.toml by eye. Needs tshark (optional tool,
# capdiag itself does not use it). Default: every samples/*.pcap.
set -euo pipefail
command -v tshark >/dev/null || { echo "show-key-frames.sh: needs tshark" >&2; exit 1; }
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -gt 0 ] || set -- "$HERE"/../*.pcap
FILTER='dns || cldap || kerberos || ldap || (tcp.flags.syn == 1 && tcp.flags.ack == 0) || tcp.flags.reset == 1 || tls.handshake.type == 1 || tls.handshake.type == 2 || tls.handshake.type == 11 || tls.alert_message || http'
for f in "$@"; do
  echo "=== $(basename "$f"): $(tshark -r "$f" 2>/dev/null | wc -l) frames"
  tshark -r "$f" -Y "$FILTER" \
    -T fields -E separator=' ' -e frame.number -e ip.src -e ip.dst -e _ws.col.Protocol -e _ws.col.Info 2>/dev/null |
    cut -c1-180
  tshark -r "$f" -Y 'ldap.errorMessage != ""' -T fields -e frame.number -e ldap.resultCode -e ldap.errorMessage 2>/dev/null |
    sed 's/^/  ldap error: frame /'
done
