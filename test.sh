#!/usr/bin/env bash
# ./test.sh — installs what the tests need when missing (apt, npm), builds, runs every suite
# (unit, functional, Python) and prints "N passed, N failed, N skipped" computed from the runners'
# results. Exit code non-zero on any failure. `./test.sh --full` also runs the full-scale tests.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export DOTNET_NOLOGO=1 DOTNET_CLI_TELEMETRY_OPTOUT=1 MOAT_HOME="$here"
config=Release
results="$here/artifacts/test-results"

if [ "${1:-}" = "--full" ]; then
  export MOAT_FULL=1
fi

say() { printf '%s\n' "$*"; }

# 1. System packages the tests use: Debian's protoc + grpcio for the independent Python client,
#    openssl (TLS refusal checks), SoftHSM + opensc (the HSM root of trust), docker-compose (the
#    compose file is checked with `docker-compose config`; no engine is needed or used).
apt_packages=(python3 python3-grpcio python3-protobuf protobuf-compiler protobuf-compiler-grpc openssl softhsm2 opensc docker-compose)
missing=()
for p in "${apt_packages[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  say "test.sh: installing ${missing[*]}"
  if [ "$(id -u)" = 0 ]; then sudo=""; else sudo="sudo"; fi
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null || {
    say "test.sh: could not install ${missing[*]}"; say "0 passed, 1 failed"; exit 1; }
fi
command -v dotnet >/dev/null || { say "test.sh: the .NET 10 SDK (dotnet) is required"; say "0 passed, 1 failed"; exit 1; }

# 2. npm packages go into a project-local folder (.deps/node), installed when missing.
if [ -f tests/node/package.json ]; then
  if [ ! -d .deps/node/node_modules ] || [ tests/node/package.json -nt .deps/node/node_modules ]; then
    mkdir -p .deps/node && cp tests/node/package.json .deps/node/ && [ ! -f tests/node/package-lock.json ] || cp tests/node/package-lock.json .deps/node/
    (cd .deps/node && npm install --no-audit --no-fund --loglevel=error) || { say "test.sh: npm install failed"; say "0 passed, 1 failed"; exit 1; }
  fi
fi

# 3. Build: the stack (as ./moat builds it) and every test project.
start=$(date +%s)
./moat build || { say "0 passed, 1 failed"; exit 1; }
dotnet build Microservices.sln -c "$config" -nologo -clp:ErrorsOnly -v q || { say "test.sh: build failed"; say "0 passed, 1 failed"; exit 1; }
say "test.sh: build took $(( $(date +%s) - start )) s"

rm -rf "$results" && mkdir -p "$results"
passed=0; failed=0; skipped=0

# 4. .NET suites, one at a time (two cores): counts from each run's TRX file.
for project in tests/*/*.Tests.csproj; do
  name="$(basename "$project" .csproj)"
  t0=$(date +%s)
  dotnet test "$project" -c "$config" --no-build --logger "trx;LogFileName=$name.trx" --results-directory "$results" \
    -- RunConfiguration.TestSessionTimeout=2400000 2>&1 | grep -vE '^\s*$' | tail -n 40
  trx="$results/$name.trx"
  if [ -f "$trx" ]; then
    read -r p f s < <(python3 - "$trx" <<'PY'
import sys, xml.etree.ElementTree as ET
c = ET.parse(sys.argv[1]).getroot().find('{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}ResultSummary/{http://microsoft.com/schemas/VisualStudio/TeamTest/2010}Counters')
total, passed, failed = int(c.get('total')), int(c.get('passed')), int(c.get('failed')) + int(c.get('error')) + int(c.get('timeout')) + int(c.get('aborted'))
print(passed, failed, max(0, total - passed - failed))
PY
)
  else
    p=0; f=1; s=0
    say "test.sh: $name produced no results (crashed or did not run): counted as a failure"
  fi
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
  say "test.sh: $name: $p passed, $f failed, $s skipped in $(( $(date +%s) - t0 )) s"
done

# 5. The independent Python client.
t0=$(date +%s)
py_out="$results/python.out"
/usr/bin/python3 tests/python/run.py >"$py_out" 2>&1
tail -n 30 "$py_out"
line="$(grep '^PYTHON-RESULT' "$py_out" | tail -n 1)"
if [ -n "$line" ]; then
  p="$(sed -E 's/.*passed=([0-9]+).*/\1/' <<<"$line")"; f="$(sed -E 's/.*failed=([0-9]+).*/\1/' <<<"$line")"; s="$(sed -E 's/.*skipped=([0-9]+).*/\1/' <<<"$line")"
else
  p=0; f=1; s=0; say "test.sh: the Python suite produced no results: counted as a failure"
fi
passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
say "test.sh: python: $p passed, $f failed, $s skipped in $(( $(date +%s) - t0 )) s"

say "test.sh: total time $(( $(date +%s) - start )) s"
say "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
