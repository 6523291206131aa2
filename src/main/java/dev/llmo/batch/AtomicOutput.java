package dev.llmo.batch;

import dev.llmo.failure.FailureException;
import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * A file written whole or not at all ({@code --out}): the lines go to a temporary file beside it, which is synced and
 * renamed over it only when every line was written; a failure leaves the old file (or none) as it was.
 */
public final class AtomicOutput {
    private AtomicOutput() {
    }

    public static void write(Path target, Consumer<PrintWriter> body) {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        Path temp = null;
        try {
            temp = Files.createTempFile(dir, "." + absolute.getFileName(), ".tmp");
            try (OutputStream stream = Files.newOutputStream(temp);
                 PrintWriter out = new PrintWriter(new OutputStreamWriter(stream, StandardCharsets.UTF_8))) {
                body.accept(out);
                out.flush();
                if (out.checkError()) {
                    throw new IOException("write failed");
                }
            }
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            try {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(temp, absolute, StandardCopyOption.REPLACE_EXISTING);
            }
            temp = null;
        } catch (IOException e) {
            throw new FailureException("cannot write " + target + ": " + e.getMessage(),
                    "check free disk space and that the directory is writable", e);
        } finally {
            if (temp != null) {
                try {
                    Files.deleteIfExists(temp);
                } catch (IOException e) {
                    // a leftover temporary file; the target is untouched
                }
            }
        }
    }
}
