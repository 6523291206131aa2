package dev.llmo.cli;

import dev.llmo.failure.UsageException;
import dev.llmo.input.AttachmentReader;
import dev.llmo.input.InputReader;
import dev.llmo.message.Part;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** {@code -a/--attach PATH|URL|-} and {@code --attach-type TYPE} (docs/usage/attachments.md). */
final class AttachOptions {
    @Option(names = {"-a", "--attach"}, paramLabel = "PATH|URL|-",
            description = "Attach an image (PNG, JPEG, WebP, GIF), a PDF, audio (WAV, MP3...) or a text file; "
                    + "repeatable. The type is told from the content. At most 20 MiB each.")
    List<String> attach = new ArrayList<>();

    @Option(names = "--attach-type", paramLabel = "TYPE",
            description = "The media type of the attachments instead of the detected one, e.g. image/png: once for "
                    + "every -a, or once per -a in order.")
    List<String> types = new ArrayList<>();

    /** Whether -a was given. */
    boolean any() {
        return !attach.isEmpty();
    }

    /**
     * The -a values as a template keeps them: a relative path made absolute against {@code workingDir}, so that the
     * template attaches the same file from any directory; a URL (or {@code -}) as given.
     */
    List<String> anchored(java.nio.file.Path workingDir) {
        List<String> anchored = new ArrayList<>();
        for (String spec : attach) {
            boolean url = spec.toLowerCase(java.util.Locale.ROOT).matches("^[a-z][a-z0-9+.-]*://.*");
            anchored.add(url || "-".equals(spec) ? spec
                    : workingDir.resolve(spec).toAbsolutePath().normalize().toString());
        }
        return anchored;
    }

    /** Whether an {@code -a -} takes stdin (which then is no prompt). */
    boolean readsStdin() {
        return attach.contains("-");
    }

    /**
     * Reads, types and stores each {@code -a} in the content store, in order, each after {@code check} (a model
     * that cannot take it) passed. Call before the prompt is read: an {@code -a -} takes stdin, which then is no
     * prompt.
     */
    List<Part.Attachment> read(CliContext context, java.util.function.Consumer<Part.Attachment> check) {
        return read(context, check, null);
    }

    /**
     * {@link #read(CliContext, java.util.function.Consumer)}; with {@code unstored} not null the bytes go there (by
     * SHA-256) instead of the content store: {@code --dry-run} writes nothing.
     */
    List<Part.Attachment> read(CliContext context, java.util.function.Consumer<Part.Attachment> check,
                               java.util.Map<String, byte[]> unstored) {
        if (types.size() > 1 && types.size() != attach.size()) {
            throw new UsageException("--attach-type is given " + types.size() + " times for " + attach.size()
                    + " attachments", "give it once for every -a, or once per -a in the same order");
        }
        if (!types.isEmpty() && attach.isEmpty()) {
            throw new UsageException("--attach-type without -a", "e.g. -a photo --attach-type image/jpeg");
        }
        if (attach.isEmpty()) {
            return new ArrayList<>(); // most runs: no reader to set up (ADR-003, lambdas at start-up)
        }
        if (attach.contains("-") && context.environment().stdinIsTerminal()) {
            throw new UsageException("-a - reads stdin, but stdin is a terminal", "pipe the file in, e.g. "
                    + "cat photo.png | llmo run -a - \"Describe it\"");
        }
        AttachmentReader reader = new AttachmentReader(new InputReader(() -> context.environment().in(),
                context.environment().workingDir()), CoreServices.contentStore(context));
        List<Part.Attachment> attachments = new ArrayList<>();
        for (int i = 0; i < attach.size(); i++) {
            String type = types.isEmpty() ? null : types.get(types.size() == 1 ? 0 : i);
            if (unstored == null) {
                attachments.add(reader.read(attach.get(i), type, check));
            } else {
                AttachmentReader.Read read = reader.readOnly(attach.get(i), type, check);
                unstored.put(read.attachment().sha256(), read.bytes());
                attachments.add(read.attachment());
            }
        }
        return attachments;
    }
}
