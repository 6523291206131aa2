package dev.llmo.tool.mcp;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * A stand-in for llmo in {@link OrphanTest}: starts the stdio servers named on its command line (each argument a
 * command, its words separated by spaces), prints the pids of every process under it on one line, and waits to be
 * killed.
 */
public final class OrphanProbe {
    private OrphanProbe() {
    }

    public static void main(String[] args) throws InterruptedException {
        Path log = Path.of(args[0]);
        List<McpClient> clients = new ArrayList<>();
        for (int i = 1; i < args.length; i++) {
            clients.add(McpClient.start(new StdioServer("probe" + i, List.of(args[i].split(" ")), Map.of(), null,
                    log), Duration.ofSeconds(60)));
        }
        System.out.println("pids " + ProcessHandle.current().descendants().map(p -> Long.toString(p.pid()))
                .collect(Collectors.joining(" ")));
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }
}
