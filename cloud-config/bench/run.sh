#!/usr/bin/env bash
# JMH benchmark of the cloud-config validator: 30-line and 300-line documents, each beside a
# baseline of snakeyaml-engine only loading the same text. Usage: cloud-config/bench/run.sh
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
(cd "$here/../.." && mvn -q -B -DskipTests -pl cloud-config -am install)
(cd "$here" && mvn -q -B package)
java -cp "$here/target/classes:$here/target/lib/*" org.openjdk.jmh.Main -rf text -rff "$here/target/result.txt" "$@"
python3 - "$here/target/result.txt" <<'PY'
import re, sys
scores = {}
for line in open(sys.argv[1]):
    m = re.match(r"ValidateBench\.(\w+)\s+avgt\s+\d+\s+([\d.]+)", line.strip())
    if m:
        scores[m.group(1)] = float(m.group(2))
for size in ("030", "300"):
    v, b = scores.get("validate%sLines" % size), scores.get("baselineLoadOnly%sLines" % size)
    if v and b:
        print("%s lines: validate %.1f us/doc (%.0f docs/s), snakeyaml load only %.1f us/doc, ratio %.2fx"
              % (size.lstrip("0"), v, 1e6 / v, b, v / b))
PY
