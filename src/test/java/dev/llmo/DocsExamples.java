package dev.llmo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shell examples of a Markdown page, as {@code DocsExamplesIT} runs them: every {@code ```sh} block, its commands
 * (a block with {@code $ } lines is a transcript: the lines after a command, up to the next one, are its shown
 * output), and the {@code <!-- docs-test: skip REASON -->} marker. The rules are in CONTRIBUTING.md ("Docs
 * examples").
 */
final class DocsExamples {
    private static final Pattern SKIP = Pattern.compile("<!--\\s*docs-test:\\s*skip\\b(.*?)-->");
    /** {@code llmo} where a command starts: at the line start, after a pipe, {@code ;}, {@code &&}, {@code $(}. */
    private static final Pattern CALLS_LLMO = Pattern.compile("(^|[|;&(]\\s*|^(\\w+=\\S*\\s+)+)llmo(\\s|$)");
    /** What varies from run to run in shown output: ids, dates, times, durations, digests; matched by kind. */
    private static final Pattern VARIES = Pattern.compile(
            "\\b01M[0-9A-HJKMNP-TV-Z]{5,24}\\b|\\b\\d{4}-\\d{2}-\\d{2}\\b|\\b\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?Z?"
                    + "|\\b\\d+(\\.\\d+)? (s|ms)\\b|sha256:[0-9a-f]+|\\b\\d{14}\\b");

    private DocsExamples() {
    }

    /** One command of a page, with the output the page shows for it ({@code null}: none shown, not checked). */
    record Command(Path page, int line, String text, List<String> shown, String skipReason) {
        boolean callsLlmo() {
            return CALLS_LLMO.matcher(text).find() || text.contains("$(llmo ");
        }

        String where() {
            return page.getFileName() + ":" + line;
        }
    }

    /** The commands of every {@code sh} block of a page, in order; a skipped block's commands carry its reason. */
    static List<Command> commands(Path page) throws IOException {
        List<String> lines = Files.readAllLines(page);
        List<Command> commands = new ArrayList<>();
        String skip = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i);
            Matcher marker = SKIP.matcher(line);
            if (marker.find()) {
                skip = marker.group(1).strip();
                if (skip.isEmpty()) {
                    throw new IllegalStateException(page + ":" + (i + 1) + ": a docs-test skip marker needs a reason");
                }
                continue;
            }
            if (line.strip().equals("```sh")) {
                int end = i + 1;
                while (end < lines.size() && !lines.get(end).strip().equals("```")) {
                    end++;
                }
                commands.addAll(block(page, lines.subList(i + 1, end), i + 2, skip));
                i = end;
            }
            if (!line.isBlank()) {
                skip = null;   // the marker applies to the block right after it only
            }
        }
        return commands;
    }

    private static List<Command> block(Path page, List<String> body, int firstLine, String skip) {
        boolean transcript = body.stream().anyMatch(l -> l.startsWith("$ "));
        List<Command> commands = new ArrayList<>();
        for (int i = 0; i < body.size(); i++) {
            String line = body.get(i);
            int lineNo = firstLine + i;
            if (transcript && !line.startsWith("$ ")) {
                continue;   // output of the command before, taken below
            }
            StringBuilder text = new StringBuilder(transcript ? line.substring(2) : line);
            while (text.toString().endsWith("\\") && i + 1 < body.size()) {
                text.setLength(text.length() - 1);
                text.append(' ').append(body.get(++i).strip());
            }
            String command = text.toString().strip();
            if (command.isEmpty() || command.startsWith("#")) {
                continue;
            }
            List<String> shown = new ArrayList<>();
            while (transcript && i + 1 < body.size() && !body.get(i + 1).startsWith("$ ")) {
                shown.add(body.get(++i));
            }
            commands.add(new Command(page, lineNo, command, shown.isEmpty() ? null : shown, skip));
        }
        return commands;
    }

    /**
     * Whether {@code actual} (stdout and stderr as they came) is what {@code shown} shows: line by line, where
     * {@code ...} or {@code …} in a line stands for any text, a line of only {@code ...} or {@code …} for any
     * number of lines, {@code /home/me} for the HOME the example ran in, and ids, dates, times, durations and
     * digests match any value of their kind.
     */
    static boolean matches(List<String> shown, List<String> actual, String home) {
        List<Pattern> patterns = new ArrayList<>();
        for (String line : shown) {
            String s = line.stripTrailing();
            patterns.add(s.equals("...") || s.equals("…") ? null : linePattern(s.replace("/home/me", home)));
        }
        return matchFrom(patterns, 0, actual, 0);
    }

    private static boolean matchFrom(List<Pattern> patterns, int p, List<String> actual, int a) {
        if (p == patterns.size()) {
            return a == actual.size();
        }
        Pattern pattern = patterns.get(p);
        if (pattern == null) {
            for (int skip = a; skip <= actual.size(); skip++) {
                if (matchFrom(patterns, p + 1, actual, skip)) {
                    return true;
                }
            }
            return false;
        }
        return a < actual.size() && pattern.matcher(actual.get(a).stripTrailing()).matches()
                && matchFrom(patterns, p + 1, actual, a + 1);
    }

    static Pattern linePattern(String shown) {
        StringBuilder regex = new StringBuilder();
        String[] literals = shown.split("\\.\\.\\.|…", -1);
        for (int i = 0; i < literals.length; i++) {
            if (i > 0) {
                regex.append(".*");
            }
            Matcher varies = VARIES.matcher(literals[i]);
            int from = 0;
            while (varies.find()) {
                regex.append(Pattern.quote(literals[i].substring(from, varies.start())));
                regex.append(kindOf(varies.group()));
                from = varies.end();
            }
            regex.append(Pattern.quote(literals[i].substring(from)));
        }
        return Pattern.compile(regex.toString());
    }

    private static String kindOf(String value) {
        if (value.startsWith("01M")) {
            return "01[0-9A-HJKMNP-TV-Z]{" + (value.length() - 2) + "}";
        }
        if (value.startsWith("sha256:")) {
            return "sha256:[0-9a-f]+";
        }
        if (value.endsWith("s")) {
            return "\\d+(\\.\\d+)? m?s";
        }
        if (value.matches("\\d{14}")) {
            return "\\d{14}";
        }
        return value.replaceAll("\\d", "\\\\d").replace(".", "\\.");
    }
}
