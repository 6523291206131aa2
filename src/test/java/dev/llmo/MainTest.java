package dev.llmo;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class MainTest {
    private static final String PROVIDERS = "java.locale.providers";
    private String before;

    @BeforeEach
    void remember() {
        before = System.getProperty(PROVIDERS);
    }

    @AfterEach
    void restore() {
        if (before == null) {
            System.clearProperty(PROVIDERS);
        } else {
            System.setProperty(PROVIDERS, before);
        }
    }

    @Test
    void aJdkBefore21GetsTheOlderLocaleDataAndANewerOneItsDefault() {
        System.clearProperty(PROVIDERS);
        Main.chooseLocaleData();
        String expected = Runtime.version().feature() < 21 ? "COMPAT" : null;
        assertThat(System.getProperty(PROVIDERS)).isEqualTo(expected);
    }

    @Test
    void aCommandInAVaultSessionNamesTheJdksOwnSelectorProviderUnlessTheUserNamedOne() throws Exception {
        String key = "java.nio.channels.spi.SelectorProvider";
        String before = System.getProperty(key);
        try {
            System.clearProperty(key);
            Main.chooseSelectorProvider(java.util.Map.of("PATH", "/usr/bin"));
            assertThat(System.getProperty(key)).isNull();

            Main.chooseSelectorProvider(java.util.Map.of(dev.llmo.vault.VaultSession.ENV, "/run/user/1/llmo/agent"));
            String named = System.getProperty(key);
            assertThat(named).isIn("sun.nio.ch.EPollSelectorProvider", "sun.nio.ch.KQueueSelectorProvider");
            // the class the JDK's own provider is: the property names what the search would have ended with
            assertThat(java.nio.channels.spi.SelectorProvider.provider().getClass().getName()).isEqualTo(named);

            System.setProperty(key, "com.example.MyProvider");
            Main.chooseSelectorProvider(java.util.Map.of(dev.llmo.vault.VaultSession.ENV, "/run/user/1/llmo/agent"));
            assertThat(System.getProperty(key)).isEqualTo("com.example.MyProvider");
        } finally {
            if (before == null) {
                System.clearProperty(key);
            } else {
                System.setProperty(key, before);
            }
        }
    }

    @Test
    void theUsersOwnChoiceIsKept() {
        System.setProperty(PROVIDERS, "CLDR");
        Main.chooseLocaleData();
        assertThat(System.getProperty(PROVIDERS)).isEqualTo("CLDR");
    }

    /**
     * The thread the JVM runs a SIGWINCH handler on, as a resize during a chat's end has it: its "terminal closed" is
     * let go, any other failure there or elsewhere is still a bug that ends llmo.
     */
    @Test
    @SuppressWarnings("restriction")
    void aClosedTerminalMetByAResizesHandlerIsNoFailure() throws Exception {
        sun.misc.Signal winch = new sun.misc.Signal("WINCH");
        java.util.concurrent.CompletableFuture<Thread> handler = new java.util.concurrent.CompletableFuture<>();
        sun.misc.SignalHandler before = sun.misc.Signal.handle(winch, signal -> handler.complete(Thread.currentThread()));
        try {
            sun.misc.Signal.raise(winch);
            Thread thread = handler.get(10, java.util.concurrent.TimeUnit.SECONDS);
            IllegalStateException closed = new IllegalStateException("Terminal has been closed");

            assertThat(Main.closedTerminalSignal(thread, closed)).isTrue();
            assertThat(Main.closedTerminalSignal(thread, new IllegalStateException("something else"))).isFalse();
            assertThat(Main.closedTerminalSignal(thread, new NullPointerException())).isFalse();
            assertThat(Main.closedTerminalSignal(Thread.currentThread(), closed)).isFalse();
        } finally {
            sun.misc.Signal.handle(winch, before);
        }
    }
}
