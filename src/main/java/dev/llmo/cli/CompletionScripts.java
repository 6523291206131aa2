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
 * vault entries) are not baked in: the scripts read them from {@link CompletionCache} while it is current, else
 * ask {@code llmo __complete KIND}, which writes it.
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
        s.append("# Commands and options are fixed here; names come from llmo's cache of them\n"
                + "# (while it is current), else from 'llmo __complete KIND'.\n\n");
        sharedFunctions(s);
        s.append("_llmo_bin() { type -P llmo; }\n\n");
        s.append(BASH_MAIN);
        return s.toString();
    }

    String zsh() {
        StringBuilder s = new StringBuilder();
        s.append("#compdef llmo\n");
        s.append("# zsh completion for llmo (llmo install-completion --shell zsh)\n");
        s.append("# Commands and options are fixed here; names come from llmo's cache of them\n"
                + "# (while it is current), else from 'llmo __complete KIND'.\n\n");
        sharedFunctions(s);
        s.append("_llmo_bin() { print -r -- \"${commands[llmo]-}\"; }\n\n");
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
        s.append(SHARED_WALK).append(CACHE_READER);
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
            "    words:*|list:*) local words=${1#*:}; printf '%s\\n' \"${words// /$'\\n'}\" ;;",
            "    dyn:*) _llmo_cached \"${1#dyn:}\" || command llmo __complete \"${1#dyn:}\" 2>/dev/null ;;",
            "  esac",
            "}",
            "",
            "");

    // The reader of CompletionCache's files (its javadoc has the format): the names of one kind without starting
    // llmo, when the key and the sources' signature are still those llmo recorded. Any doubt is a miss.
    private static final String CACHE_READER = String.join("\n",
            "_llmo_key() {",
            "  local d p=''",
            "  d=$(pwd -P) || return 1",
            "  [[ $d == / ]] && d=''",
            "  while :; do",
            "    if [[ -d $d/.llmo ]]; then p=$d/.llmo; break; fi",
            "    [[ -z $d ]] && break",
            "    d=${d%/*}",
            "  done",
            "  printf '%s\\t' \"$p\" \"${LLMO_HOME-}\" \"${XDG_CONFIG_HOME-}\" \"${XDG_DATA_HOME-}\" \"${LLMO_SYSTEM_CONFIG_DIR-}\" \"${HOME-}\"",
            "  _llmo_bin",
            "}",
            "",
            "_llmo_signature() {",
            "  local p mask='' stats='' existing=()",
            "  for p in \"$@\"; do",
            "    if [[ -e $p ]]; then mask+=+; existing+=(\"$p\"); else mask+=-; fi",
            "  done",
            "  if (( ${#existing[@]} )); then",
            "    stats=$(command stat -L -c '%i %s %Y %Z' -- \"${existing[@]}\" 2>/dev/null) ||",
            "      stats=$(command stat -L -f '%i %z %m %c' -- \"${existing[@]}\" 2>/dev/null) || return 1",
            "  fi",
            "  stats=${stats//$'\\n'/;}",
            "  printf '%s\\n' \"$mask${stats:+;$stats}\"",
            "}",
            "",
            "_llmo_cached() {",
            "  local dir=${XDG_CACHE_HOME-} file key line n i sources=()",
            "  [[ $dir == /* ]] || dir=$HOME/.cache",
            "  file=$dir/llmo/complete/$1",
            "  [[ -f $file ]] || return 1",
            "  key=$(_llmo_key) || return 1",
            "  {",
            "    IFS= read -r line && [[ $line == 'llmo-complete 1' ]] || return 1",
            "    IFS= read -r line && [[ $line == \"$key\" ]] || return 1",
            "    IFS= read -r n && [[ $n == [1-9]* && $n != *[!0-9]* ]] || return 1",
            "    for (( i = 0; i < n; i++ )); do IFS= read -r line || return 1; sources+=(\"$line\"); done",
            "    IFS= read -r line && [[ $line == \"$(_llmo_signature \"${sources[@]}\")\" ]] || return 1",
            "    while IFS= read -r line; do printf '%s\\n' \"$line\"; done",
            "  } < \"$file\"",
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
            "  local IFS=$'\\n' word=$cur c",
            "  [[ $word == --*=* ]] && word=${word#*=}   # --model=VALUE: complete the value",
            "  # Not compgen -W: it expands $(...) in the words, and a project's models.yaml can name a model anything.",
            "  local candidates match=$word",
            "  if [[ $spec == any: ]]; then   # free text or a file: the files (compgen -f has matched them)",
            "    candidates=$(compgen -f -- \"$word\"); match=''",
            "    compopt -o filenames 2>/dev/null",
            "  else",
            "    candidates=$(_llmo_candidates \"$spec\")",
            "  fi",
            "  COMPREPLY=()",
            "  while IFS= read -r c; do [[ -n $c && $c == \"$match\"* ]] && COMPREPLY+=(\"$c\"); done <<< \"$candidates\"",
            "  # Reply with what follows the last word break (':' or '='), as bash will insert it there.",
            "  local prefix=${word%\"${word##*[:=]}\"} i",
            "  if [[ -n $prefix ]]; then for i in \"${!COMPREPLY[@]}\"; do COMPREPLY[i]=${COMPREPLY[i]#\"$prefix\"}; done; fi",
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
        s.append("# Commands and options are fixed here; names come from llmo's cache of them\n"
                + "# (while it is current), else from 'llmo __complete KIND'.\n\n");
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
        s.append(FISH_CACHE_READER);
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
                s.append(value.dynamicKind() != null ? " -x -a '(__llmo_names " + value.dynamicKind() + ")'"
                        : value.fixed().isEmpty() ? " -r" : " -x -a " + fishQuote(String.join(" ", value.fixed())));
                s.append('\n');
            });
            if (node.positional() != null && node.positional().dynamicKind() != null) {
                s.append("complete -c llmo -n ").append(at).append(" -a '(__llmo_names ")
                        .append(node.positional().dynamicKind()).append(")'\n");
            }
        }
        return s.toString();
    }

    // The fish twin of CACHE_READER.
    private static final String FISH_CACHE_READER = String.join("\n",
            "function __llmo_key",
            "    set -l d (pwd -P); or return 1",
            "    test \"$d\" = /; and set d ''",
            "    set -l p ''",
            "    while true",
            "        if test -d \"$d/.llmo\"",
            "            set p \"$d/.llmo\"",
            "            break",
            "        end",
            "        test -z \"$d\"; and break",
            "        set d (string replace -r '/[^/]*$' '' -- $d)",
            "    end",
            "    printf '%s\\t' \"$p\" \"$LLMO_HOME\" \"$XDG_CONFIG_HOME\" \"$XDG_DATA_HOME\" \"$LLMO_SYSTEM_CONFIG_DIR\" \"$HOME\"",
            "    command -s llmo",
            "end",
            "",
            "function __llmo_signature",
            "    set -l mask ''",
            "    set -l existing",
            "    for p in $argv",
            "        if test -e \"$p\"",
            "            set mask \"$mask+\"",
            "            set -a existing $p",
            "        else",
            "            set mask \"$mask-\"",
            "        end",
            "    end",
            "    set -l stats",
            "    if set -q existing[1]",
            "        set stats (command stat -L -c '%i %s %Y %Z' -- $existing 2>/dev/null)",
            "        or set stats (command stat -L -f '%i %z %m %c' -- $existing 2>/dev/null)",
            "        or return 1",
            "    end",
            "    string join ';' -- $mask $stats",
            "end",
            "",
            "function __llmo_cached --description 'the names of one kind from llmo\\'s cache, when it is current'",
            "    set -l dir $XDG_CACHE_HOME",
            "    string match -q '/*' -- \"$dir\"; or set dir $HOME/.cache",
            "    set -l file $dir/llmo/complete/$argv[1]",
            "    test -f $file; or return 1",
            "    set -l key (__llmo_key); or return 1",
            "    set -l lines",
            "    while read -l line",
            "        set -a lines $line",
            "    end < $file",
            "    test (count $lines) -ge 4; and test \"$lines[1]\" = 'llmo-complete 1'; and test \"$lines[2]\" = \"$key\"",
            "    or return 1",
            "    string match -qr '^[1-9][0-9]*$' -- $lines[3]; or return 1",
            "    set -l at (math $lines[3] + 4)",
            "    test (count $lines) -ge $at; or return 1",
            "    set -l signature (__llmo_signature $lines[4..(math $at - 1)]); or return 1",
            "    test \"$lines[$at]\" = \"$signature\"; or return 1",
            "    test (count $lines) -gt $at; and printf '%s\\n' $lines[(math $at + 1)..-1]",
            "    return 0",
            "end",
            "",
            "function __llmo_names --description 'the current names of one kind'",
            "    __llmo_cached $argv[1]; or command llmo __complete $argv[1] 2>/dev/null",
            "end",
            "",
            "");

    private static String fishOption(String name) {
        return name.startsWith("--") ? "-l " + name.substring(2) : "-s " + name.substring(1);
    }

    private static String fishQuote(String text) {
        return "'" + (text == null ? "" : text.replace("\\", "\\\\").replace("'", "\\'")) + "'";
    }
}
