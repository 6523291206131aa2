package dev.llmo.cli;

import dev.llmo.cli.terminal.AnswerExtras;
import dev.llmo.cli.terminal.TerminalText;
import dev.llmo.config.ModelRef;
import dev.llmo.core.Replay;
import dev.llmo.eventlog.EventData;
import dev.llmo.eventlog.RunMode;
import dev.llmo.message.Message;
import dev.llmo.message.Part;
import dev.llmo.message.Role;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Prints replayed answers as their commands printed them (piped): one model's answer as it is; a fan-out's under a
 * header per model; a pipeline's last answer only; a chain's last step (several models: under headers, as the
 * chain passes them on). Each part of a conversation ({@code run}, {@code run -c}, a chat) is printed in turn. What
 * an answer holds besides its text is shown as those commands show it ({@link AnswerExtras}): the reasoning on
 * stderr (one model's before its answer, several models' under their labels), refusals and tool calls on stderr,
 * the cited sources as a numbered list after the answer printed. The errors a part recorded follow its answers, each
 * as the one line the run printed ({@code llmo: error: …}, without the fix, which the log does not keep).
 */
final class ReplayOutput {
    private ReplayOutput() {
    }

    /**
     * @param terminal stdout is a terminal: the recorded answers' control characters are shown, as run shows them
     * @param err      where the recorded errors go (stderr)
     */
    static void print(Replay.Result replayed, PrintWriter out, PrintWriter err, boolean terminal,
                      AnswerExtras extras) {
        // by the seq of their session.start: the order the runs happened in, also for a run that recorded only errors
        Map<Long, List<Replay.Call>> sessions = new java.util.TreeMap<>();
        for (Replay.Call call : replayed.calls()) {
            sessions.computeIfAbsent(call.session(), k -> new ArrayList<>()).add(call);
        }
        Map<Long, List<String>> errors = new LinkedHashMap<>();
        java.util.Set<Long> failed = new java.util.HashSet<>();
        for (Replay.RecordedError error : replayed.errors()) {
            sessions.computeIfAbsent(error.session(), k -> new ArrayList<>());
            errors.computeIfAbsent(error.session(), k -> new ArrayList<>()).add(error.message());
            if (error.request() != null) {
                failed.add(error.request());
            }
        }
        for (Map.Entry<Long, List<Replay.Call>> session : sessions.entrySet()) {
            answers(session.getValue(), out, terminal, new Extras(extras, failed));
            out.flush();
            for (String message : errors.getOrDefault(session.getKey(), List.of())) {
                err.println("llmo: error: " + extras.stderrText(message));
            }
            err.flush();
        }
        out.flush();
    }

    /** The answers of one part of the conversation, as its command printed them. */
    /** The extras of the answers, and the requests whose calls failed: their error line says a refusal, as run did. */
    private record Extras(AnswerExtras shown, java.util.Set<Long> failed) {
        void afterAnswer(String label, Replay.Call call) {
            shown.afterAnswer(label, call.response().answer(), failed.contains(call.requestSeq()));
        }
    }

    private static void answers(List<Replay.Call> calls, PrintWriter out, boolean terminal, Extras all) {
        AnswerExtras extras = all.shown();
        if (calls.isEmpty()) {
            return;
        }
        EventData.SessionStart start = calls.get(0).start();
        RunMode mode = start == null ? RunMode.SINGLE : start.mode();
        if (mode == RunMode.CHAIN) {
            long last = calls.get(calls.size() - 1).step();
            List<Replay.Call> step = calls.stream().filter(c -> c.step() == last).toList();
            labelled(calls, all);
            List<List<Replay.Call>> answers = answers(step); // a tool step's rounds are one answer
            String printed = answers.size() == 1 ? printed(answers.get(0)) : combined(answers);
            if (printed != null) {
                text(out, printed, terminal);
            }
            extras.sources(out, citations(step));
        } else if (mode == RunMode.SEQUENTIAL) {
            labelled(calls, all);
            List<List<Replay.Call>> answers = answers(calls);
            List<Replay.Call> last = answers.get(answers.size() - 1);
            String printed = printed(last);
            if (printed != null) {
                text(out, printed, terminal);
            }
            extras.sources(out, whole(last));
        } else if (mode == RunMode.PARALLEL) {
            // printed in the order the models were given, as run printed them, not in the order they answered
            List<List<Replay.Call>> session = new ArrayList<>(answers(calls));
            session.sort(Comparator.comparingInt(answer -> planIndex(start.models(), answer.get(0))));
            List<String> labels = AnswerSections.labels(session.stream().map(answer -> answer.get(0).model())
                    .toList());
            for (int i = 0; i < session.size(); i++) {
                if (i > 0) {
                    out.println();
                }
                out.println(AnswerSections.header(labels.get(i), false));
                text(out, whole(session.get(i)).text(), terminal);
                extras.sources(out, whole(session.get(i)));
            }
            labelled(session.stream().flatMap(List::stream).toList(), all);
        } else {
            for (Replay.Call call : calls) {
                // as run streams it: the reasoning before the answer, unlabelled
                Message answer = call.response().answer();
                String reasoning = answer.reasoning();
                if (reasoning != null) {
                    extras.reasoning(reasoning);
                    extras.endReasoning();
                }
                String printed = printed(call);
                if (printed != null) {
                    text(out, printed, terminal);
                }
                out.flush();
                extras.sources(out, answer);
                all.afterAnswer(null, call);
            }
        }
    }

    /**
     * The calls grouped into answers: a call that sends tool results continues the answer whose last round called
     * those tools (a tool loop's rounds are one answer, as the run showed it); any other call starts one.
     */
    private static List<List<Replay.Call>> answers(List<Replay.Call> calls) {
        List<List<Replay.Call>> answers = new ArrayList<>();
        for (Replay.Call call : calls) {
            List<Replay.Call> continued = null;
            List<dev.llmo.provider.ChatMessage> sent = call.request().messages();
            if (!sent.isEmpty() && sent.get(sent.size() - 1).role() == dev.llmo.provider.ChatMessage.Role.TOOL) {
                java.util.Set<String> results = new java.util.HashSet<>();
                sent.get(sent.size() - 1).parts(Part.ToolResult.class).forEach(r -> results.add(r.callId()));
                for (List<Replay.Call> answer : answers) {
                    Replay.Call last = answer.get(answer.size() - 1);
                    if (last.model().equals(call.model()) && last.response().answer().parts(Part.ToolCall.class)
                            .stream().anyMatch(c -> results.contains(c.id()))) {
                        continued = answer;
                    }
                }
            }
            if (continued != null) {
                continued.add(call);
            } else {
                answers.add(new ArrayList<>(List.of(call)));
            }
        }
        return answers;
    }

    /** An answer of several rounds as one message: each round's parts, the tool results between them. */
    private static Message whole(List<Replay.Call> answer) {
        if (answer.size() == 1) {
            return answer.get(0).response().answer();
        }
        List<Part> parts = new ArrayList<>();
        for (int i = 0; i < answer.size(); i++) {
            if (i > 0) {
                List<dev.llmo.provider.ChatMessage> sent = answer.get(i).request().messages();
                parts.addAll(sent.get(sent.size() - 1).parts(Part.ToolResult.class));
            }
            parts.addAll(answer.get(i).response().answer().parts());
        }
        return new Message(Role.ASSISTANT, parts);
    }

    /** What the run printed of an answer: see {@link #printed(Replay.Call)}; a tool loop's rounds, line by line. */
    private static String printed(List<Replay.Call> answer) {
        return answer.size() == 1 ? printed(answer.get(0)) : whole(answer).text();
    }

    /**
     * What the run printed of a call's answer: its text; for a call that asked for a schema, the JSON when the answer
     * followed it (for a list, the list), and nothing when it did not (the run printed nothing for it, and asked
     * again or failed).
     */
    private static String printed(Replay.Call call) {
        dev.llmo.provider.ResponseSchema schema = call.request().schema();
        if (schema == null) {
            return call.text();
        }
        // the schema recorded is the one sent: a list already wrapped as items
        dev.llmo.schema.AnswerSchema sent = new dev.llmo.schema.AnswerSchema(schema.schemaJson(), false);
        if (!(sent.check(call.text()) instanceof dev.llmo.schema.AnswerSchema.Checked.Valid valid)) {
            return null;
        }
        return schema.multi() ? dev.llmo.provider.http.Json.write(valid.value().get(
                dev.llmo.schema.AnswerSchema.ITEMS)) : valid.printed();
    }

    /** Each call's reasoning, refusal and tool calls on stderr under its model's label, as views of several do. */
    private static void labelled(List<Replay.Call> calls, Extras all) {
        AnswerExtras extras = all.shown();
        List<String> labels = AnswerSections.labels(calls.stream().map(Replay.Call::model).toList());
        for (int i = 0; i < calls.size(); i++) {
            Message answer = calls.get(i).response().answer();
            extras.wholeReasoning(labels.get(i), answer);
            all.afterAnswer(labels.get(i), calls.get(i));
        }
    }

    /** The sources the answers of a chain's last step cite, together: printed once after the step's text. */
    private static Message citations(List<Replay.Call> step) {
        List<Part> cited = new ArrayList<>();
        step.forEach(call -> cited.addAll(call.response().answer().parts(Part.Citation.class)));
        return new Message(Role.ASSISTANT, cited);
    }

    private static int planIndex(List<String> models, Replay.Call call) {
        int index = models.indexOf(call.model().id());
        return index < 0 ? Integer.MAX_VALUE : index;
    }

    // the chain's own joining of a fan-out step (ChainRunner): each answer stripped, under its model's header
    private static String combined(List<List<Replay.Call>> step) {
        StringBuilder all = new StringBuilder();
        for (List<Replay.Call> answer : step) {
            if (all.length() > 0) {
                all.append("\n\n");
            }
            ModelRef model = answer.get(0).model();
            all.append("== ").append(model.id()).append(" ==\n").append(whole(answer).text().strip());
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
