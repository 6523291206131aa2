package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class LibraryLogsTest {
    private static final String CLASS = "java.util.logging.config.class";
    private static final String FILE = "java.util.logging.config.file";
    private String beforeClass;
    private String beforeFile;

    @BeforeEach
    void remember() {
        beforeClass = System.getProperty(CLASS);
        beforeFile = System.getProperty(FILE);
        System.clearProperty(CLASS);
        System.clearProperty(FILE);
    }

    @AfterEach
    void restore() {
        // quiet again, as a JVM that never configured it (a file named leaves the configuration class unset)
        System.setProperty(FILE, "/dev/null");
        LibraryLogs.configure(false);
        restore(FILE, beforeFile);
        restore(CLASS, beforeClass);
    }

    @Test
    void withoutDebugTheLoggingGetsLlmosConfigurationAndTheJdksLoggersAreQuiet() {
        LibraryLogs.configure(false);

        assertThat(System.getProperty(CLASS)).isEqualTo("dev.llmo.LibraryLogs$Configuration");
        String err = stderrOf(() -> new LibraryLogs.Finder().getLogger("jdk.test", Object.class.getModule())
                .log(System.Logger.Level.WARNING, "a warning"));
        assertThat(err).isEmpty();
    }

    @Test
    void withDebugTheJdksDefaultsStayAndTheJdksLoggersPrintOneLineFromInfoUp() {
        LibraryLogs.configure(true);

        assertThat(System.getProperty(CLASS)).isNull();
        System.Logger logger = new LibraryLogs.Finder().getLogger("jdk.test", Object.class.getModule());
        String err = stderrOf(() -> {
            logger.log(System.Logger.Level.DEBUG, "not this");
            logger.log(System.Logger.Level.WARNING, "disk {0} is {1}", "d", "full");
            logger.log(System.Logger.Level.INFO, "done", new IllegalStateException("why"));
        });
        assertThat(err).isEqualTo("llmo: debug: jdk.test: WARNING: disk d is full\n"
                + "llmo: debug: jdk.test: INFO: done (java.lang.IllegalStateException: why)\n");
    }

    @Test
    void aConfigurationTheUserGaveTheJvmIsKept() {
        System.setProperty(FILE, "/etc/my-logging.properties");
        LibraryLogs.configure(false);
        assertThat(System.getProperty(CLASS)).isNull();

        System.clearProperty(FILE);
        System.setProperty(CLASS, "com.example.MyLogging");
        LibraryLogs.configure(false);
        assertThat(System.getProperty(CLASS)).isEqualTo("com.example.MyLogging");
        assertThat(new LibraryLogs.Finder().getLogger("jdk.test", Object.class.getModule())
                .isLoggable(System.Logger.Level.WARNING)).isFalse();
    }

    @Test
    void theJdkFindsTheFinderAsAService() {
        assertThat(java.util.ServiceLoader.load(System.LoggerFinder.class, ClassLoader.getSystemClassLoader())
                .stream().map(p -> p.type().getName())).contains("dev.llmo.LibraryLogs$Finder");
    }

    private static String stderrOf(Runnable action) {
        PrintStream before = System.err;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        try {
            action.run();
        } finally {
            System.setErr(before);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    private static void restore(String key, String value) {
        if (value == null) {
            System.clearProperty(key);
        } else {
            System.setProperty(key, value);
        }
    }
}
