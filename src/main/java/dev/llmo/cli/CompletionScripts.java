package dev.llmo.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Writes the bash, zsh and fish completion scripts from the picocli command tree, so that every command and
 * option is always there. Names that change with the configuration (models, roles, chains, conversations,
 * vault entries) are not baked in: the scripts ask {@code llmo __complete KIND} at each TAB.
 */
final class CompletionScripts {
    /** What a value of an option or a positional parameter is completed with. */
    record ValueSpec(String dynamicKind, List<String> fixed) {
        static final ValueSpec FREE = new ValueSpec(null, List.of());

        String shellWord() {
            if (dynamicKind != null) {
                return "dyn:" + dynamicKind;
            }
            return fixed.isEmpty() ? "any:" : "list:" + String.join(" ", fixed);
        }
    }

    /** One command of the tree: its path ("" for llmo itself, "chain show"), subcommands, options, arguments. */
    record Node(String path, String description, List<String> subcommands, List<String> flags,
                Map<String, ValueSpec> valueOptions, Map<String, String> optionHelp, ValueSpec positional) {
    }

    private static final Map<String, String> OPTION_KINDS = Map.of(
            "--model", "models", "--role", "roles", "--cid", "conversations", "--resume", "conversations",
            "--template", "templates");
    private static final Map<String, String> POSITIONAL_KINDS = Map.ofEntries(
            Map.entry("chain show", "chains"), Map.entry("chain validate", "chains"), Map.entry("chain run", "chains"),
            Map.entry("log show", "conversations"), Map.entry("log verify", "conversations"),
            Map.entry("log replay", "conversations"), Map.entry("log export", "conversations"),
            Map.entry("vault get", "vault-names"), Map.entry("vault set", "vault-names"),
            Map.entry("vault remove", "vault-names"), Map.entry("templates show", "templates"),
            Map.entry("templates edit", "templates"), Map.entry("templates rm", "templates"));

    private final List<Node> nodes = new ArrayList<>();

    CompletionScripts(CommandLine root) {
        collect(root, "");
    }

    List<Node> nodes() {
        return nodes;
    }

    private void collect(CommandLine command, String path) {
        CommandSpec spec = command.getCommandSpec();
        List<String> subcommands = new ArrayList<>();
        command.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden() && !subcommands.contains(sub.getCommandName())) {
                subcommands.add(sub.getCommandName());
            }
        });
        List<String> flags = new ArrayList<>();
        Map<String, ValueSpec> valueOptions = new LinkedHashMap<>();
        Map<String, String> optionHelp = new LinkedHashMap<>();
        for (OptionSpec option : spec.options()) {
            if (option.hidden()) {
                continue;
            }
            String help = option.description().length > 0 ? option.description()[0] : "";
            for (String name : option.names()) {
                optionHelp.put(name, help);
                if (option.arity().max() == 0) {
                    flags.add(name);
                } else {
                    valueOptions.put(name, valueSpec(option));
                }
            }
        }
        String kind = POSITIONAL_KINDS.get(path);
        ValueSpec positional = kind != null ? new ValueSpec(kind, List.of())
                : spec.positionalParameters().isEmpty() ? null : ValueSpec.FREE;
        String description = spec.usageMessage().description().length > 0 ? spec.usageMessage().description()[0] : "";
        nodes.add(new Node(path, description, subcommands, flags, valueOptions, optionHelp, positional));
        command.getSubcommands().forEach((name, sub) -> {
            if (!sub.getCommandSpec().usageMessage().hidden() && name.equals(sub.getCommandName())) {
                collect(sub, path.isEmpty() ? name : path + " " + name);
            }
        });
    }

    private static ValueSpec valueSpec(OptionSpec option) {
        for (String name : option.names()) {
            if (OPTION_KINDS.containsKey(name)) {
                return new ValueSpec(OPTION_KINDS.get(name), List.of());
            }
        }
        List<String> fixed = new ArrayList<>();
        if (option.completionCandidates() != null) {
            option.completionCandidates().forEach(fixed::add);
        }
        return new ValueSpec(null, fixed);
    }

    String bash() {
        StringBuilder s = new StringBuilder();
        s.append("# bash completion for llmo (llmo install-completion --shell bash)\n");
        s.append("# Commands and options are fixed here; names come from 'llmo __complete KIND' at each TAB.\n\n");
        sharedFunctions(s);
        s.append(BASH_MAIN);
        return s.toString();
    }

    String zsh() {
        StringBuilder s = new StringBuilder();
        s.append("#compdef llmo\n");
        s.append("# zsh completion for llmo (llmo install-completion --shell zsh)\n");
        s.append("# Commands and options are fixed here; names come from 'llmo __complete KIND' at each TAB.\n\n");
        sharedFunctions(s);
        s.append(ZSH_MAIN);
        return s.toString();
    }

    /** bash and zsh share these: the tree as case statements (the syntax both shells read alike). */
    private void sharedFunctions(StringBuilder s) {
        s.append("_llmo_subcommands() {\n  case \"$1\" in\n");
        for (Node node : nodes) {
            if (!node.subcommands().isEmpty()) {
                s.append("    \"").append(node.path()).append("\") echo \"")
                        .append(String.join(" ", node.subcommands())).append("\" ;;\n");
            }
        }
        s.append("  esac\n}\n\n_llmo_options() {\n  case \"$1\" in\n");
        for (Node node : nodes) {
            List<String> all = new ArrayList<>(node.flags());
            all.addAll(node.valueOptions().keySet());
            s.append("    \"").append(node.path()).append("\") echo \"").append(String.join(" ", all)).append("\" ;;\n");
        }
        s.append("  esac\n}\n\n# the value of option $2 of command $1: dyn:KIND, list:WORDS or any: (free text)\n");
        s.append("_llmo_value() {\n  case \"$1|$2\" in\n");
        for (Node node : nodes) {
            node.valueOptions().forEach((name, value) -> s.append("    \"").append(node.path()).append('|')
                    .append(name).append("\") echo \"").append(value.shellWord()).append("\" ;;\n"));
        }
        s.append("    *) return 1 ;;\n  esac\n}\n\n_llmo_positional() {\n  case \"$1\" in\n");
        for (Node node : nodes) {
            if (node.positional() != null) {
                s.append("    \"").append(node.path()).append("\") echo \"").append(node.positional().shellWord())
                        .append("\" ;;\n");
            }
        }
        s.append("    *) return 1 ;;\n  esac\n}\n\n");
        s.append(SHARED_WALK);
    }

    // Walks the words before the cursor to the command path, skipping options and their values; then decides
    // what the word under the cursor is. Prints "words:LIST" or a value spec.
    private static final String SHARED_WALK = String.join("\n",
            "_llmo_spec() {",
            "  local cmdpath=\"\" w expect=\"\" cur=\"$1\"; shift",
            "  for w in \"$@\"; do",
            "    if [[ -n $expect ]]; then expect=\"\"; continue; fi",
            "    case $w in",
            "      --*=*) ;;",
            "      -*) _llmo_value \"$cmdpath\" \"$w\" >/dev/null && expect=1 ;;",
            "      *) case \" $(_llmo_subcommands \"$cmdpath\") \" in *\" $w \"*) cmdpath=${cmdpath:+$cmdpath }$w ;; esac ;;",
            "    esac",
            "  done",
            "  if [[ -n $expect ]]; then _llmo_value \"$cmdpath\" \"$w\"; return; fi",
            "  if [[ $cur == --*=* ]]; then _llmo_value \"$cmdpath\" \"${cur%%=*}\"; return; fi",
            "  if [[ $cur == -* ]]; then echo \"words:$(_llmo_options \"$cmdpath\")\"; return; fi",
            "  local subs; subs=$(_llmo_subcommands \"$cmdpath\")",
            "  if [[ -n $subs ]]; then echo \"words:$subs\"; return; fi",
            "  _llmo_positional \"$cmdpath\"",
            "}",
            "",
            "_llmo_candidates() {",
            "  case $1 in",
            "    words:*|list:*) echo \"${1#*:}\" | tr ' ' '\\n' ;;",
            "    dyn:*) command llmo __complete \"${1#dyn:}\" 2>/dev/null ;;",
            "  esac",
            "}",
            "",
            "");

    private static final String BASH_MAIN = String.join("\n",
            "_llmo() {",
            "  # Split the line ourselves: bash's COMP_WORDS breaks model names at ':' (ollama/llama3.2:3b).",
            "  local line=${COMP_LINE:0:COMP_POINT} cur words spec IFS=$' \\t\\n'",
            "  read -ra words <<< \"$line\"",
            "  if [[ $line == *[[:space:]] ]]; then cur=\"\"; else cur=${words[${#words[@]}-1]}; unset 'words[${#words[@]}-1]'; fi",
            "  spec=$(_llmo_spec \"$cur\" \"${words[@]:1}\") || return 0",
            "  local IFS=$'\\n' word=$cur",
            "  [[ $word == --*=* ]] && word=${word#*=}   # --model=VALUE: complete the value",
            "  COMPREPLY=($(compgen -W \"$(_llmo_candidates \"$spec\")\" -- \"$word\"))",
            "  # Reply with what follows the last word break (':' or '='), as bash will insert it there.",
            "  local prefix=${word%\"${word##*[:=]}\"} i",
            "  if [[ -n $prefix ]]; then for i in \"${!COMPREPLY[@]}\"; do COMPREPLY[i]=${COMPREPLY[i]#\"$prefix\"}; done; fi",
            "  if [[ $spec == any: ]]; then compopt -o default 2>/dev/null; fi",
            "  return 0",
            "}",
            "complete -F _llmo llmo",
            "");

    private static final String ZSH_MAIN = String.join("\n",
            "_llmo() {",
            "  local cur=${words[CURRENT]} spec",
            "  spec=$(_llmo_spec \"$cur\" \"${(@)words[2,CURRENT-1]}\") || return 1",
            "  [[ $cur == --*=* ]] && compset -P '*='",
            "  case $spec in",
            "    any:) _files ;;",
            "    *) local -a candidates; candidates=(${(f)\"$(_llmo_candidates \"$spec\")\"}); compadd -- $candidates ;;",
            "  esac",
            "}",
            "",
            "if [[ \"${funcstack[1]}\" == _llmo ]]; then",
            "  _llmo \"$@\"",
            "else",
            "  compdef _llmo llmo",
            "fi",
            "");

    String fish() {
        StringBuilder s = new StringBuilder();
        s.append("# fish completion for llmo (llmo install-completion --shell fish)\n");
        s.append("# Commands and options are fixed here; names come from 'llmo __complete KIND' at each TAB.\n\n");
        s.append("function __llmo_subcommands\n    switch \"$argv[1]\"\n");
        for (Node node : nodes) {
            if (!node.subcommands().isEmpty()) {
                s.append("        case '").append(node.path()).append("'\n            echo ")
                        .append(String.join(" ", node.subcommands())).append('\n');
            }
        }
        s.append("    end\nend\n\nset -g __llmo_value_options");
        for (Node node : nodes) {
            node.valueOptions().keySet().forEach(name -> s.append(" '").append(node.path()).append('|').append(name)
                    .append('\''));
        }
        s.append("\n\n");
        s.append(String.join("\n",
                "function __llmo_path --description 'the llmo command path of the current command line'",
                "    set -l tokens (commandline -opc)",
                "    set -e tokens[1]",
                "    set -l cmdpath ''",
                "    set -l skip 0",
                "    for t in $tokens",
                "        if test $skip = 1",
                "            set skip 0",
                "            continue",
                "        end",
                "        if string match -q -- '-*' $t",
                "            contains -- \"$cmdpath|$t\" $__llmo_value_options; and set skip 1",
                "            continue",
                "        end",
                "        if contains -- $t (string split ' ' -- (__llmo_subcommands \"$cmdpath\"))",
                "            set cmdpath (string trim -- \"$cmdpath $t\")",
                "        end",
                "    end",
                "    echo $cmdpath",
                "end",
                "",
                "function __llmo_at --description 'true when the command line is at this llmo command'",
                "    set -l p (__llmo_path)",
                "    test \"$p\" = \"$argv[1]\"",
                "end",
                "",
                "complete -c llmo -f",
                ""));
        for (Node node : nodes) {
            String at = "'__llmo_at \"" + node.path() + "\"'";
            for (String sub : node.subcommands()) {
                Node child = nodes.stream().filter(n -> n.path().equals(
                        node.path().isEmpty() ? sub : node.path() + " " + sub)).findFirst().orElse(null);
                s.append("complete -c llmo -n ").append(at).append(" -a ").append(sub);
                if (child != null && !child.description().isEmpty()) {
                    s.append(" -d ").append(fishQuote(child.description()));
                }
                s.append('\n');
            }
            for (String flag : node.flags()) {
                s.append("complete -c llmo -n ").append(at).append(' ').append(fishOption(flag))
                        .append(" -d ").append(fishQuote(node.optionHelp().get(flag))).append('\n');
            }
            node.valueOptions().forEach((name, value) -> {
                s.append("complete -c llmo -n ").append(at).append(' ').append(fishOption(name))
                        .append(" -d ").append(fishQuote(node.optionHelp().get(name)));
                s.append(value.dynamicKind() != null ? " -x -a '(command llmo __complete " + value.dynamicKind() + ")'"
                        : value.fixed().isEmpty() ? " -r" : " -x -a " + fishQuote(String.join(" ", value.fixed())));
                s.append('\n');
            });
            if (node.positional() != null && node.positional().dynamicKind() != null) {
                s.append("complete -c llmo -n ").append(at).append(" -a '(command llmo __complete ")
                        .append(node.positional().dynamicKind()).append(")'\n");
            }
        }
        return s.toString();
    }

    private static String fishOption(String name) {
        return name.startsWith("--") ? "-l " + name.substring(2) : "-s " + name.substring(1);
    }

    private static String fishQuote(String text) {
        return "'" + (text == null ? "" : text.replace("\\", "\\\\").replace("'", "\\'")) + "'";
    }
}
