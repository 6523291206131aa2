#!/bin/sh
# llmo launcher: this file is a POSIX shell script with the llmo jar appended; java reads the jar from this same
# file, as its class path (`-jar` would open it once more before main, to read the main class from the manifest: a
# pass over the central directory's ~5,000 entries in the interpreter, ~5 ms; only the commands that call models,
# which need the manifest's export, start so: see below). It passes which
# streams are terminals (for colours and prompts) and uses AppCDS archives (on a JDK 25 or newer named by LLMO_JAVA
# or JAVA_HOME, an AOT cache), made once per build and per path in the background, to start fast. LLMO_JAVA picks
# the java binary; LLMO_CDS=off disables the archives.
self=$0
case $self in */*) ;; *) self=$(command -v -- "$0") ;; esac
case $self in /*) ;; *) self=$PWD/$self ;; esac  # the class archive records the jar's path
java=${LLMO_JAVA:-${JAVA_HOME:+$JAVA_HOME/bin/}java}
tty=; [ -t 0 ] && tty=i; [ -t 1 ] && tty=${tty}o; [ -t 2 ] && tty=${tty}e
# C1 alone starts fastest; `log verify` hashes files of any size, where C2 (and its SHA-256 intrinsic) is ~10x faster.
# At the default thresholds C1 compiles ~2,000 methods in a `run` that mostly run a few hundred times: a quarter of
# the process's CPU. Four times the thresholds halve that work; the main thread and a 20,000-token stream take no
# longer (ADR-003, "Measured in issue 15").
# A long answer is hashed (SHA-256) and written as canonical JSON into the event log at the end of its call, each a
# loop over all of it. SHA-256's block reaches C1 after 8 blocks, which every run's start-up hashes (the event log's
# first lines): compiled beside the start-up, not in the answer's way (a short run measured the same; at 200 blocks,
# once the configuration's built-in files were no longer hashed at start-up, it was compiled only while the answer
# was hashed); the canonical writer's run of plain chars, which only a long string uses, after 24 runs. A 100 KB
# answer was mostly done in the interpreter: ~5 ms of a 20,000-token stream's end (ADR-003, "Eighth round, streaming"
# and "Sixteenth round").
jit="-XX:TieredStopAtLevel=1 -XX:CompileThresholdScaling=4 -XX:CompileCommand=quiet \
  -XX:CompileCommand=CompileThresholdScaling,sun.security.provider.SHA2::implCompress0,0.01 \
  -XX:CompileCommand=CompileThresholdScaling,dev.llmo.eventlog.CanonicalJson\$Bytes::addPlain,0.03"
# One C1 thread on a machine of one or two CPUs, as the JVM's old client mode had: the JVM starts two in this mode,
# and on two CPUs they took the cores from the main thread and the call's thread (a 20,000-token stream, whose
# methods C1 compiles while it streams, took 6-18 ms less; `--help` and `run` 3-4 ms less). A larger machine keeps the
# JVM's choice: there the compilers have cores of their own (ADR-003, "Twelfth round").
if [ -r /sys/devices/system/cpu/online ] && read -r line </sys/devices/system/cpu/online; then
  case $line in 0|0-1) jit="$jit -XX:CICompilerCount=1" ;; esac
fi
# A streamed answer is read in pieces through the JDK's socket: up to 128 KiB a call on a plain-HTTP call's own connection,
# 8 KiB through okio and OkHttp's body sources over TLS. Their read methods run once per piece, under the thresholds
# above, so they are compiled after 10 reads (a short answer takes fewer, so it compiles none of them). SHA-256's
# per-block helpers, which hash a long answer's content at its end, with its block (above): after 8 blocks; so are
# the call of the block and the byte swap of its words, which were compiled only while a 140 KB answer was hashed
# (ADR-003, "Twenty-fourth round"). So are the methods a long answer runs through once per event or once for all of
# it, whose loops otherwise ran interpreted: the stream parser's run of template events, the JDK's byte comparison
# with which it matches each event's framing (that one overload of Arrays.equals, and its range check: the start-up's
# second thread reads a few hundred made-up events, so that a stream's first read, a few thousand events, finds them
# compiled; ADR-003, "Twenty-fifth round"), a chunked body's reads (one chunk per event from most local servers),
# the comparison of the text shown with the answer's, and the canonical writer's string (ADR-003, "Tenth round",
# "Thirteenth round" and "Twenty-second round"). Only the commands that call models get these patterns, which every
# method the JVM sets up is matched against.
sub=   # the command: the first argument that is not an option (the root takes only options)
for arg in "$@"; do case $arg in -*) ;; *) sub=$arg; break ;; esac; done
remote=; for arg in "$@"; do [ "$arg" = --remote ] && remote=yes; done
# The commands that call models let OkHttp's platform probe see only the first security provider (OkHttpPlatform),
# which saves a model call ~20 ms of CPU (ADR-003, "Fifteenth round"). The JDK's class for that is internal: the jar's
# manifest exports its package (Add-Exports), which the JVM reads only when started with `-jar`. An `--add-exports`
# option would do the same but turn off the module graph of the class archive, which the JVM then builds at every
# start, ~14 ms before main; reading the manifest costs ~5 ms (ADR-003, "Twentieth round").
exports=
case $sub in run|chat|chain|batch) exports=manifest; jit="$jit \
  -XX:CompileCommand=CompileThresholdScaling,jdk.internal.util.ArraysSupport::vectorizedMismatch,0.01 \
  -XX:CompileCommand=CompileThresholdScaling,jdk.internal.util.ArraysSupport::mismatch,0.01 \
  -XX:CompileCommand=CompileThresholdScaling,java.util.Arrays::equals([BII[BII)Z,0.01 \
  -XX:CompileCommand=CompileThresholdScaling,java.util.Arrays::rangeCheck,0.01 \
  -XX:CompileCommand=CompileThresholdScaling,java.lang.StringLatin1::equals,0.01 \
  -XX:CompileCommand=CompileThresholdScaling,dev.llmo.provider.http.SseParser::template*,0.03 \
  -XX:CompileCommand=CompileThresholdScaling,dev.llmo.provider.http.LocalHttp\$Chunked::*,0.03 \
  -XX:CompileCommand=CompileThresholdScaling,dev.llmo.provider.http.ReadAheadSocket\$ReadAhead::*,0.03 \
  -XX:CompileCommand=CompileThresholdScaling,dev.llmo.eventlog.CanonicalJson::*String,0.03 \
  -XX:CompileCommand=CompileThresholdScaling,okio.*::read,0.05 \
  -XX:CompileCommand=CompileThresholdScaling,okio.AsyncTimeout*::*,0.05 \
  -XX:CompileCommand=CompileThresholdScaling,okio.Segment*::*,0.05 \
  -XX:CompileCommand=CompileThresholdScaling,okio.Buffer::writ*,0.05 \
  -XX:CompileCommand=CompileThresholdScaling,okhttp3.internal.*::read,0.05 \
  -XX:CompileCommand=CompileThresholdScaling,sun.nio.ch.NioSocketImpl*::*ead,0.05 \
  -XX:CompileCommand=CompileThresholdScaling,java.net.Socket\$SocketInputStream::read,0.05 \
  -XX:CompileCommand=CompileThresholdScaling,sun.security.provider.ByteArrayAccess::b2iBig64,0.01 \
  -XX:CompileCommand=CompileThresholdScaling,sun.security.provider.SHA2::implCompressCheck,0.01 \
  -XX:CompileCommand=CompileThresholdScaling,sun.security.provider.SHA2::implCompress,0.01 \
  -XX:CompileCommand=CompileThresholdScaling,java.lang.Integer::reverseBytes,0.01" ;;
esac
# `log verify` needs C2 only for the JDK digest's methods, which carry its SHA-256 instructions once C2 has compiled
# them; they come first in C2's queue. Everything else stays with C1: C2 gives up on any other method at once (a node
# limit of 1), and the JVM then compiles it with C1 without profiling. C2 compiling the verifier's scanner cost more
# CPU than it saved on 100 MiB. The verifier's own methods, and the JDK's Java SHA-256 rounds that run until C2 has
# compiled the digest, are compiled ten times sooner than the rest: the first chunks of a log ran interpreted
# (ADR-003, "Sixth round, log verify" and "Seventh round, log verify").
[ "${1:-} ${2:-}" = "log verify" ] && jit="-XX:CompileThresholdScaling=4 -XX:CompileCommand=quiet \
  -XX:CompileCommand=MaxNodeLimit,*::*,1 \
  -XX:CompileCommand=MaxNodeLimit,sun.security.provider.DigestBase::*,80000 \
  -XX:CompileCommand=MaxNodeLimit,sun.security.provider.SHA2::implDigest,80000 \
  -XX:CompileCommand=MaxNodeLimit,sun.security.provider.SHA2::implCompress,80000 \
  -XX:CompileCommand=CompileThresholdScaling,sun.security.provider.DigestBase::implCompressMultiBlock0,0.02 \
  -XX:CompileCommand=CompileThresholdScaling,sun.security.provider.DigestBase::engineUpdate,0.02 \
  -XX:CompileCommand=CompileThresholdScaling,sun.security.provider.DigestBase::engineDigest,0.02 \
  -XX:CompileCommand=CompileThresholdScaling,sun.security.provider.SHA2::implDigest,0.02 \
  -XX:CompileCommand=CompileThresholdScaling,sun.security.provider.SHA2::implCompress0,0.1 \
  -XX:CompileCommand=CompileThresholdScaling,dev.llmo.eventlog.*::*,0.1"
# the patterns hold '*', which the unquoted $flags below would otherwise expand as file names
set -f
# A JDK 25 or newer gets an AOT cache (JEP 483/514: classes loaded and linked, lambdas resolved) instead of a dynamic
# class archive; its release file beside bin/ says which JDK it is without starting one. `java` from PATH is taken to
# be the machine's default JDK (17) and is not looked into: that would cost a process per start.
jdk=
case $java in */bin/java)
  [ -r "${java%/bin/java}/release" ] && while IFS= read -r line; do
    case $line in JAVA_RUNTIME_VERSION=*)
      v=${line#*=}; v=${v#\"}; v=${v%\"}; major=${v%%[!0-9]*}
      [ -n "$major" ] && [ "$major" -ge 25 ] && jdk=$v
      break ;;
    esac
  done <"${java%/bin/java}/release" ;;
esac
# -Xshare:auto (the default anyway) cannot be given with an AOT cache, whose warnings go to stdout like CDS's
share=-Xshare:auto; [ -n "$jdk" ] && share=-Xlog:aot=off
# An AOT cache serves only a JVM started as it was made (with its class path, not `-jar`): a model call then runs
# without the exports, and the probe loads every provider, as it would anyway.
[ -n "$jdk" ] && exports=
# Transparent huge pages for the heap: a run touches ~25 MB of new heap, and its 4 KB page faults were 5-9% of each
# command's time (ADR-003, "Huge pages"). Only where the kernel has them and they are not off: a kernel without them
# would make the JVM warn (on stdout), and a JVM that is not Linux's does not know the flag.
thp=
if [ -r /sys/kernel/mm/transparent_hugepage/enabled ] && read -r line </sys/kernel/mm/transparent_hugepage/enabled; then
  case $line in *"[never]"*) ;; *) thp=-XX:+UseTransparentHugePages ;; esac
fi
# G1, whose archived heap lets the JVM map its module graph from the class archive instead of building it: ~9 ms less
# for a bare JVM's start on two CPUs, ~6 ms for `--help` and `models`, ~14 ms for a model call (ADR-003, "Nineteenth
# round" and "Twentieth round").
common="$thp -XX:-UsePerfData $share -Xlog:cds=off,cds+dynamic=off -Dllmo.tty=$tty -Dllmo.build=@BUILD_ID@"
flags="$jit -XX:+UseG1GC $common"
# The archives are made with the class path (no manifest read, so no exports), whichever command started their
# training; a start with `-jar` maps them too, the jar being the same class path.
train=$flags
# The archive belongs to this file at this path: the JVM silently ignores one recorded for another path or for
# another copy of the jar (an installed copy is another file), so each binary keeps its own under the cache,
# at its own path, and one older than the binary (the file was replaced) is made again. A ':' would split
# SharedArchiveFile in two: no archive then.
jar=$self binary= escaped=
# Whether the starter jar of this build (below) is there with both its links: a start from it needs all three.
starter_whole() {
  [ -f "$dir/@BUILD_ID@.start.jar" ] && [ -f "$dir/@BUILD_ID@.jar" ] && [ -f "$dir/@BUILD_ID@.finder.jar" ]
}
if [ "${LLMO_CDS:-on}" != off ]; then
  case ${XDG_CACHE_HOME:-} in /*) cache=$XDG_CACHE_HOME/llmo ;; *) cache=$HOME/.cache/llmo ;; esac
  dir=$cache$self.cds
  # JDK 17 uses none of an archive's classes from a class path that a URL would write otherwise (a space, a '%', a
  # letter outside ASCII...; the JDK's own classes still map), and a binary there started twice as slowly; a link is no
  # way round, the JVM resolves it. Such a binary's files are kept under its path with each such byte written ~ and
  # two hex digits (a '~' too; byte by byte whatever the shell and its locale), its path in a file beside them for
  # the cleanup below; on JDK 17 every command starts from its starter jar (below), whose class path names the binary
  # through a link: made first, and the archives made for it; -Dllmo.self names the binary itself to llmo (ADR-003,
  # "Twenty-sixth round"). JDK 25's AOT cache takes its classes from such a path as it is.
  case $self in *[!A-Za-z0-9/._-]*)
    escaped=$(LC_ALL=C && rest=$self && while [ -n "$rest" ]; do
        c=${rest%"${rest#?}"} rest=${rest#?}
        case $c in [A-Za-z0-9/._-]) printf %s "$c" ;; *) printf '~%02x' "'$c" ;; esac
      done)
    dir=$cache$escaped.cds
    [ -z "$jdk" ] && starter_whole && jar=$dir/@BUILD_ID@.start.jar binary=$self
    # a ':' splits a class path in two: no archive for such a binary (the check below), which no start finds anyway
    case $self in *:*) dir=$cache$self.cds ;; esac ;;
  esac
fi
# what follows the JVM's options: the jar and its main class, or the jar as a `-jar` start that reads the exports
if [ -n "$exports" ]; then set -- -jar "$jar" "$@"; else set -- -cp "$jar" dev.llmo.Main "$@"; fi
if [ "${LLMO_CDS:-on}" != off ]; then
  # an AOT cache serves only the JVM that made it: one per JDK (JAVA_RUNTIME_VERSION), so that changing JDKs does
  # not leave a cache that is silently refused and never made again
  if [ -n "$jdk" ]; then archive=$dir/@BUILD_ID@.jdk-$jdk.aot; use=-XX:AOTCache=; make=-XX:AOTCacheOutput=
  else archive=$dir/@BUILD_ID@.jsa; use=-XX:SharedArchiveFile=; make=-XX:ArchiveClassesAtExit=
  fi
  # JDK 17 maps two archives, the JDK's and llmo's (~33 MB), and rewrites every pointer in them before main (below):
  # `run` uses about half of each. Its own archive (a static one, the JDK's classes with llmo's, trained on runs
  # alone, ~23 MB) starts it ~30 ms sooner (ADR-003, "Eleventh round"). -Dllmo.cds names it to llmo, which deletes
  # it (and the general one) when the JVM refused it: a JDK updated in place would otherwise run without any archive.
  call=$dir/@BUILD_ID@.call.jsa
  # A run with that archive starts from a jar of its own beside it (StarterJar): a manifest and a service file, and the
  # binary on its class path through a link, so that no jar with the binary's ~5,300 central directory entries is
  # opened, neither to read the manifest before main nor to look for a service later (~11 ms of CPU; ADR-003,
  # "Twenty-first round"). The archive is made for that class path.
  starter=$dir/@BUILD_ID@.start.jar
  case $archive in *:*) ;; *)
    if [ "$archive" -nt "$self" ]; then
      # JDK 17 maps the class archives at a random address and rewrites every pointer in them (~33 MB) before main.
      # A command that uses a small part of them starts faster with them at the address they were made for (their
      # pages are then read as used); one that uses most of them (a model call, with its warm-up thread) does not:
      # its first writes to archive pages, spread over its run, cost more than the rewrite done at once. The commands
      # that talk to models or servers or hold keys keep the random address (ADR-003, "Sixth round (issue 15)").
      # IgnoreUnrecognized: a JDK without the flag starts as if it were not given.
      reloc=
      if [ -z "$jdk" ]; then
        reloc="-XX:+IgnoreUnrecognizedVMOptions -XX:+UnlockDiagnosticVMOptions -XX:ArchiveRelocationMode=0"
        case $sub in
          run|chat|chain|batch|vault|tools) reloc= ;;
          models) [ -n "$remote" ] && reloc= ;;   # asks the providers, with their keys
        esac
      fi
      if [ -z "$jdk" ] && [ "$sub" = run ] && [ "$call" -nt "$self" ]; then
        starter_whole && { shift 2; set -- -jar "$starter" "$@"; }
        exec "$java" $flags ${binary:+"-Dllmo.self=$binary"} "-Dllmo.cds=$call" "-XX:SharedArchiveFile=$call" "$@"
      fi
      exec "$java" $flags $reloc ${binary:+"-Dllmo.self=$binary"} "$use$archive" "$@"
    fi
    # Record the classes of the common paths once, off the critical path: the lock directory keeps it to one
    # trainer at a time, the rename makes the archive all-or-nothing. Then the archives of other builds of
    # this binary, and of binaries that no longer exist, are deleted.
    # A lock older than ten minutes belongs to a trainer that was killed: take it over.
    [ -d "$archive.lock" ] && [ -n "$(find "$archive.lock" -maxdepth 0 -mmin +10 2>/dev/null)" ] && rmdir "$archive.lock" 2>/dev/null
    if mkdir -p "$dir" 2>/dev/null && { [ -z "$escaped" ] || printf '%s\n' "$self" >"$dir/binary"; } &&
        mkdir "$archive.lock" 2>/dev/null; then
      ( cp=$self
        # a path a URL writes otherwise (above): the starter first, unless it is whole already (a command may be
        # starting from it)
        if [ -n "$escaped" ] && [ -z "$jdk" ]; then
          if [ "$jar" = "$starter" ] || "$java" -cp "$self" dev.llmo.Main __cds-train starter "$starter"; then
            cp=$starter
          fi
        fi
        "$java" $train "$make$archive.$$" -cp "$cp" dev.llmo.Main __cds-train && mv -f "$archive.$$" "$archive"
        rm -f "$archive.$$" "$archive.$$.config"
        if [ -z "$jdk" ]; then   # the runs' classes, each run in a JVM of its own, then the archive of them
          "$java" $train "$use$archive" -cp "$cp" dev.llmo.Main __cds-train call "$call.$$.list" "$starter" &&
            { from=$cp; [ -f "$starter" ] && from=$starter
              "$java" $train -Xshare:dump "-XX:SharedClassListFile=$call.$$.list" "-XX:SharedArchiveFile=$call.$$" \
                -cp "$from"; } && mv -f "$call.$$" "$call"
          rm -f "$call.$$" "$call.$$.list"
        fi
        rmdir "$archive.lock"
        set +f
        for old in "$dir"/*.jsa "$dir"/*.aot "$dir"/*.jar "$cache"/llmo-*.jsa; do   # llmo-*: 0.1.0's
          case $old in "$dir/@BUILD_ID@".*) ;; *) rm -f "$old" ;; esac
        done
        find "$cache" -type d -name '*.cds' | while IFS= read -r d; do
          b=${d#"$cache"} && b=${b%.cds}
          case $b in
            *~*) IFS= read -r b <"$d/binary" 2>/dev/null && [ -e "$b" ] || rm -rf "$d" ;;   # a path written as above
            # such a path as an earlier build named it: this binary's, or one whose binary is gone (an earlier
            # build of another binary still uses its own)
            *[!A-Za-z0-9/._-]*) [ "$d" != "$cache$self.cds" ] && [ -e "$b" ] || rm -rf "$d" ;;
            *) [ -e "$b" ] || rm -rf "$d" ;;
          esac
        done ) </dev/null >/dev/null 2>&1 &
    fi ;;
  esac
fi
exec "$java" $flags ${binary:+"-Dllmo.self=$binary"} "$@"
