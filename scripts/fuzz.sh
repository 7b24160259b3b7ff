#!/usr/bin/env bash
# Runs capdiag's cargo-fuzz targets (see docs/security.md, "Fuzzing").
#
#   scripts/fuzz.sh                 # every target, 10 minutes each, 2 at a time
#   scripts/fuzz.sh 120 dns ldap    # chosen targets, 120 s each
#   JOBS=1 scripts/fuzz.sh 600      # one at a time
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). On a stable toolchain the nightly-only flags
# cargo-fuzz passes are allowed with RUSTC_BOOTSTRAP=1, which this script sets.
# Corpora start from the payloads of samples/*.pcap (extracted by python3 if present) and live in
# fuzz/corpus/<target>; crashes land in fuzz/artifacts/<target>. Each run's last libFuzzer status
# line (execs, coverage) is printed at the end and logged in fuzz/logs/<target>.log.
# A crash found here becomes a regression input in tests/fuzz_regressions/<target>-<name>
# (tests/robust_fuzz_regressions.rs replays all of them on every `cargo test`).
set -euo pipefail

cd "$(dirname "$0")/.."
SECS=${1:-600}
shift || true
ALL=(capture_reader net_decode tcp_reassembly dns ldap cldap tls pipeline)
TARGETS=("$@")
[ ${#TARGETS[@]} -eq 0 ] && TARGETS=("${ALL[@]}")
JOBS=${JOBS:-2}
export RUSTC_BOOTSTRAP=1

command -v cargo-fuzz >/dev/null || { echo "fuzz.sh: install cargo-fuzz first: cargo install cargo-fuzz" >&2; exit 2; }

seed() {
  mkdir -p fuzz/corpus
  for t in "${ALL[@]}"; do mkdir -p "fuzz/corpus/$t"; done
  for f in samples/*.pcap; do
    cp "$f" fuzz/corpus/capture_reader/
    cp "$f" fuzz/corpus/pipeline/
  done
  cp tests/fuzz_regressions/* fuzz/corpus/pipeline/ 2>/dev/null || true
  command -v python3 >/dev/null || return 0
  # Cut the samples' UDP/TCP payloads into per-protocol seeds (Ethernet/IPv4 pcaps only).
  python3 - <<'PY'
import glob, os, struct
out = {53: "dns", 389: "ldap", 443: "tls"}
n = 0
for path in glob.glob("samples/*.pcap"):
    d = open(path, "rb").read()
    if d[:4] != b"\xd4\xc3\xb2\xa1":
        continue
    i = 24
    while i + 16 <= len(d):
        caplen = struct.unpack_from("<I", d, i + 8)[0]
        pkt = d[i + 16:i + 16 + caplen]
        i += 16 + caplen
        if len(pkt) < 34 or pkt[12:14] != b"\x08\x00":
            continue
        ip = pkt[14:]
        ihl = (ip[0] & 15) * 4
        proto, l4 = ip[9], ip[ihl:]
        if proto == 17 and len(l4) >= 8:
            sp, dp = struct.unpack_from(">HH", l4)
            pay = l4[8:]
            kind = "cldap" if 389 in (sp, dp) else out.get(sp) or out.get(dp)
        elif proto == 6 and len(l4) >= 20:
            sp, dp = struct.unpack_from(">HH", l4)
            pay = l4[(l4[12] >> 4) * 4:]
            kind = out.get(sp) or out.get(dp)
            if kind == "dns":
                pay = pay[2:]
        else:
            continue
        if not pay or not kind:
            continue
        n += 1
        open(f"fuzz/corpus/{kind}/seed-{n}", "wb").write(pay)
PY
}

run() {
  local t=$1
  mkdir -p fuzz/logs "fuzz/artifacts/$t"
  local rc=0
  (cd fuzz && cargo fuzz run -O --debug-assertions "$t" "corpus/$t" -- \
      -max_total_time="$SECS" -rss_limit_mb=2048 -timeout=10 -max_len=262144 \
      -artifact_prefix="artifacts/$t/" -print_final_stats=1) >"fuzz/logs/$t.log" 2>&1 || rc=$?
  echo "$t: exit $rc; $(grep -E '^(#[0-9]+|stat::number_of_executed_units|stat::peak_rss_mb)' "fuzz/logs/$t.log" | tail -3 | tr '\n' ' ')"
  ls "fuzz/artifacts/$t" | sed "s|^|  finding: fuzz/artifacts/$t/|"
}

seed
(cd fuzz && cargo fuzz build -O --debug-assertions)
running=0
for t in "${TARGETS[@]}"; do
  run "$t" &
  running=$((running + 1))
  if [ "$running" -ge "$JOBS" ]; then
    wait -n || true
    running=$((running - 1))
  fi
done
wait
