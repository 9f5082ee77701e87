#!/usr/bin/env bash
# Builds Parley and starts the demo game. Extra arguments go to the demo (e.g. --scripted OUTDIR).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scripts/setup-debian.sh
mvn -B -q -ntp -DskipTests install
args="$*"
mvn -B -q -ntp -pl demo-game exec:java -Dexec.args="$args"
