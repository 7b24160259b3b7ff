# scenarios-sealed-secrets.sh - sealed LDAP captures pinned WITH the secret that opens them
# (issue 17): a scenario file for make-samples-v2.sh (sourced by it; see LAB_SCENARIO_FILE).
#
#   sudo LAB_SCENARIO_FILE=samples/lab/scenarios-sealed-secrets.sh LAB_ALL_VAR=ALL_SEALED \
#        samples/lab/make-samples-v2.sh
#
# Each scenario is one whole Autodiscover run on ONE LDAP connection (the ADSI shape):
# DC locator (SRV, A, CLDAP ping), Samba's python ldb bind with sign+seal, RootDSE read, the
# SCP search, the site lookup, then HTTPS to the SCP URL's host (nginx, TLS 1.3).
#   sasl-sealed-keytab  Kerberos (GSS-SPNEGO, MIT krb5 underneath), sealed; afterwards the DC's
#                       keys for the ticket's service are exported with samba-tool into
#                       samples/sasl-sealed-keytab.keytab (a throwaway lab DC's secret)
#   ntlm-sealed         Kerberos disabled: GSS-SPNEGO NTLMSSP, sealed; the account's password
#                       is written to samples/ntlm-sealed.passwords
ALL_SEALED=(sasl-sealed-keytab ntlm-sealed)

_sealed_run() { # IMPL: the whole run with Samba's python ldb as IMPL (samba-krb | samba-ntlm)
  ccli "$NS_CLI" "
    locate_dc contoso.test || exit 2
    out=\$(ldapc $1 --host dc1.contoso.test --password \"\$PW\" rootdse scp site=Default-First-Site-Name); echo \"\$out\"
    scp_urls_from \"\$out\"; autodiscover contoso.test \"\${SCP_URLS[@]}\""
}

sc2_sasl_sealed_keytab() {
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  capture2 sasl-sealed-keytab "$NS_CLI" "$IF_CLI" ip -- _sealed_run samba-krb
  # the ticket names ldap/dc1.contoso.test, whose keys are the DC machine account's (DC1$):
  # export both names (exportkeytab appends, so start from nothing)
  local kt="$OUT/sasl-sealed-keytab.keytab"
  rm -f "$kt"
  stool domain exportkeytab "$kt" --principal=ldap/dc1.contoso.test >/dev/null
  stool domain exportkeytab "$kt" --principal='DC1$' >/dev/null
  chmod 644 "$kt"
}

sc2_ntlm_sealed() {
  publish_scp "$SCP_URL_GOOD"; nginx_start good
  capture2 ntlm-sealed "$NS_CLI" "$IF_CLI" ip -- _sealed_run samba-ntlm
  printf '%s\\%s:%s\n' "$NBDOMAIN" "$SVCUSER" "$SVCPASS" > "$OUT/ntlm-sealed.passwords"
}
