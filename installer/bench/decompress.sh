#!/usr/bin/env bash
# Decodes a bzip2 -9 disk image with bzcat, lbzip2 and cairn, side by side, and prints the ratios.
# The image is 1 MiB of random bytes, then 1 MiB of zeros, and so on; it is made once and kept in
# installer/bench/target. Every command writes to /dev/null (cairn counts the bytes it reads).
# Usage: installer/bench/decompress.sh [RUNS] [SIZE_MIB]    (needs bzip2 and lbzip2)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs="${1:-5}"
mib="${2:-256}"
for t in bzip2 lbzip2; do
  command -v "$t" >/dev/null || { echo "decompress.sh: needs $t" >&2; exit 1; }
done
cores="$(nproc)"
out="$root/installer/bench/target"
mkdir -p "$out/classes"
cd "$root"
mvn -B -ntp -q -pl installer -am package -DskipTests
mvn -B -ntp -q -pl installer dependency:build-classpath -DincludeScope=runtime -Dmdep.outputFile="$out/classpath.txt" >/dev/null
cp="$root/installer/target/classes:$(cat "$out/classpath.txt")"
javac -d "$out/classes" -cp "$cp" installer/bench/DecompressBench.java
cp="$cp:$out/classes"

image="$out/image-${mib}MiB.bin.bz2"
if [ ! -e "$image" ]; then
  echo "making $image (bzip2 -9 of $mib MiB: a few minutes)" >&2
  java -cp "$cp" DecompressBench make "$out/image.bin" "$mib"
  bzip2 -9 -c "$out/image.bin" > "$image.part"
  rm "$out/image.bin"
  mv "$image.part" "$image"
fi
cat "$image" > /dev/null   # page cache warm for everyone
got="$(java -cp "$cp" DecompressBench decode "$image" "$cores")"
[ "$got" = "bzip2 $((mib << 20))" ] || { echo "decompress.sh: cairn decoded \"$got\"" >&2; exit 1; }

names=("bzcat" "lbzip2 -d (-n $cores)" "lbzip2 -d -n 1"
  "cairn, commons-compress decoder, threads=1" "cairn, commons-compress decoder, threads=$cores"
  "cairn, threads=1" "cairn, threads=$cores")
cmds=("bzcat $image"
  "lbzip2 -d -c -n $cores $image"
  "lbzip2 -d -c -n 1 $image"
  "java -cp $cp DecompressBench decode $image 1 commons-compress"
  "java -cp $cp DecompressBench decode $image $cores commons-compress"
  "java -cp $cp DecompressBench decode $image 1"
  "java -cp $cp DecompressBench decode $image $cores")

# The commands take turns, so that a slow spell of the machine hits them all alike.
declare -A times
for ((r = 0; r <= runs; r++)); do
  for i in "${!cmds[@]}"; do
    start=$(date +%s%N)
    ${cmds[$i]} > /dev/null
    end=$(date +%s%N)
    if [ "$r" -gt 0 ]; then   # run 0 is a warm-up
      times[$i]+="$(( (end - start) / 1000000 )) "
    fi
  done
done

median() { tr ' ' '\n' | grep -v '^$' | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
lbz=$(echo "${times[1]}" | median)
bzc=$(echo "${times[0]}" | median)
echo
echo "$mib MiB image, $(stat -c %s "$image") bytes of bzip2 -9; $runs runs each after a warm-up; $cores cores"
echo
echo "| Command | Median [s] | Min [s] | Max [s] | time vs. lbzip2 -d | speed vs. bzcat |"
echo "|:---|---:|---:|---:|---:|---:|"
for i in "${!cmds[@]}"; do
  med=$(echo "${times[$i]}" | median)
  min=$(echo "${times[$i]}" | tr ' ' '\n' | grep -v '^$' | sort -n | head -1)
  max=$(echo "${times[$i]}" | tr ' ' '\n' | grep -v '^$' | sort -n | tail -1)
  awk -v n="${names[$i]}" -v med="$med" -v min="$min" -v max="$max" -v l="$lbz" -v b="$bzc" 'BEGIN {
    printf "| %s | %.2f | %.2f | %.2f | %.2f | %.2f× |\n", n, med/1000, min/1000, max/1000, med/l, b/med }'
done
