# Shared helpers of the benchmark scripts (sourced, not run).

measure() { # prints "seconds peakKB" for one run of the command
  local out
  out=$(mktemp)
  /usr/bin/time -f '%e %M' -o "$out" "$@" >/dev/null 2>"$out.err" || { cat "$out.err" >&2; rm -f "$out" "$out.err"; return 1; }
  tail -1 "$out"
  rm -f "$out" "$out.err"
}

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
maxof() { sort -n | tail -1; }
