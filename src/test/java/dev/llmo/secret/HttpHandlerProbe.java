package dev.llmo.secret;

import java.net.URL;
import java.net.URLStreamHandler;
import java.net.spi.URLStreamHandlerProvider;

/**
 * A JVM of its own for {@link JdkCryptoTest}: sets up the JCE as llmo does ({@code llmo}: {@link JdkCrypto#cipher},
 * which presets the handler) or straight from the JDK ({@code jdk}), and prints whether the JDK looked for a URL
 * handler among the class path's services, which {@link RecordingProvider} notes when the JDK makes it, and the
 * connections the JDK's handlers give for {@code http} and {@code https} URLs afterwards.
 */
public final class HttpHandlerProbe {
    private HttpHandlerProbe() {
    }

    public static void main(String[] args) throws Exception {
        // the JCE's set-up makes an http URL
        if (args[0].equals("llmo")) {
            JdkCrypto.cipher("AES/GCM/NoPadding");
        } else {
            javax.crypto.Cipher.getInstance("AES/GCM/NoPadding");
        }
        boolean scanned = Boolean.getBoolean(RecordingProvider.MADE);
        System.out.println("scanned=" + scanned
                + " http=" + new URL("http://example.invalid/").openConnection().getClass().getName()
                + " https=" + new URL("https://example.invalid/").openConnection().getClass().getName());
    }

    /** A provider that gives no handler, and notes that the JDK made it: it looked among the services. */
    public static final class RecordingProvider extends URLStreamHandlerProvider {
        static final String MADE = "llmo.test.url-providers-scanned";

        public RecordingProvider() {
            System.setProperty(MADE, "true");
        }

        @Override
        public URLStreamHandler createURLStreamHandler(String protocol) {
            return null;
        }
    }
}
