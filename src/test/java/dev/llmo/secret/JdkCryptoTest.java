package dev.llmo.secret;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import javax.crypto.Cipher;
import javax.crypto.Mac;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * {@link JdkCrypto}'s digest, cipher and MAC compute what their standards say, from the JDK's own classes, and its
 * random bytes come from the kernel.
 */
class JdkCryptoTest {
    @Test
    void sha256IsTheJdksOwnClassNamedByLlmosProviderAndMatchesFips180Vectors() {
        MessageDigest digest = JdkCrypto.sha256();

        assertThat(digest.getProvider().getName()).isEqualTo("llmo-jdk");
        assertThat(digest.getAlgorithm()).isEqualTo("SHA-256");
        // FIPS 180-2, appendix B.1 and B.2, and the empty message
        assertThat(hex(digest, "abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(hex(JdkCrypto.sha256(), "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))
                .isEqualTo("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
        assertThat(hex(JdkCrypto.sha256(), ""))
                .isEqualTo("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    }

    @Test
    void eachDigestIsNewAndItsOwn() {
        MessageDigest first = JdkCrypto.sha256();
        first.update("a".getBytes(StandardCharsets.UTF_8));

        assertThat(hex(JdkCrypto.sha256(), "abc"))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    @Test
    void randomBytesComeFromTheKernelAndDoNotRepeat() {
        SecureRandom random = JdkCrypto.random();

        assertThat(random.getProvider().getName()).isEqualTo("llmo-jdk");
        assertThat(JdkCrypto.random()).isSameAs(random);
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            byte[] bytes = new byte[16];
            random.nextBytes(bytes);
            assertThat(seen.add(HexFormat.of().formatHex(bytes))).as("draw %d is new", i).isTrue();
        }
        // a seed supplements the kernel's pool and is not used: the draws stay unpredictable
        random.setSeed(new byte[16]);
        byte[] after = new byte[16];
        random.nextBytes(after);
        assertThat(seen).doesNotContain(HexFormat.of().formatHex(after));
        assertThat(random.generateSeed(32)).hasSize(32).isNotEqualTo(new byte[32]);
    }

    @Test
    void randomBytesAreSafeToDrawFromManyThreads() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(8);
        try {
            List<Future<Set<String>>> draws = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                draws.add(threads.submit(() -> {
                    Set<String> mine = new HashSet<>();
                    for (int i = 0; i < 500; i++) {
                        byte[] bytes = new byte[12];
                        JdkCrypto.random().nextBytes(bytes);
                        mine.add(HexFormat.of().formatHex(bytes));
                    }
                    return mine;
                }));
            }
            Set<String> all = new HashSet<>();
            for (Future<Set<String>> draw : draws) {
                all.addAll(draw.get());
            }
            assertThat(all).hasSize(8 * 500);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void cipherAndMacAreSunJcesOwnClassesNamedByLlmosProvider() throws Exception {
        assertThat(JdkCrypto.cipher("AES/GCM/NoPadding").getProvider()).isSameAs(JdkCrypto.JDK_CLASSES);
        assertThat(JdkCrypto.mac("HmacSHA256").getProvider()).isSameAs(JdkCrypto.JDK_CLASSES);
        // what the named classes do not have, the configured providers do
        assertThat(JdkCrypto.cipher("AES/CBC/PKCS5Padding").getProvider().getName()).isEqualTo("SunJCE");
    }

    @Test
    void hmacSha256IsRfc4231sTestCaseTwo() throws Exception {
        Mac mac = JdkCrypto.mac("HmacSHA256");
        mac.init(new SecretKeySpec("Jefe".getBytes(StandardCharsets.US_ASCII), "HmacSHA256"));

        byte[] tag = mac.doFinal("what do ya want for nothing?".getBytes(StandardCharsets.US_ASCII));

        assertThat(HexFormat.of().formatHex(tag))
                .isEqualTo("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    }

    @Test
    void aesGcmIsTheGcmSpecsTestCaseTwo() throws Exception {
        // McGrew and Viega, "The Galois/Counter Mode of Operation", test case 2: a zero key, IV and block
        Cipher cipher = JdkCrypto.cipher("AES/GCM/NoPadding");
        cipher.init(Cipher.ENCRYPT_MODE, new SecretKeySpec(new byte[16], "AES"),
                new GCMParameterSpec(128, new byte[12]));

        byte[] sealed = cipher.doFinal(new byte[16]);

        assertThat(HexFormat.of().formatHex(sealed))
                .isEqualTo("0388dace60b6a392f328c2b971b2fe78" + "ab6e47d42cec13bdf53a67b21257bddf");
    }

    private static String hex(MessageDigest digest, String text) {
        return HexFormat.of().formatHex(digest.digest(text.getBytes(StandardCharsets.US_ASCII)));
    }
    /**
     * The JCE's set-up makes an {@code http:} URL, whose handler the JDK looks for among the class path's services,
     * opening every jar on it. With the JDK's export (the binary's manifest gives it to the model calls), the preset
     * handler ends that lookup before it starts, and {@code http} and {@code https} URLs still get the JDK's own
     * connections; without it, nothing changes. Each case in a JVM of its own: the factory is the JVM's, set once.
     */
    @Test
    void thePresetHttpHandlerSparesTheJceTheClassPathsServicesAndChangesNoConnection(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path services) throws Exception {
        java.nio.file.Path file = services.resolve("META-INF/services/java.net.spi.URLStreamHandlerProvider");
        java.nio.file.Files.createDirectories(file.getParent());
        java.nio.file.Files.writeString(file, HttpHandlerProbe.RecordingProvider.class.getName() + "\n");
        String jdkConnections = " http=sun.net.www.protocol.http.HttpURLConnection"
                + " https=sun.net.www.protocol.https.HttpsURLConnectionImpl";

        assertThat(probe(services, true, "llmo")).isEqualTo("scanned=false" + jdkConnections);
        assertThat(probe(services, false, "llmo")).isEqualTo("scanned=true" + jdkConnections);
        assertThat(probe(services, true, "jdk")).isEqualTo("scanned=true" + jdkConnections);
    }

    private static String probe(java.nio.file.Path services, boolean exported, String mode) throws Exception {
        List<String> command = new ArrayList<>(List.of(
                java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (exported) {
            command.add("--add-exports=java.base/sun.net.www.protocol.http=ALL-UNNAMED");
        }
        command.addAll(List.of("-cp", services + java.io.File.pathSeparator + classes(HttpHandlerProbe.class)
                + java.io.File.pathSeparator + classes(JdkCrypto.class), HttpHandlerProbe.class.getName(), mode));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor()).as(out).isZero();
        return out;
    }

    private static String classes(Class<?> type) throws Exception {
        return java.nio.file.Path.of(type.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }
}
