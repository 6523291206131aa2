package dev.llmo.provider.http;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Streams of server-sent events as bytes, read through {@link SseParser} by a decoder: for differential tests of the
 * parser's reading of template lines ({@link DeltaTemplate#lineEnd}) against the decoder reading every event's data.
 */
public final class SseStreams {
    private SseStreams() {
    }

    /**
     * The events (name or null, data) as one stream: the name line, the data split into data lines at its line
     * ends, {@code data:} with or without its space, line ends of every kind, a blank line after each event. Half the
     * events are framed as servers do ({@code event: NAME}, {@code data: }, LF), so that runs of them follow each
     * other, which the parser reads at once ({@code SseParser.templateRun}).
     */
    public static byte[] encode(List<String[]> events, Random random) {
        String[] ends = {"\n", "\r", "\r\n"};
        StringBuilder out = new StringBuilder();
        for (String[] event : events) {
            boolean plain = random.nextBoolean();
            if (event[0] != null) {
                out.append("event: ").append(event[0]).append(plain ? "\n" : ends[random.nextInt(3)]);
            }
            for (String line : event[1].split("\r\n|\r|\n", -1)) {
                out.append(!plain && random.nextInt(4) == 0 ? "data:" : "data: ").append(line)
                        .append(plain ? "\n" : ends[random.nextInt(3)]);
            }
            out.append(plain ? "\n" : ends[random.nextInt(3)]);
        }
        return out.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** What reading {@code bytes} with the decoder makes it call, the parser using its template when it has one. */
    public static Reading read(byte[] bytes, ResponseDecoder decoder, Random random) {
        return read(bytes, decoder, random, 0);
    }

    /** As {@link #read(byte[], ResponseDecoder, Random)}; a positive {@code piece} feeds pieces of that size. */
    public static Reading read(byte[] bytes, ResponseDecoder decoder, Random random, int piece) {
        RecordingStreamSink sink = new RecordingStreamSink();
        int[] templated = {0, 0};
        SseParser parser = new SseParser(event -> {
            if (decoder.template() != null && event.templateText(decoder.template()) != null) {
                templated[0] += event.events();
                templated[1] += event.events() > 1 ? 1 : 0;
            }
            decoder.onEvent(event, sink);
        }, ResponseLimits.DEFAULT.maxSseLineBytes(), decoder.template());
        for (int i = 0; i < bytes.length; ) {
            // pieces of any size, mostly whole lines and more, as a network read brings them
            int size = Math.min(bytes.length - i, piece > 0 ? piece
                    : 1 + random.nextInt(random.nextInt(4) == 0 ? 40 : 4000));
            parser.feed(bytes, i, size);
            i += size;
        }
        parser.finish();
        return new Reading(sink.calls, templated[0], templated[1]);
    }

    /**
     * The decoder's calls, how many events the parser read as the template's, and how many runs of such events it
     * read at once.
     */
    public record Reading(List<String> calls, int templated, int runs) {
    }
}
