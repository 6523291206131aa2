package dev.llmo.provider.http;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.function.Consumer;

/**
 * A server-sent events parser fed with raw bytes in chunks of any size (the WHATWG algorithm, as the Stainless SDKs
 * implement it; wire-formats.md section 0), with the deviations real servers need:
 * <ul>
 *   <li>lines end at CR, LF or CRLF, also when CR and LF arrive in different chunks;</li>
 *   <li>bytes are decoded as UTF-8 per complete line only, so a character split across chunks survives, and
 *       U+2028 inside JSON is not a line end;</li>
 *   <li>{@code :} comments (OpenRouter's {@code : OPENROUTER PROCESSING}, {@code : ping}) are skipped;</li>
 *   <li>old llama.cpp builds send errors as a non-standard {@code error:} field: it becomes data of an event named
 *       {@code error};</li>
 *   <li>Gemini may send a raw JSON object without {@code data:} framing: lines from one starting with {@code {} until
 *       its braces balance become the data of one event;</li>
 *   <li>at end of input, pending non-blank data is dispatched (llama.cpp may omit the final blank line, even
 *       after {@code data: [DONE]}).</li>
 * </ul>
 * Memory is bounded whatever the server sends: one line, and the data of one event, may hold at most a limit
 * ({@link ResponseLimits#maxSseLineBytes()}, 8 MiB by default); beyond it {@link TooLargeException} ends the stream.
 * Comments and keep-alives are dropped line by line, so an endless stream of them uses constant memory.
 * Not thread-safe: one parser per stream.
 */
public final class SseParser {
    private static final byte[] DATA = {'d', 'a', 't', 'a', ':'};
    private static final byte[] EVENT = {'e', 'v', 'e', 'n', 't', ':'};

    private final Consumer<SseEvent> sink;
    private final long maxBytes;
    /** The stream's decoder's template, or null: see {@link #templateLine}. */
    private final DeltaTemplate template;
    private byte[] line = new byte[256];
    private int lineLength;
    private boolean skipLf;

    private String eventName;
    /** The bytes of the last {@code event:} value and its String: a stream names a few kinds of event, each often. */
    private byte[] lastNameBytes = new byte[0];
    private String lastName;
    /** The event's data while it is one line (nearly always): no builder copies it. */
    private String singleData;
    /** The event's data while it is one line read as the template's: its text (the ends are the template's). */
    private String templateText;
    private String templateBefore;
    private String templateAfter;
    private final StringBuilder data = new StringBuilder();
    private boolean hasData;
    private boolean pending;
    private String lastId;

    /**
     * A run of whole template events, read at once ({@link #templateRun}): the bytes of such an event before its text
     * ({@code event: NAME} line if it had one, {@code data: } and the template's start) and after it (the template's
     * end, the line end and the blank line), learnt from the last template event read line by line; null before
     * one, and when the template changed since.
     */
    private byte[] runHead;
    private byte[] runTail;
    /** The tail and the head together: what lies between the texts of two events of a run, compared in one call. */
    private byte[] runJoint;
    /** Where the last event taken into the run being read ends. */
    private int runEnd;
    private String runName;
    private String runBefore;
    private String runAfter;
    /** The start of a run's event that the last chunk cut ({@link #resumeCarry}), and how long it is. */
    private byte[] carry = new byte[0];
    private int carryLength;
    /** The longest text a run takes (a longer one is read line by line). */
    private static final int MAX_RUN_TEXT = 4096;
    /** The most a carried event may need: a template of a longer framing is read line by line at a chunk's end. */
    private static final int MAX_CARRY = 1 << 16;
    /** The texts of the run being read, and where each ends. */
    private byte[] runText = new byte[1024];
    private int runLength;
    private int[] runEnds = new int[64];
    private int runCount;

    private final StringBuilder rawJson = new StringBuilder();
    private int rawDepth;
    private boolean rawInString;
    private boolean rawEscape;

    public SseParser(Consumer<SseEvent> sink) {
        this(sink, ResponseLimits.DEFAULT.maxSseLineBytes());
    }

    /** @param maxBytes the longest line, and the most data of one event, in bytes (characters for data) */
    public SseParser(Consumer<SseEvent> sink, long maxBytes) {
        this(sink, maxBytes, null);
    }

    /**
     * @param template the decoder's template of plain text deltas (null: none): a data line that is the template with
     *                 another text becomes an event that carries the text ({@link SseEvent#templateText}) without its
     *                 line being decoded
     */
    public SseParser(Consumer<SseEvent> sink, long maxBytes, DeltaTemplate template) {
        this.sink = sink;
        this.maxBytes = maxBytes;
        this.template = template;
    }

    /** A line or an event is longer than the limit: the stream cannot be read further. */
    public static final class TooLargeException extends RuntimeException {
        private final long limit;

        TooLargeException(long limit) {
            super("a server-sent event line or event longer than " + limit + " bytes", null, false, false);
            this.limit = limit;
        }

        public long limit() {
            return limit;
        }
    }

    /** Reads {@code in} to its end, dispatching events as soon as each one is complete. */
    public void parse(InputStream in) throws IOException {
        byte[] buffer = new byte[8192];
        int n;
        while ((n = in.read(buffer)) != -1) {
            feed(buffer, 0, n);
        }
        finish();
    }

    /** Parses the next chunk of bytes. */
    public void feed(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int start = offset;
        if (carryLength > 0) {
            start = resumeCarry(bytes, start, end);
        }
        start = lines(bytes, start, end, true);
        int rest = end - start;
        int event = runHead == null ? 0 : runHead.length + MAX_RUN_TEXT + runTail.length;
        if (rest > 0 && rest <= maxBytes && atRunStart() && rest < event && event <= MAX_CARRY
                && same(bytes, start, runHead, Math.min(rest, runHead.length))) {
            // the start of what may be one more event of the run: kept to be read with the next chunk's start
            if (carry.length < event) {
                carry = new byte[event];
            }
            System.arraycopy(bytes, start, carry, 0, rest);
            carryLength = rest;
        } else {
            append(bytes, start, rest);
        }
    }

    /**
     * Reads the lines of {@code bytes[start, end)} (and, with {@code runs}, the runs of template events among them)
     * up to the last whole line; returns where the rest starts.
     */
    private int lines(byte[] bytes, int start, int end, boolean runs) {
        if (skipLf && start < end) {
            skipLf = false;
            if (bytes[start] == '\n' && lineLength == 0) {
                start++; // the LF of a CRLF whose CR ended the previous chunk's last line
            }
        }
        // One call per line or run, and the loop here does nothing else: a stream of 20,000 events is fed in a few
        // hundred pieces, too few for this method to be compiled, so its loop runs interpreted; the work is in methods
        // called once per line, which C1 compiles after a few hundred lines, or in templateRun's loop.
        while (start < end) {
            if (runs && atRunStart()) {
                int after = templateRun(bytes, start, end);
                if (after > start) {
                    start = after;
                    continue;
                }
            }
            int next = line(bytes, start, end);
            if (next < 0) {
                break;
            }
            start = next;
        }
        return start;
    }

    /** Whether a run of template events may start here: between events, with a run's framing learnt. */
    private boolean atRunStart() {
        return runHead != null && lineLength == 0 && !pending && rawJson.length() == 0 && !skipLf;
    }

    /**
     * The previous chunk ended inside what may be a template event of the run ({@link #carry}): reads it with this
     * chunk's start as a run, or, when it is not one, line by line as it would have been read. Returns where the
     * rest of this chunk starts. Without it, the one event cut by each chunk's end went the line by line way, which a
     * few dozen events a stream never get compiled for (ADR-003, "Eighth round, streaming").
     */
    private int resumeCarry(byte[] bytes, int start, int end) {
        int take = Math.min(end - start, carry.length - carryLength);
        System.arraycopy(bytes, start, carry, carryLength, take);
        int carried = carryLength;
        carryLength = 0;
        int after = templateRun(carry, 0, carried + take);
        if (after >= carried) {
            return start + (after - carried);
        }
        int rest = lines(carry, 0, carried, false);
        append(carry, rest, carried - rest);
        return start;
    }


    /**
     * Reads the events from {@code src[from]} on, before {@code end}, that are each wholly the template with another
     * text, framed as the last template event read line by line was ({@link #runHead}, {@link #runTail}), and
     * dispatches them as one event that holds their texts: a long answer's events, nearly all of a network read,
     * without the calls per line and per event of the decoding above it (ADR-003, "Eighth round, streaming").
     * Returns where the first other event starts (or the first not wholly in the chunk): {@code from} when there was
     * none.
     *
     * <p>It reads the bytes as the line by line reading would: the head's {@code data: } is the data line's field and
     * its one space; the text, from the head to the first quote, has no quote, backslash, control or non-ASCII byte,
     * so that the data is the template's ends around it ({@link DeltaTemplate#lineEnd}); the tail ends the line with
     * LF and the event with an empty line; the name line, when there is one, is {@code event: NAME} and LF. Each event
     * is far within the limits: the head, text and tail together are at most {@code maxBytes} (the line reading
     * checks the line alone) and the text at most 4 KiB. An event with an empty text ends the run too (its decoding
     * takes nothing, and a run's pieces are counted).
     */
    private int templateRun(byte[] src, int from, int end) {
        if (!template.isFrom(runBefore, runAfter)) {
            runHead = null; // the decoder took a new template: the next template event read line by line sets it
            return from;
        }
        runCount = 0;
        runLength = 0;
        runEnd = from;
        byte[] head = runHead;
        int text = from + head.length;
        if (text + runTail.length < end && same(src, from, head, head.length)) {
            while ((text = templateEvent(src, text, end)) >= 0) {
                // each call takes one event, and has compared the next one's head with its own tail
            }
        }
        if (runCount > 0) {
            sink.accept(new SseEvent(runName, runBefore, new String(runText, 0, runLength, StandardCharsets.ISO_8859_1),
                    runAfter, lastId, Arrays.copyOf(runEnds, runCount)));
        }
        return runEnd;
    }

    /**
     * Takes the template event whose head ends at {@code src[text]} (the head compared already) into the run when the
     * rest of it is the template's and wholly before {@code end}: its text goes to {@link #runText}, where it ends to
     * {@link #runEnds}, and where the event ends to {@link #runEnd}. Returns where the next event's text starts when
     * the bytes after this event's text are its tail and the next one's head ({@link #runJoint}, one comparison
     * instead of two an event); -1 otherwise. A method of its own, called once per event, that does all of an event's
     * work: the JIT compiles it after a few hundred events, while the loop that calls it would wait for tens of
     * thousands of back edges.
     */
    private int templateEvent(byte[] src, int text, int end) {
        byte[] tail = runTail;
        if (text + tail.length >= end) {
            return -1;
        }
        long room = maxBytes - runHead.length - tail.length;
        int limit = (int) Math.min(Math.min(end - tail.length, text + (long) MAX_RUN_TEXT), text + room);
        int quote = text;
        while (quote < limit) {
            byte b = src[quote];
            if (b == '"' || b == '\\' || b < 0x20) {
                break;
            }
            quote++;
        }
        if (quote == text || quote >= limit || src[quote] != '"') {
            return -1;
        }
        byte[] joint = runJoint;
        boolean more = quote + joint.length <= end && same(src, quote, joint, joint.length);
        if (!more && !same(src, quote, tail, tail.length)) {
            return -1;
        }
        int size = quote - text;
        if (runLength + size > runText.length) {
            runText = Arrays.copyOf(runText, Math.max(runText.length * 2, runLength + size));
        }
        System.arraycopy(src, text, runText, runLength, size);
        runLength += size;
        if (runCount == runEnds.length) {
            runEnds = Arrays.copyOf(runEnds, runCount * 2);
        }
        runEnds[runCount++] = runLength;
        runEnd = quote + tail.length;
        return more ? quote + joint.length : -1;
    }

    /**
     * Whether {@code src} holds the first {@code length} bytes of {@code expected} at {@code at} (which the caller
     * has checked fit). The JDK's comparison, whose loop ({@code ArraysSupport.vectorizedMismatch}, eight bytes a
     * step) the launcher has compiled after a few calls: the JIT would otherwise compile it after thousands, which in
     * a stream's first half second it may not reach, and interpreted each step is some 25 calls through
     * {@code Unsafe}. Byte by byte this was a quarter of what a 20,000-token stream cost the call's thread beyond a
     * short answer (an OpenAI chunk's framing is ~150 bytes an event: ADR-003, "Eleventh round" and "Thirteenth
     * round").
     */
    private static boolean same(byte[] src, int at, byte[] expected, int length) {
        return Arrays.equals(src, at, at + length, expected, 0, length);
    }

    /**
     * Reads 640 made-up template events with a parser of its own, in 64 pieces, so that the JIT compiles what a run
     * does for each event ({@link #templateEvent} and the JDK's comparison it calls) and for each piece (the run's
     * loop, {@link #templateRun}) before a stream needs it: a long answer's first read, a few thousand events,
     * otherwise went through them in the interpreter, and through the JIT's bookkeeping of each interpreted call. For
     * the start-up's second thread: on a machine of two CPUs, a 20,000-token stream ~3 ms faster, a one-token run
     * within its noise (ADR-003, "Twenty-fifth round"). Changes nothing else ({@link StreamWarmup}).
     *
     * @return how many of the made-up events were read as runs, as they must be to warm the run's methods: 575, all
     *     but the first (which teaches the run its framing) and the last of each piece (which ends with it)
     */
    static int warm() {
        DeltaTemplate template = new DeltaTemplate();
        template.remember("{\"t\":\"x\"}", 6, 7, null);
        int[] inRuns = new int[1];
        SseParser parser = new SseParser(new Consumer<SseEvent>() { // not a lambda: start-up path (ADR-003)
            @Override
            public void accept(SseEvent event) {
                if (event.events() > 1) {
                    inRuns[0] += event.events();
                }
            }
        }, 1 << 20, template);
        byte[] event = "data: {\"t\":\"x\"}\n\n".getBytes(StandardCharsets.US_ASCII);
        byte[] events = new byte[event.length * 10];
        for (int i = 0; i < 10; i++) {
            System.arraycopy(event, 0, events, i * event.length, event.length);
        }
        for (int i = 0; i < 64; i++) {
            parser.feed(events, 0, events.length);
        }
        return inRuns[0];
    }

    /**
     * After a template event read line by line: its framing, for {@link #templateRun} to read the next ones at once.
     * Only the plain framing is learnt ({@code event: NAME} and {@code data: } lines ending in LF); another never
     * matches, and its events are read line by line.
     */
    private void learnRun() {
        if (template.isFrom(runBefore, runAfter) && java.util.Objects.equals(runName, eventName) && runHead != null) {
            return;
        }
        runBefore = templateBefore;
        runAfter = templateAfter;
        runName = eventName;
        String name = eventName == null ? "" : "event: " + eventName + "\n";
        byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
        byte[] before = template.beforeBytes();
        byte[] after = template.afterBytes();
        runHead = new byte[nameBytes.length + DATA.length + 1 + before.length];
        System.arraycopy(nameBytes, 0, runHead, 0, nameBytes.length);
        System.arraycopy(DATA, 0, runHead, nameBytes.length, DATA.length);
        runHead[nameBytes.length + DATA.length] = ' ';
        System.arraycopy(before, 0, runHead, nameBytes.length + DATA.length + 1, before.length);
        runTail = Arrays.copyOf(after, after.length + 2);
        runTail[after.length] = '\n';
        runTail[after.length + 1] = '\n';
        runJoint = Arrays.copyOf(runTail, runTail.length + runHead.length);
        System.arraycopy(runHead, 0, runJoint, runTail.length, runHead.length);
    }

    /** Reads the line starting at {@code bytes[start]} if it ends before {@code end}: where the next starts, or -1. */
    private int line(byte[] bytes, int start, int end) {
        int i;
        if (template != null && lineLength == 0 && !hasData && rawJson.length() == 0
                && (i = templateLine(bytes, start, end)) >= 0) {
            return next(bytes, i, end);
        }
        i = lineEnd(bytes, start, end);
        if (i == end) {
            return -1;
        }
        if (lineLength == 0) {
            // the whole line is in this chunk (nearly always): read from it, not copied first
            if (i - start > maxBytes) {
                throw new TooLargeException(maxBytes);
            }
            endLine(bytes, start, i - start);
        } else {
            append(bytes, start, i - start);
            endLine(line, 0, lineLength);
        }
        return next(bytes, i, end);
    }

    /** Where the next line starts after the line end at {@code bytes[i]} (a CR or LF). */
    private int next(byte[] bytes, int i, int end) {
        int start = i + 1;
        if (bytes[i] == '\r') {
            if (start == end) {
                skipLf = true; // the LF may come first in the next chunk
            } else if (bytes[start] == '\n') {
                start++;
            }
        }
        return start;
    }

    /**
     * The first data line of an event, wholly in {@code src[from, end)}, that is the template with another text (the
     * plain text delta nearly every event of a long answer is): taken as the line's data without decoding the line.
     * Returns the index of its line end, or -1 when the line is read as any other.
     */
    private int templateLine(byte[] src, int from, int end) {
        if (end - from <= DATA.length || src[from] != 'd'
                || !Arrays.equals(src, from, from + DATA.length, DATA, 0, DATA.length)) {
            return -1;
        }
        int value = src[from + DATA.length] == ' ' ? from + DATA.length + 1 : from + DATA.length;
        int lineEnd = template.lineEnd(src, value, end);
        // within the limits with a byte to spare, the String reading would not have met them either
        if (lineEnd < 0 || lineEnd - from + 1L > maxBytes) {
            return -1;
        }
        int textStart = value + template.beforeLength();
        templateText = new String(src, textStart, lineEnd - template.afterLength() - textStart,
                StandardCharsets.ISO_8859_1); // ASCII: the template's condition
        templateBefore = template.before();
        templateAfter = template.after();
        hasData = true;
        pending = true;
        return lineEnd;
    }

    /** The index of the first CR or LF in {@code bytes[from, to)}, or {@code to}. */
    private static int lineEnd(byte[] bytes, int from, int to) {
        for (int i = from; i < to; i++) {
            byte b = bytes[i];
            if (b == '\n' || b == '\r') {
                return i;
            }
        }
        return to;
    }

    /** The input ended: dispatches what is pending (a last line without its terminator, data without blank line). */
    public void finish() {
        if (carryLength > 0) {
            int carried = carryLength;
            carryLength = 0;
            int rest = lines(carry, 0, carried, false);
            append(carry, rest, carried - rest);
        }
        if (lineLength > 0) {
            endLine(line, 0, lineLength);
        }
        if (rawJson.length() > 0) {
            dispatchRaw();
        }
        if (pending && hasData && !data().strip().isEmpty()) {
            dispatch();
        }
        reset();
    }

    private void append(byte[] bytes, int offset, int length) {
        if (length <= 0) {
            return;
        }
        if ((long) lineLength + length > maxBytes) {
            throw new TooLargeException(maxBytes);
        }
        if (lineLength + length > line.length) {
            line = Arrays.copyOf(line, (int) Math.min(maxBytes, Math.max(line.length * 2L, lineLength + length)));
        }
        System.arraycopy(bytes, offset, line, lineLength, length);
        lineLength += length;
    }

    /** A whole line, {@code src[from, from + length)} without its end: {@link #line} or the chunk fed. */
    private void endLine(byte[] src, int from, int length) {
        lineLength = 0;
        if (length == 0 && rawJson.length() == 0) {
            // the blank line that ends an event, as processLine reads it
            shrink();
            if (pending) {
                dispatch();
            }
            reset();
            return;
        }
        if (length > 0 && src[from] == ':' && rawJson.length() == 0) {
            shrink(); // a comment or keep-alive: dropped without decoding
            return;
        }
        if (rawJson.length() == 0 && length >= DATA.length && Arrays.equals(src, from, from + DATA.length, DATA, 0,
                DATA.length)) {
            // a data line, as processLine would read it, decoded once: the value only
            int skip = length > DATA.length && src[from + DATA.length] == ' ' ? DATA.length + 1 : DATA.length;
            String value = new String(src, from + skip, length - skip, StandardCharsets.UTF_8);
            shrink();
            appendData(value);
            return;
        }
        if (rawJson.length() == 0 && length >= EVENT.length && Arrays.equals(src, from, from + EVENT.length, EVENT, 0,
                EVENT.length)) {
            // an event line (Anthropic's before each data line), as processLine would read it, without a String per
            // line: the name is the previous event's when its bytes are
            int skip = length > EVENT.length && src[from + EVENT.length] == ' ' ? EVENT.length + 1 : EVENT.length;
            if (length - skip > 256) {
                eventName = new String(src, from + skip, length - skip, StandardCharsets.UTF_8); // not kept
            } else {
                if (lastName == null || !Arrays.equals(src, from + skip, from + length, lastNameBytes, 0,
                        lastNameBytes.length)) {
                    lastNameBytes = Arrays.copyOfRange(src, from + skip, from + length);
                    lastName = new String(lastNameBytes, StandardCharsets.UTF_8);
                }
                eventName = lastName;
            }
            pending = true;
            shrink();
            return;
        }
        String text = new String(src, from, length, StandardCharsets.UTF_8);
        shrink();
        processLine(text);
    }

    private void shrink() {
        if (line.length > 65536) {
            line = new byte[256]; // do not keep a huge buffer alive after one huge line
        }
    }

    private void processLine(String text) {
        if (rawJson.length() > 0 || rawDepth == 0 && text.startsWith("{") && !pending) {
            collectRaw(text);
            return;
        }
        if (text.isEmpty()) {
            if (pending) {
                dispatch();
            }
            reset();
            return;
        }
        if (text.charAt(0) == ':') {
            return;
        }
        int colon = text.indexOf(':');
        String field = colon < 0 ? text : text.substring(0, colon);
        String value = colon < 0 ? "" : text.substring(colon + 1);
        if (value.startsWith(" ")) {
            value = value.substring(1);
        }
        switch (field) {
            // "data:" and "event:" lines are read in endLine; a bare "data" or "event" (no colon) comes here
            case "event" -> {
                eventName = value;
                pending = true;
            }
            case "data" -> appendData(value);
            case "error" -> {
                // llama.cpp before PR #16109: "error: {json}" as its own field
                if (eventName == null) {
                    eventName = "error";
                }
                appendData(value);
            }
            case "id" -> {
                if (value.indexOf('\0') < 0) {
                    lastId = value;
                    pending = true;
                }
            }
            case "retry" -> pending |= !value.isEmpty() && value.chars().allMatch(Character::isDigit);
            default -> {
                // unknown fields are ignored, as the spec says
            }
        }
    }

    private void appendData(String value) {
        if (templateText != null) {
            singleData = data(); // a second data line: the first as the String reading keeps it
            templateText = null;
        }
        int length = singleData != null ? singleData.length() : data.length();
        if ((long) length + value.length() + 1 > maxBytes) {
            throw new TooLargeException(maxBytes);
        }
        if (!hasData) {
            singleData = value;
        } else {
            if (singleData != null) {
                data.append(singleData);
                singleData = null;
            }
            data.append('\n').append(value);
        }
        hasData = true;
        pending = true;
    }

    private String data() {
        return templateText != null ? templateBefore + templateText + templateAfter
                : singleData != null ? singleData : data.toString();
    }

    private void collectRaw(String text) {
        if ((long) rawJson.length() + text.length() + 1 > maxBytes) {
            throw new TooLargeException(maxBytes);
        }
        if (rawJson.length() > 0) {
            rawJson.append('\n');
        }
        rawJson.append(text);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (rawInString) {
                if (rawEscape) {
                    rawEscape = false;
                } else if (c == '\\') {
                    rawEscape = true;
                } else if (c == '"') {
                    rawInString = false;
                }
            } else if (c == '"') {
                rawInString = true;
            } else if (c == '{' || c == '[') {
                rawDepth++;
            } else if (c == '}' || c == ']') {
                rawDepth--;
            }
        }
        if (rawDepth <= 0) {
            dispatchRaw();
        }
    }

    private void dispatchRaw() {
        String json = rawJson.toString();
        rawJson.setLength(0);
        rawDepth = 0;
        rawInString = false;
        rawEscape = false;
        sink.accept(new SseEvent(null, json, lastId));
    }

    private void dispatch() {
        if (templateText != null) {
            learnRun();
            sink.accept(new SseEvent(eventName, templateBefore, templateText, templateAfter, lastId));
        } else {
            sink.accept(new SseEvent(eventName, data(), lastId));
        }
    }

    private void reset() {
        eventName = null;
        singleData = null;
        templateText = null;
        templateBefore = null;
        templateAfter = null;
        data.setLength(0);
        hasData = false;
        pending = false;
    }
}
