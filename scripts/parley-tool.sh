#!/usr/bin/env bash
# Parley's modder tools (style list/extract/blend/presets, bake). Builds the tools module when its
# sources changed, then runs dev.parley.tools.ParleyTool with the given arguments.
# Usage: scripts/parley-tool.sh help
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cp_file="$root/tools/target/classpath.txt"
stamp="$root/tools/target/classes/.built"
if [ ! -f "$stamp" ] || [ -n "$(find "$root/tools/src/main" "$root/plugin/src/main" "$root/tools/pom.xml" "$root/plugin/pom.xml" -newer "$stamp" -print -quit)" ]; then
  (cd "$root" && mvn -B -q -ntp -DskipTests -pl tools -am package \
     dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2)
  touch "$stamp"
fi
exec java -Dparley.root="$root" -cp "$root/tools/target/classes:$(cat "$cp_file")" dev.parley.tools.ParleyTool "$@"
