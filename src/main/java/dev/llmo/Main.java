package dev.llmo;

import dev.llmo.cli.BuildInfo;
import dev.llmo.cli.CliEnvironment;
import dev.llmo.cli.LlmoCli;

/** The process entry point: runs the command line against the real terminal and exits with its code. */
public final class Main {
    private Main() {
    }

    public static void main(String[] args) {
        // --version needs nothing but a string: answering it before the command tree is built keeps it at JVM
        // start-up cost (the same text picocli's --version prints).
        if (args.length == 1 && ("--version".equals(args[0]) || "-V".equals(args[0]))) {
            System.out.println(new BuildInfo().getVersion()[0]);
            return;
        }
        CliEnvironment environment = CliEnvironment.system();
        int code = LlmoCli.execute(args, environment);
        environment.out().flush();
        environment.err().flush();
        System.exit(code);
    }
}
