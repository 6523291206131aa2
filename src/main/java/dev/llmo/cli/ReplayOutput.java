package dev.llmo.cli;

import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.config.ModelRef;
import dev.llmo.core.Replay;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.RunMode;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints replayed answers as their commands printed them (piped): one model's answer as it is; a fan-out's under a
 * header per model; a pipeline's last answer only; a chain's last step (several models: under headers, as the
 * chain passes them on). Each part of a conversation ({@code run}, {@code run -c}, a chat) is printed in turn.
 */
final class ReplayOutput {
    private ReplayOutput() {
    }

    /** @param terminal stdout is a terminal: the recorded answers' control characters are shown, as run shows them */
    static void print(List<Replay.Call> replayed, PrintWriter out, boolean terminal) {
        Map<Long, List<Replay.Call>> sessions = new LinkedHashMap<>();
        for (Replay.Call call : replayed) {
            sessions.computeIfAbsent(call.session(), k -> new ArrayList<>()).add(call);
        }
        for (List<Replay.Call> calls : sessions.values()) {
            EventData.SessionStart start = calls.get(0).start();
            RunMode mode = start == null ? RunMode.SINGLE : start.mode();
            if (mode == RunMode.CHAIN) {
                long last = calls.get(calls.size() - 1).step();
                List<Replay.Call> step = calls.stream().filter(c -> c.step() == last).toList();
                text(out, step.size() == 1 ? step.get(0).text() : combined(step), terminal);
            } else if (mode == RunMode.SEQUENTIAL) {
                text(out, calls.get(calls.size() - 1).text(), terminal);
            } else if (mode == RunMode.PARALLEL) {
                // printed in the order the models were given, as run printed them, not in the order they answered
                List<Replay.Call> session = new ArrayList<>(calls);
                session.sort(Comparator.comparingInt(call -> planIndex(start.models(), call)));
                List<String> labels = AnswerSections.labels(session.stream().map(Replay.Call::model).toList());
                for (int i = 0; i < session.size(); i++) {
                    if (i > 0) {
                        out.println();
                    }
                    out.println(AnswerSections.header(labels.get(i), false));
                    text(out, session.get(i).text(), terminal);
                }
            } else {
                calls.forEach(call -> text(out, call.text(), terminal));
            }
        }
    }

    private static int planIndex(List<String> models, Replay.Call call) {
        int index = models.indexOf(call.model().id());
        return index < 0 ? Integer.MAX_VALUE : index;
    }

    // the chain's own joining of a fan-out step (ChainRunner): each answer stripped, under its model's header
    private static String combined(List<Replay.Call> step) {
        StringBuilder all = new StringBuilder();
        for (Replay.Call call : step) {
            if (all.length() > 0) {
                all.append("\n\n");
            }
            ModelRef model = call.model();
            all.append("== ").append(model.id()).append(" ==\n").append(call.text().strip());
        }
        return all.toString();
    }

    private static void text(PrintWriter out, String text, boolean terminal) {
        out.print(TerminalText.forTerminal(text, terminal));
        if (!text.isEmpty() && !text.endsWith("\n")) {
            out.println();
        }
    }
}
