package dev.llmo.io;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * Where a tool's or an MCP server's stderr goes: appended to its log file, readable by the user only (a server given
 * a token in its environment may log it), and at most {@link #CAP} bytes a process: a child that writes without end
 * would otherwise fill the disk. Past the cap its stderr is still read, so that it never blocks on a full pipe, and
 * dropped after one line that says so.
 */
public final class ChildLog {
    /** The most one process writes into its log. */
    public static final long CAP = 8L << 20;

    private ChildLog() {
    }

    /**
     * Makes {@code log} and its directory if missing, for the user only; the same for one already there.
     *
     * @throws IOException when it cannot be made
     */
    public static void prepare(Path log) throws IOException {
        Path parent = log.toAbsolutePath().getParent();
        if (parent != null && !Files.isDirectory(parent)) {
            Files.createDirectories(parent);
            ownerOnly(parent, "rwx------");
        }
        try {
            Files.createFile(log);
        } catch (FileAlreadyExistsException e) {
            // appended to
        }
        ownerOnly(log, "rw-------");
    }

    private static void ownerOnly(Path path, String permissions) {
        try {
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(permissions));
        } catch (UnsupportedOperationException | IOException e) {
            // a file system without POSIX permissions: the directory's own access applies
        }
    }

    /** Starts the daemon thread that copies {@code process}'s stderr into {@code log} (see the class comment). */
    public static Thread drain(Process process, Path log, String threadName) {
        Thread thread = new Thread(() -> copy(process.getErrorStream(), log), threadName);
        thread.setDaemon(true);
        thread.start();
        return thread;
    }

    static void copy(InputStream stderr, Path log) {
        byte[] buffer = new byte[8192];
        long written = 0;
        try (stderr; OutputStream out = Files.newOutputStream(log, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            int n;
            while ((n = stderr.read(buffer)) != -1) {
                if (written >= CAP) {
                    continue;
                }
                int kept = (int) Math.min(n, CAP - written);
                out.write(buffer, 0, kept);
                written += kept;
                if (written >= CAP) {
                    out.write(("\n[llmo: this process wrote more than " + (CAP >> 20) + " MiB to stderr; the rest "
                            + "is not kept]\n").getBytes(StandardCharsets.UTF_8));
                }
                out.flush(); // a failing call's last lines are read from the file at once
            }
        } catch (IOException e) {
            // the log cannot be written, or the child is gone: neither may fail the call
        }
    }
}
