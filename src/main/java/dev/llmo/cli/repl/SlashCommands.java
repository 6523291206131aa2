package dev.llmo.cli.repl;

import dev.llmo.config.ModelRef;
import dev.llmo.config.ModelSpec;
import dev.llmo.config.NameSuggestions;
import dev.llmo.config.ProviderConfig;
import dev.llmo.config.Role;
import dev.llmo.cost.Usd;
import dev.llmo.failure.UsageException;
import dev.llmo.provider.ChatMessage;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The {@code /commands} of chat. A line is a command when it starts with {@code /} and a letter; {@code //text}
 * sends {@code /text} as a message. Errors are {@link dev.llmo.failure.LlmoException}s for the loop to show.
 */
final class SlashCommands {
    /** What the loop does after a command. */
    enum Outcome { DONE, RETRY, EXIT }

    /** Every command with its arguments and one line of help, in the order /help lists them. */
    static final Map<String, String> HELP = new LinkedHashMap<>();

    static {
        HELP.put("/help", "this list");
        HELP.put("/model [NAME]", "switch the model (the history stays); without NAME show the current one");
        HELP.put("/models", "the configured models");
        HELP.put("/role NAME", "take on a role: its system prompt, options and model");
        HELP.put("/system [TEXT|-]", "set the system prompt (- removes it); without TEXT show it");
        HELP.put("/clear", "start a new, empty conversation (same model, role and system prompt)");
        HELP.put("/retry", "ask for the last answer again");
        HELP.put("/tokens", "the tokens the next request would carry");
        HELP.put("/cost", "what this session has cost");
        HELP.put("/save NAME", "name this conversation (for /load NAME and llmo chat --resume NAME)");
        HELP.put("/load NAME|ID", "switch to a saved or earlier conversation");
        HELP.put("/history", "the turns so far");
        HELP.put("/attach [--type TYPE] [PATH|URL]", "attach an image, PDF, audio or text file to your next "
                + "message (--type: its media type, when llmo cannot tell it); without PATH list what is attached");
        HELP.put("/tools [add|rm TOOL|last]", "the tools offered; add or remove one (SERVER.* for all); last: the "
                + "last answer's tool calls and results, whole");
        HELP.put("/schema [SCHEMA|-]", "answers as JSON that follows SCHEMA (JSON, a file, or 'name, age int'), "
                + "checked; - for text again");
        HELP.put("/chain NAME", "check a chain's name (chains run with 'llmo chain run NAME')");
        HELP.put("/exit", "leave (also /quit, Ctrl-D, or Ctrl-C twice at an empty prompt)");
    }

    /** The command words, for completion and suggestions. */
    static final List<String> NAMES = List.of("/help", "/model", "/models", "/role", "/system", "/clear", "/retry",
            "/tokens", "/cost", "/save", "/load", "/history", "/attach", "/tools", "/schema", "/chain", "/exit",
            "/quit");

    private final ChatSession session;
    private final ChatView view;

    // completed when the user stops the command running (Ctrl-C): a slow /attach returns to the prompt
    private final java.util.function.Supplier<java.util.concurrent.CompletableFuture<Void>> stop;

    SlashCommands(ChatSession session, ChatView view,
                  java.util.function.Supplier<java.util.concurrent.CompletableFuture<Void>> stop) {
        this.session = session;
        this.view = view;
        this.stop = stop;
    }

    /** True when {@code input} is a command rather than a message. */
    static boolean isCommand(String input) {
        return input.length() > 1 && input.charAt(0) == '/' && Character.isLetter(input.charAt(1));
    }

    Outcome run(String input) {
        String line = input.strip();
        int space = indexOfWhitespace(line);
        String name = (space < 0 ? line : line.substring(0, space)).toLowerCase(Locale.ROOT);
        String argument = space < 0 ? "" : line.substring(space + 1).strip();
        switch (name) {
            case "/help" -> help();
            case "/model" -> model(argument);
            case "/models" -> models();
            case "/role" -> role(argument);
            case "/system" -> system(argument);
            case "/clear" -> {
                session.clear();
                view.note("new " + session.conversationLabel());
            }
            case "/retry" -> {
                return Outcome.RETRY;
            }
            case "/tokens" -> tokens();
            case "/cost" -> cost();
            case "/save" -> {
                session.save(required(argument, "/save NAME"));
                view.note("saved as '" + argument + "' (" + session.conversation().id() + ")");
            }
            case "/load" -> {
                String kept = session.load(required(argument, "/load NAME|ID"));
                view.note("conversation " + session.conversation().id() + ": " + session.history().size()
                        + " messages, on " + session.model().id());
                if (kept != null) {
                    view.note(kept);
                }
            }
            case "/history" -> history();
            case "/attach" -> attach(argument);
            case "/tools" -> tools(argument);
            case "/schema" -> schema(argument);
            case "/chain" -> {
                String chain = required(argument, "/chain NAME");
                session.settings().chain(chain); // an unknown name fails here, with the closest names
                view.show("chain '" + chain + "' is defined; chains do not run inside chat yet: run 'llmo chain run "
                        + chain + "' in a shell");
            }
            case "/exit", "/quit" -> {
                return Outcome.EXIT;
            }
            default -> throw unknown(name);
        }
        return Outcome.DONE;
    }

    private static UsageException unknown(String name) {
        String hint = NameSuggestions.didYouMean(name, NAMES);
        return new UsageException("unknown command '" + name + "'" + (hint.isEmpty() ? "" : " (" + hint + ")"),
                "/help lists the commands; start a message with // to send a leading /");
    }

    private static String required(String argument, String usage) {
        if (argument.isEmpty()) {
            throw new UsageException("missing argument: " + usage, null);
        }
        return argument;
    }

    private void help() {
        StringBuilder text = new StringBuilder("Commands:\n");
        // a command too long for its column stands on its own line, its description under the others'
        HELP.forEach((command, meaning) -> text.append(command.length() > 18
                ? String.format(Locale.ROOT, "  %s%n%22s%s%n", command, "", meaning)
                : String.format(Locale.ROOT, "  %-18s  %s%n", command, meaning)));
        text.append("A line ending in \\ continues on the next; \"\"\" starts a block that ends with \"\"\".\n")
                .append("Ctrl-C stops an answer; Tab completes commands, models, roles and saved names.");
        view.show(text.toString());
    }

    private void tools(String argument) {
        String[] words = argument.isEmpty() ? new String[0] : argument.split("\\s+", 2);
        if (words.length == 0) {
            List<dev.llmo.tool.Tool> offered = session.tools();
            view.show(offered.isEmpty() ? "No tools are offered; add one with /tools add TOOL ('llmo tools list' "
                    + "shows them)." : "Offered: " + String.join(", ", offered.stream().map(t -> t.name()).toList()));
            return;
        }
        String verb = words[0].toLowerCase(Locale.ROOT);
        if (verb.equals("last")) {
            view.show(lastToolCalls());
            return;
        }
        if (!List.of("add", "rm", "remove").contains(verb)) {
            throw new UsageException("unknown /tools action '" + verb + "'", "use /tools, /tools add TOOL, "
                    + "/tools rm TOOL or /tools last");
        }
        String tool = required(words.length > 1 ? words[1].strip() : "", "/tools " + verb + " TOOL");
        if (verb.equals("add")) {
            List<dev.llmo.tool.Tool> added = session.addTools(tool);
            view.note(added.isEmpty() ? "already offered" : "offering " + String.join(", ",
                    added.stream().map(t -> t.name()).toList()));
        } else {
            List<dev.llmo.tool.Tool> removed = session.removeTools(tool);
            view.note(removed.isEmpty() ? "no offered tool matches " + tool : "no longer offering " + String.join(
                    ", ", removed.stream().map(t -> t.name()).toList()));
        }
    }

    /** The last answer's tool calls, each with its arguments and its result in full: the one-line view, expanded. */
    private String lastToolCalls() {
        dev.llmo.message.Message answer = session.lastAnswer();
        List<dev.llmo.message.Part.ToolCall> calls = answer == null ? List.of()
                : answer.parts(dev.llmo.message.Part.ToolCall.class);
        if (calls.isEmpty()) {
            return "The last answer called no tool.";
        }
        java.util.Map<String, dev.llmo.message.Part.ToolResult> results = new java.util.HashMap<>();
        answer.parts(dev.llmo.message.Part.ToolResult.class).forEach(r -> results.put(r.callId(), r));
        StringBuilder text = new StringBuilder();
        for (dev.llmo.message.Part.ToolCall call : calls) {
            dev.llmo.message.Part.ToolResult result = results.get(call.id());
            text.append(call.name()).append(" (").append(call.id()).append(")\n  arguments: ")
                    .append(call.arguments()).append("\n  ")
                    .append(result == null ? "not run" : (result.isError() ? "error: " : "result: ") + result.content())
                    .append('\n');
        }
        return text.toString().stripTrailing();
    }

    private void model(String argument) {
        if (argument.isEmpty()) {
            view.show(describe(session.model()));
            return;
        }
        ModelRef model = session.model(argument);
        view.note("model " + model.id());
    }

    private static String describe(ModelRef model) {
        ModelSpec spec = model.spec();
        StringBuilder text = new StringBuilder(model.id());
        List<String> facts = new ArrayList<>();
        if (spec.contextWindow() != null) {
            facts.add("context " + Usd.count(spec.contextWindow()) + " tokens");
        }
        if (spec.pricing() != null) {
            facts.add("$" + spec.pricing().inputPerMtok().toPlainString() + " in / $"
                    + spec.pricing().outputPerMtok().toPlainString() + " out per million tokens");
        }
        if (!facts.isEmpty()) {
            text.append(" (").append(String.join(", ", facts)).append(')');
        }
        return text.toString();
    }

    private void models() {
        StringBuilder text = new StringBuilder();
        String current = session.model().id();
        for (ProviderConfig provider : session.settings().catalog().providers()) {
            for (ModelSpec spec : provider.models()) {
                String id = provider.name() + "/" + spec.name();
                text.append(id.equals(current) ? "* " : "  ").append(id);
                if (!spec.aliases().isEmpty()) {
                    text.append("  (").append(String.join(", ", spec.aliases())).append(')');
                }
                text.append('\n');
            }
        }
        if (text.indexOf("* ") < 0) {
            text.append("* ").append(current).append("  (not listed in models.yaml)\n");
        }
        view.show(text.toString().stripTrailing());
    }

    private void role(String argument) {
        if (argument.isEmpty()) {
            Role role = session.role();
            List<String> names = new ArrayList<>(session.settings().roles().keySet());
            view.show((role == null ? "no role" : "role " + role.name())
                    + (names.isEmpty() ? "" : "; roles: " + String.join(", ", names)));
            return;
        }
        Role role = session.role(argument);
        view.note("role " + role.name() + ", model " + session.model().id());
    }

    /** {@code /schema}: shows, sets ({@code --schema}'s forms) or with {@code -} clears the schema of the answers. */
    private void schema(String argument) {
        if (argument.isEmpty()) {
            dev.llmo.schema.AnswerSchema schema = session.schema();
            view.show(schema == null ? "no schema: answers are text" : "answers follow " + schema.schemaJson());
            return;
        }
        if ("-".equals(argument)) {
            session.schema(null);
            view.note("no schema: answers are text again");
            return;
        }
        try {
            session.schema(dev.llmo.schema.AnswerSchema.parse(argument, java.nio.file.Path.of("").toAbsolutePath(),
                    false));
        } catch (IllegalArgumentException e) {
            throw new UsageException("/schema: " + e.getMessage(), "e.g. /schema name, age int; see 'llmo help "
                    + "structured-output'");
        }
        view.note("answers from now on are JSON that follows this schema, checked");
    }

    private void system(String argument) {
        if (argument.isEmpty()) {
            String system = session.system();
            view.show(system == null ? "no system prompt" : system);
            return;
        }
        session.system("-".equals(argument) ? null : argument);
        view.note("-".equals(argument) ? "system prompt removed" : "system prompt set");
    }

    private void attach(String argument) {
        if (argument.isEmpty()) {
            List<dev.llmo.message.Part.Attachment> pending = session.pendingAttachments();
            view.show(pending.isEmpty() ? "Nothing is attached; /attach PATH attaches a file to your next message."
                    : "Attached to your next message: " + String.join(", ", pending.stream()
                    .map(a -> a.name() + " (" + a.mediaType() + ")").toList()));
            return;
        }
        String type = null;
        String spec = argument;
        String[] words = argument.split("\\s+", 3);
        if (words[0].equals("--type")) {
            if (words.length < 3) {
                throw new UsageException("missing argument: /attach --type TYPE PATH|URL",
                        "e.g. /attach --type image/png picture.bin");
            }
            type = words[1];
            spec = words[2];
        }
        dev.llmo.message.Part.Attachment attachment = session.attach(spec, type, stop.get());
        if (attachment == null) {
            view.note("/attach cancelled; nothing attached");
            return;
        }
        view.note("attached " + attachment.name() + " (" + attachment.mediaType() + ") to your next message");
    }

    private void tokens() {
        TokenEstimator.Estimate estimate = session.nextRequestTokens();
        StringBuilder text = new StringBuilder("next request: ")
                .append(estimate.exact() ? "" : "~").append(Usd.count(estimate.tokens())).append(" tokens");
        String share = StatusLine.contextShare(session.model(), estimate.tokens());
        if (share != null) {
            text.append(", ").append(share);
        }
        text.append(" (").append(session.history().size()).append(" messages")
                .append(session.system() == null ? "" : " and the system prompt").append(", before your next message; ")
                .append(estimate.method()).append(')');
        view.show(text.toString());
    }

    private void cost() {
        StringBuilder text = new StringBuilder("this session: ").append(StatusLine.usd(session.sessionUsd()))
                .append(" over ").append(session.calls()).append(session.calls() == 1 ? " call" : " calls");
        if (session.unpricedCalls() > 0) {
            text.append(" (").append(session.unpricedCalls()).append(" with an unknown price, not counted)");
        }
        long total = session.conversation().costMicroUsd();
        text.append("; this conversation: ").append(StatusLine.usd(java.math.BigDecimal.valueOf(total, 6)));
        view.show(text.toString());
    }

    private void history() {
        List<ChatMessage> turns = session.history();
        if (turns.isEmpty()) {
            view.show("no messages yet");
            return;
        }
        StringBuilder text = new StringBuilder();
        int n = 1;
        for (ChatMessage turn : turns) {
            String who = turn.role() == ChatMessage.Role.USER ? "you" : "model";
            text.append(String.format(Locale.ROOT, "%3d %-5s %s%n", n++, who, abbreviate(turn.content())));
        }
        view.show(text.toString().stripTrailing());
    }

    /** The first line, at most 100 characters; an ellipsis says there is more. */
    static String abbreviate(String content) {
        String flat = content.strip();
        int newline = flat.indexOf('\n');
        String first = newline < 0 ? flat : flat.substring(0, newline);
        boolean more = newline >= 0;
        if (first.length() > 100) {
            first = first.substring(0, 100);
            more = true;
        }
        return more ? first + "…" : first;
    }

    private static int indexOfWhitespace(String text) {
        for (int i = 0; i < text.length(); i++) {
            if (Character.isWhitespace(text.charAt(i))) {
                return i;
            }
        }
        return -1;
    }
}
