#!/usr/bin/env bash
# Runs one of Parley's examples (examples/src/main/java/dev/parley/examples) from the repository root,
# with assets/ on the classpath as a game has its assets. Builds the examples module through the
# Maven reactor when its sources (or the plugin's) changed. HelloBakedClip's clip is baked first
# (scripts/parley-tool.sh bake) when it is missing.
# Usage: scripts/example.sh NAME      e.g. scripts/example.sh HelloTalkingHead
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
examples="HelloTalkingHead HelloStreamedSpeech HelloBakedClip HelloManyCharacters HelloOwnCharacter"
name=${1:-}
if [ -z "$name" ] || [[ " $examples " != *" $name "* ]]; then
  echo "usage: scripts/example.sh NAME   (NAME: ${examples// /, })" >&2
  exit 2
fi
cd "$root"
scripts/setup-debian.sh
cp_file="$root/examples/target/classpath.txt"
stamp="$root/examples/target/classes/.built"
if [ ! -f "$stamp" ] || [ -n "$(find examples/src/main plugin/src/main examples/pom.xml plugin/pom.xml pom.xml \
     -newer "$stamp" -print -quit)" ]; then
  mvn -B -q -ntp -DskipTests -pl examples -am package \
    dependency:build-classpath -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime >&2
  touch "$stamp"
fi
baked="$root/examples/target/baked-assets"
if [ "$name" = HelloBakedClip ] && [ ! -f "$baked/Animations/Calm/greeting.j3o" ]; then
  scripts/parley-tool.sh bake assets/Sounds/Dialogue/greeting.ogg --style assets/Styles/calm.style.json \
    --out "$baked/Animations/Calm"
fi
mkdir -p "$baked"
exec java -cp "$root/examples/target/classes:$root/assets:$baked:$(cat "$cp_file")" "dev.parley.examples.$name"
