package dev.llmo.cli.repl;

import dev.llmo.failure.LlmoException;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

/**
 * Tab completion in chat: the command word of a {@code /command}, then its argument: model names for
 * {@code /model}, roles for {@code /role}, saved names and ids for {@code /load}, chain names for {@code /chain}.
 * Names are read when Tab is pressed, so a model added to models.yaml or a conversation just saved shows up.
 */
final class ChatCompleter implements Completer {
    private final ChatSession session;

    ChatCompleter(ChatSession session) {
        this.session = session;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        List<String> words = line.words();
        if (line.wordIndex() == 0) {
            if (line.word().startsWith("/")) {
                for (String command : SlashCommands.NAMES) {
                    candidates.add(new Candidate(command, command, null, null, null, null, true));
                }
            }
            return;
        }
        if (line.wordIndex() != 1 || words.isEmpty()) {
            return;
        }
        Collection<String> names = switch (words.get(0).toLowerCase(Locale.ROOT)) {
            case "/model" -> names(() -> session.settings().catalog().references());
            case "/role" -> names(() -> session.settings().roles().keySet());
            case "/chain" -> names(() -> session.settings().chains().keySet());
            case "/load" -> names(() -> {
                Set<String> all = new TreeSet<>(session.savedNames().keySet());
                all.addAll(new dev.llmo.eventlog.ConversationStore(session.conversationsDir()).ids());
                return all;
            });
            default -> List.of();
        };
        for (String name : names) {
            candidates.add(new Candidate(name, name, null, null, null, null, true));
        }
    }

    // Completion must never break the line being typed: a configuration error shows up when the command runs.
    private static Collection<String> names(Supplier<Collection<String>> source) {
        try {
            return source.get();
        } catch (LlmoException e) {
            return List.of();
        }
    }
}
