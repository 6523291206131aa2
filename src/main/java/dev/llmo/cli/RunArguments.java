package dev.llmo.cli;

import java.math.BigDecimal;
import java.util.HashSet;
import java.util.Set;

/**
 * Reads a plain {@code llmo run} command line without picocli: prompt words and the options a run is usually given,
 * each as its own word followed by its value ({@code -m openai -s "Be brief" --max-cost 0.5 "..."}). Building
 * picocli's model of {@code run} and parsing with it was about a third of a run's start-up on the main thread
 * (ADR-003, "Seventeenth round"), more than any other single cost left.
 *
 * <p>picocli stays the parser of record. Anything else is left to it, by returning null: help and version, an
 * unknown or mistyped option, {@code --name=value} and clustered short options, {@code --}, {@code @file} arguments
 * (picocli expands them), a value that looks like an option, an empty word, an {@code -o} value with a double quote
 * (picocli splits KEY=VALUE around quotes), an option given twice that may be given once, and the options this reader
 * does not know ({@code -p}, {@code --schema}, {@code --reasoning}, the numbers but {@code --max-cost}...). So every
 * error message and every unusual form is picocli's own. {@code RunArgumentsTest} parses thousands of command lines
 * with both and fails when this reader accepts one that picocli reads differently or refuses.
 */
final class RunArguments {
    private RunArguments() {
    }

    /** {@code run}'s command bound to the arguments, or null when they are for picocli to read. */
    static RunCommand read(String[] args, CliContext context) {
        if (args.length < 2 || !"run".equals(args[0])) {
            return null;
        }
        RunCommand run = new RunCommand(context);
        Set<String> once = new HashSet<>();
        for (int i = 1; i < args.length; i++) {
            String arg = args[i];
            if (!plain(arg)) {
                return null;
            }
            if (arg.charAt(0) != '-') {
                run.prompt.add(arg);
                continue;
            }
            String value = null;
            if (takesValue(arg)) {
                if (i + 1 == args.length || !plainValue(args[i + 1])) {
                    return null;
                }
                value = args[++i];
            }
            if (!bind(run, arg, value, once)) {
                return null;
            }
        }
        return run;
    }

    /** Not empty, not an {@code @file} and not {@code -} or {@code --}, which picocli reads in ways of its own. */
    private static boolean plain(String arg) {
        return !arg.isEmpty() && arg.charAt(0) != '@' && !"-".equals(arg) && !"--".equals(arg);
    }

    /** A value: not empty and no {@code @file}; {@code -} (stdin) is one, any other word starting with '-' is not. */
    private static boolean plainValue(String value) {
        return "-".equals(value) || plain(value) && value.charAt(0) != '-';
    }

    private static boolean takesValue(String option) {
        return switch (option) {
            case "-m", "--model", "-r", "--role", "--mode", "-s", "--system", "-o", "--option", "--cid", "--resume",
                 "-T", "--tool", "--approve", "-a", "--attach", "--attach-type", "-t", "--template", "--save", "-f",
                 "--fragment", "--sf", "--max-cost" -> true;
            default -> false;
        };
    }

    /** Sets what {@code option} (with its {@code value}) stands for; false when picocli is to read the line. */
    private static boolean bind(RunCommand run, String option, String value, Set<String> once) {
        switch (option) {
            case "-m", "--model" -> run.models.add(value);
            case "-T", "--tool" -> run.toolOptions.tools.add(value);
            case "--approve" -> run.toolOptions.approve.add(value);
            case "-a", "--attach" -> run.attachOptions.attach.add(value);
            case "--attach-type" -> run.attachOptions.types.add(value);
            case "-f", "--fragment" -> run.fragmentOptions.fragments.add(value);
            case "--sf" -> run.fragmentOptions.systemFragments.add(value);
            case "-o", "--option" -> {
                int equals = value.indexOf('=');
                if (equals < 1 || value.indexOf('"') >= 0) {
                    return false; // picocli does not split a map's KEY=VALUE at an '=' inside double quotes
                }
                run.shared.options.put(value.substring(0, equals), value.substring(equals + 1));
            }
            case "--parallel", "--sequential" -> {
                if (run.mode != null) {
                    return false;
                }
                run.mode = new RunCommand.Mode();
                run.mode.parallel = "--parallel".equals(option);
                run.mode.sequential = !run.mode.parallel;
            }
            case "-c", "--continue", "--cid", "--resume" -> {
                if (run.shared.continuation != null) {
                    return false;
                }
                run.shared.continuation = new ConversationOptions.Continuation();
                run.shared.continuation.last = value == null;
                run.shared.continuation.id = value;
            }
            default -> {
                return once.add(canonical(option)) && bindOnce(run, option, value);
            }
        }
        return true;
    }

    /** The options that may be given once. */
    private static boolean bindOnce(RunCommand run, String option, String value) {
        switch (option) {
            case "-r", "--role", "--mode" -> run.role = value;
            case "-s", "--system" -> run.shared.system = value;
            case "-t", "--template" -> run.templates.template = value;
            case "--save" -> run.templates.save = value;
            case "--compare" -> run.compare = true;
            case "--json" -> run.json = true;
            case "--no-stream" -> run.noStream = true;
            case "-u", "--usage" -> run.usage = true;
            case "--dry-run" -> run.dryRun = true;
            case "--no-log" -> run.shared.noLog = true;
            case "--yolo" -> run.toolOptions.yolo = true;
            case "--max-cost" -> {
                try {
                    run.maxCost = new BigDecimal(value.strip()); // as LlmoCli's converter reads it
                } catch (NumberFormatException e) {
                    return false; // picocli's converter says what is wrong
                }
            }
            default -> {
                return false;
            }
        }
        return true;
    }

    /** One name for an option's several ones, so that {@code -s x --system y} counts as given twice. */
    private static String canonical(String option) {
        return switch (option) {
            case "-r", "--mode" -> "--role";
            case "-s" -> "--system";
            case "-t" -> "--template";
            case "-u" -> "--usage";
            default -> option;
        };
    }
}
