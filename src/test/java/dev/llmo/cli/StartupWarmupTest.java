package dev.llmo.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.config.Settings;
import dev.llmo.failure.ConfigException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Map;
import java.util.concurrent.FutureTask;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The configuration read on the warm-up thread is the one, and fails the way, reading it on the main thread does. */
class StartupWarmupTest {
    @RegisterExtension
    final LlmoFixture llmo = LlmoFixture.create().modelsYaml("mine:\n  type: openai\n  base_url: http://127.0.0.1:9/v1\n"
            + "  models: [{ name: m1 }]\n");

    @Test
    void settingsReadOnAnotherThreadAreTheSettingsReadHere() throws Exception {
        Settings here = context().settings();

        CliContext ahead = context();
        FutureTask<Settings> task = ahead.settingsAhead();
        Thread other = new Thread(task);
        other.start();
        other.join();

        Settings taken = ahead.settings();
        assertThat(task.get()).isSameAs(taken);
        assertThat(taken.files()).isEqualTo(here.files()).contains(llmo.dir().resolve("models.yaml").toString());
        assertThat(taken.digest()).isEqualTo(here.digest());
        assertThat(taken.catalog().resolve("mine/m1").provider().baseUrl()).isEqualTo("http://127.0.0.1:9/v1");
    }

    @Test
    void settingsNobodyReadAheadAreReadWhenAskedFor() {
        CliContext context = context();
        FutureTask<Settings> task = context.settingsAhead();

        assertThat(context.settings().files()).contains(llmo.dir().resolve("models.yaml").toString());
        assertThat(task).isDone();
    }

    @Test
    void aConfigurationErrorMetOnAnotherThreadIsThrownWhereTheSettingsAreAskedFor() throws Exception {
        llmo.modelsYaml("mine:\n  type: openai\n  models: [{ name: m1 ]\n");
        Throwable direct = catchFrom(context());

        CliContext ahead = context();
        Thread other = new Thread(ahead.settingsAhead());
        other.start();
        other.join();

        assertThat(direct).isInstanceOf(ConfigException.class);
        assertThatThrownBy(ahead::settings).isInstanceOf(ConfigException.class).hasMessage(direct.getMessage());
    }

    @Test
    void helpAndVersionWarmNothing() {
        assertThat(StartupWarmup.asksForHelp(new String[] {"run", "-m", "x", "--help"})).isTrue();
        assertThat(StartupWarmup.asksForHelp(new String[] {"chat", "-h"})).isTrue();
        assertThat(StartupWarmup.asksForHelp(new String[] {"run", "--version"})).isTrue();
        assertThat(StartupWarmup.asksForHelp(new String[] {"run", "-m", "x", "hi"})).isFalse();
        assertThat(StartupWarmup.asksForHelp(new String[] {"run", "--", "--help"})).isFalse();
    }

    private static Throwable catchFrom(CliContext context) {
        try {
            context.settings();
            return null;
        } catch (RuntimeException e) {
            return e;
        }
    }

    private CliContext context() {
        Map<String, String> env = Map.of("HOME", llmo.home().toString(), "LLMO_HOME", llmo.dir().toString(),
                "LLMO_SYSTEM_CONFIG_DIR", llmo.home().resolve("etc-llmo").toString());
        CliEnvironment environment = new CliEnvironment(InputStream.nullInputStream(), new PrintWriter(new StringWriter()),
                new PrintWriter(new StringWriter()), env, llmo.home(), llmo.home(), "");
        return new CliContext(environment, new GlobalOptions(false, false));
    }
}
