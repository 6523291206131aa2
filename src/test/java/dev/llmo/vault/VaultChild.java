package dev.llmo.vault;

import java.nio.file.Path;

/**
 * A separate process for the crash and concurrency tests (not a test itself): {@code loop FILE} rewrites the
 * entry COUNTER ({@code <n>:<256 KiB of padding>}) forever, counting on from
 * its current n and printing each n once its write has returned; {@code put FILE PREFIX N} adds N
 * entries and exits. The vault password is "pw", the iteration count {@link TestVaults#FAST}.
 */
public final class VaultChild {
    private VaultChild() {
    }

    public static void main(String[] args) {
        Path file = Path.of(args[1]);
        try (UnlockedVault vault = TestVaults.fast(file).unlock("pw".toCharArray())) {
            if ("loop".equals(args[0])) {
                // A large value makes each write take long enough for a kill to land in the middle of one.
                String padding = "x".repeat(256 * 1024);
                System.out.println("ready");
                System.out.flush();
                String current = vault.secret("COUNTER").orElse("0:");
                for (long i = Long.parseLong(current.substring(0, current.indexOf(':'))) + 1; ; i++) {
                    vault.put("COUNTER", i + ":" + padding);
                    System.out.println(i);
                    System.out.flush();
                }
            }
            String prefix = args[2];
            int count = Integer.parseInt(args[3]);
            for (int i = 0; i < count; i++) {
                vault.put(prefix + i, "value-" + i);
            }
        }
    }
}
