#!/bin/sh
# llmo launcher: this file is a POSIX shell script with the llmo jar appended; `java -jar` reads the jar from
# this same file. It passes which streams are terminals (for colours and prompts) and uses an AppCDS archive,
# made once per build and per path in the background, to start fast. LLMO_JAVA picks the java binary; LLMO_CDS=off
# disables the archive.
self=$0
case $self in */*) ;; *) self=$(command -v -- "$0") ;; esac
case $self in /*) ;; *) self=$PWD/$self ;; esac  # the class archive records the jar's path
java=${LLMO_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
tty=; [ -t 0 ] && tty=i; [ -t 1 ] && tty=${tty}o; [ -t 2 ] && tty=${tty}e
# C1 alone starts fastest; `log verify` hashes files of any size, where C2 (and its SHA-256 intrinsic) is ~10x faster.
# At the default thresholds C1 compiles ~2,000 methods in a `run` that mostly run a few hundred times: a quarter of
# the process's CPU. Four times the thresholds halve that work; the main thread and a 20,000-token stream take no
# longer (ADR-003, "Measured in issue 15").
jit="-XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=4"
[ "${1:-} ${2:-}" = "log verify" ] && jit=-XX:CompileThresholdScaling=4
flags="$jit -XX:+UseSerialGC -XX:-UsePerfData -Xshare:auto -Xlog:cds=off,cds+dynamic=off -Dllmo.tty=$tty -Dllmo.build=@BUILD_ID@"
# The archive belongs to this file at this path: the JVM silently ignores one recorded for another path or for
# another copy of the jar (an installed copy is another file), so each binary keeps its own under the cache,
# at its own path, and one older than the binary (the file was replaced) is made again. A ':' would split
# SharedArchiveFile in two: no archive then.
if [ "${LLMO_CDS:-on}" != off ]; then
  case ${XDG_CACHE_HOME:-} in /*) cache=$XDG_CACHE_HOME/llmo ;; *) cache=$HOME/.cache/llmo ;; esac
  dir=$cache$self.cds
  jsa=$dir/@BUILD_ID@.jsa
  case $jsa in *:*) ;; *)
    if [ "$jsa" -nt "$self" ]; then
      exec "$java" $flags -XX:SharedArchiveFile="$jsa" -jar "$self" "$@"
    fi
    # Record the classes of the common paths once, off the critical path: the lock directory keeps it to one
    # trainer at a time, the rename makes the archive all-or-nothing. Then the archives of other builds of
    # this binary, and of binaries that no longer exist, are deleted.
    # A lock older than ten minutes belongs to a trainer that was killed: take it over.
    [ -d "$jsa.lock" ] && [ -n "$(find "$jsa.lock" -maxdepth 0 -mmin +10 2>/dev/null)" ] && rmdir "$jsa.lock" 2>/dev/null
    if mkdir -p "$dir" 2>/dev/null && mkdir "$jsa.lock" 2>/dev/null; then
      ( "$java" $flags -XX:ArchiveClassesAtExit="$jsa.$$" -jar "$self" __cds-train && mv -f "$jsa.$$" "$jsa"
        rm -f "$jsa.$$"; rmdir "$jsa.lock"
        for old in "$dir"/*.jsa "$cache"/llmo-*.jsa; do [ "$old" = "$jsa" ] || rm -f "$old"; done   # llmo-*: 0.1.0's
        find "$cache" -type d -name '*.cds' | while IFS= read -r d; do
          b=${d#"$cache"}; [ -e "${b%.cds}" ] || rm -rf "$d"
        done ) </dev/null >/dev/null 2>&1 &
    fi ;;
  esac
fi
exec "$java" $flags -jar "$self" "$@"
