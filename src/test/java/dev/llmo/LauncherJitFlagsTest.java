package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Method;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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
            "-XX:CompileCommand=(CompileThresholdScaling|MaxNodeLimit),((?:[\\w.$]|\\\\\\$)+|[\\w.]+\\.\\*)::(\\w+|\\*),([0-9.]+)");

    @Test
    void everyMethodTheLauncherTunesExists() throws Exception {
        String launcher = Files.readString(Path.of("src/main/launcher/llmo.sh"));
        Matcher m = COMMAND.matcher(launcher);
        List<String> named = new ArrayList<>();
        while (m.find()) {
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
            assertThat(Double.parseDouble(m.group(4))).isPositive();
            named.add(m.group(1) + " " + type.getSimpleName() + "::" + method);
        }
        assertThat(named).contains("CompileThresholdScaling DigestBase::implCompressMultiBlock0",
                "CompileThresholdScaling SHA2::implDigest", "MaxNodeLimit DigestBase::*", "MaxNodeLimit SHA2::implDigest",
                "CompileThresholdScaling dev.llmo.eventlog.*::*", "CompileThresholdScaling SHA2::implCompress0",
                "CompileThresholdScaling Bytes::addPlain");
    }
}
