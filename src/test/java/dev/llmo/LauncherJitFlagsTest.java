package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The launcher names JDK classes and methods in {@code -XX:CompileCommand} flags (for {@code log verify}: which
 * methods C2 may compile, and how soon); the JVM ignores a pattern that matches nothing, silently (the flags are
 * {@code quiet}), so a typo or a JDK that renamed the method would only make {@code log verify} slower (without C2
 * for the digest, much slower). Each named class and method must exist in the JDK that runs the tests.
 */
class LauncherJitFlagsTest {
    private static final Pattern COMMAND = Pattern.compile(
            "-XX:CompileCommand=(CompileThresholdScaling|MaxNodeLimit),((?:[\\w.$]|\\\\\\$)+|[\\w.]+\\.\\*)::(\\w+|\\*)"
                    + "(\\([\\w\\[;/]*\\)[\\w\\[;/]+)?,([0-9.]+)");

    @Test
    void everyMethodTheLauncherTunesExists() throws Exception {
        String launcher = Files.readString(Path.of("src/main/launcher/llmo.sh"));
        Matcher m = COMMAND.matcher(launcher);
        List<String> named = new ArrayList<>();
        while (m.find()) {
            if (m.group(2).endsWith(".*") && !m.group(2).startsWith("dev.llmo.")) {
                continue; // a library's or the JDK's pattern: below
            }
            if (m.group(2).endsWith(".*")) {
                // a whole package: the verifier's, which must not move away from under the pattern
                String pkg = m.group(2).substring(0, m.group(2).length() - 2);
                assertThat(pkg).isEqualTo(dev.llmo.eventlog.ChainVerifier.class.getPackageName());
                named.add(m.group(1) + " " + pkg + ".*::" + m.group(3));
                continue;
            }
            // a nested class's '$' is escaped in the launcher's double-quoted string
            Class<?> type = Class.forName(m.group(2).replace("\\$", "$"));
            String method = m.group(3);
            if (!method.equals("*")) {
                assertThat(Arrays.stream(type.getDeclaredMethods()).map(Method::getName))
                        .as("%s::%s", type.getName(), method).contains(method);
            }
            if (m.group(4) != null) {
                // one overload by its descriptor: the JVM would silently match nothing if it changed
                assertThat(Arrays.stream(type.getDeclaredMethods()).filter(d -> d.getName().equals(method))
                        .map(d -> MethodType.methodType(d.getReturnType(), d.getParameterTypes())
                                .toMethodDescriptorString()))
                        .as("%s::%s", type.getName(), method).contains(m.group(4));
            }
            assertThat(Double.parseDouble(m.group(5))).isPositive();
            named.add(m.group(1) + " " + type.getSimpleName() + "::" + method);
        }
        assertThat(patterns(launcher)).containsOnlyKeys(STREAM_READ.keySet());
        for (Map.Entry<String, String> pattern : STREAM_READ.entrySet()) {
            String[] example = pattern.getValue().split("::");
            assertThat(Arrays.stream(Class.forName(example[0]).getDeclaredMethods()).map(Method::getName))
                    .as("%s, which %s should match", pattern.getValue(), pattern.getKey()).contains(example[1]);
            assertThat(matches(pattern.getKey(), pattern.getValue())).as(pattern.getKey()).isTrue();
        }
        assertThat(named).contains("CompileThresholdScaling Arrays::equals", "CompileThresholdScaling Arrays::rangeCheck",
                "CompileThresholdScaling StringLatin1::equals",
                "CompileThresholdScaling ArraysSupport::mismatch",
                "CompileThresholdScaling ArraysSupport::vectorizedMismatch");
        assertThat(named).contains("CompileThresholdScaling DigestBase::implCompressMultiBlock0",
                "CompileThresholdScaling SHA2::implDigest", "MaxNodeLimit DigestBase::*", "MaxNodeLimit SHA2::implDigest",
                "CompileThresholdScaling dev.llmo.eventlog.*::*", "CompileThresholdScaling SHA2::implCompress0",
                "CompileThresholdScaling Bytes::addPlain");
    }

    /**
     * The wildcard patterns of the model calls' stream (okio, OkHttp, the JDK's socket, llmo's own connection, stream
     * parser and canonical writer),
     * each with one method of today's code it must match: a pattern that matched nothing would leave those methods
     * interpreted, silently.
     */
    private static final Map<String, String> STREAM_READ = Map.ofEntries(
            Map.entry("okio.*::read", "okio.RealBufferedSource::read"),
            Map.entry("okio.AsyncTimeout*::*", "okio.AsyncTimeout::enter"),
            Map.entry("okio.Segment*::*", "okio.SegmentPool::recycle"),
            Map.entry("okio.Buffer::writ*", "okio.Buffer::writableSegment$okio"),
            Map.entry("okhttp3.internal.*::read", "okhttp3.internal.http1.Http1ExchangeCodec$FixedLengthSource::read"),
            Map.entry("sun.nio.ch.NioSocketImpl*::*ead", "sun.nio.ch.NioSocketImpl::implRead"),
            Map.entry("dev.llmo.provider.http.SseParser::template*", "dev.llmo.provider.http.SseParser::templateRun"),
            Map.entry("dev.llmo.eventlog.CanonicalJson::*String", "dev.llmo.eventlog.CanonicalJson::writeString"),
            Map.entry("dev.llmo.provider.http.LocalHttp$Chunked::*", "dev.llmo.provider.http.LocalHttp$Chunked::owed"),
            Map.entry("dev.llmo.provider.http.ReadAheadSocket$ReadAhead::*",
                    "dev.llmo.provider.http.ReadAheadSocket$ReadAhead::holdsLines"));

    /** The launcher's patterns with a wildcard, but the verifier's whole package (checked above). */
    private static Map<String, String> patterns(String launcher) {
        Matcher m = Pattern.compile("CompileThresholdScaling,([^,\\s]+),").matcher(launcher);
        Map<String, String> found = new java.util.TreeMap<>();
        while (m.find()) {
            String pattern = m.group(1).replace("\\$", "$");
            if (pattern.contains("*")
                    && !pattern.equals(dev.llmo.eventlog.ChainVerifier.class.getPackageName() + ".*::*")) {
                found.put(pattern, pattern);
            }
        }
        return found;
    }

    /** Whether a CompileCommand pattern (a '*' at either end of the class or method name) matches the method. */
    private static boolean matches(String pattern, String method) {
        String[] p = pattern.split("::");
        String[] m = method.split("::");
        return glob(p[0], m[0]) && glob(p[1], m[1]);
    }

    private static boolean glob(String pattern, String name) {
        if (pattern.equals("*")) {
            return true;
        }
        if (pattern.startsWith("*")) {
            return name.endsWith(pattern.substring(1));
        }
        if (pattern.endsWith("*")) {
            return name.startsWith(pattern.substring(0, pattern.length() - 1));
        }
        return pattern.equals(name);
    }
}
