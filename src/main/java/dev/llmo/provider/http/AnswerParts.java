package dev.llmo.provider.http;

import dev.llmo.message.Part;
import dev.llmo.message.TextChunks;
import dev.llmo.message.WellFormedText;
import dev.llmo.provider.StreamEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Assembles the answer of one call from its pieces, the one place where pieces become {@link Part}s: for the client,
 * from what every wire format's decoder reads; for the core, from what the user was shown (the answer a failed or
 * stopped call keeps). Pieces of one kind that follow each other merge into one part, the order of kinds is kept, a
 * tool call's pieces join by their index wherever they come, a citation given twice is kept once. Each piece taken is
 * reported as a {@link StreamEvent} as it comes. All text is kept valid UTF-16 (a lone surrogate becomes U+FFFD, a
 * pair split between two pieces is joined) and bounded: past {@code maxBytes} of content in all, nothing more is
 * taken and {@link #overLimit()} says so. Not thread-safe: one call's pieces come from one thread.
 *
 * <p>After the first report, more answer text of the same part is reported when something else is, or at
 * {@link #flush()} (the client's, after each network read): one event per read instead of one per token, which every
 * layer above (the core's copy, the listeners, the renderer) then handles once (ADR-003, "Sixth round, streaming").
 * The first piece of the answer's text is reported at once: it is the time to first token. Reasoning and refusals are still
 * reported piece by piece: their views mark up each piece (dimmed on a terminal).
 */
public final class AnswerParts implements PartSink {
    private final long maxBytes;
    /** Where each piece taken is reported; null for pieces already taken once (nothing is reported). */
    private final Consumer<StreamEvent> events;
    private final List<Piece> pieces = new ArrayList<>();
    /** The last of {@link #pieces}, or null. */
    private Piece last;
    private final Map<Integer, ToolCallPiece> toolCalls = new HashMap<>();
    private final Set<Part.Citation> citations = new HashSet<>();
    /** Whether the last piece may take more of its kind; false after {@link #endBlock()}. */
    private boolean open;
    private long bytes;
    private boolean overLimit;

    /** Read by the retry loop's thread: after anything reached the listener an attempt is not repeated. */
    private volatile boolean delivered;
    /** The text part whose text in {@link #unreported} is not yet reported, or null. */
    private TextPiece unreportedPiece;
    private final StringBuilder unreported = new StringBuilder();
    /** How many pieces {@link #unreported} holds. */
    private int unreportedPieces;
    /** Whether answer text was reported: its first piece is, at once (the time to first token). */
    private boolean textReported;
    /** Whether {@link #unreported} is all ASCII. */
    private boolean unreportedAscii;
    /** Whether the text {@link #take} counted last is ASCII (as many UTF-8 bytes as chars): found on the way. */
    private boolean tookAscii;

    AnswerParts(long maxBytes, Consumer<StreamEvent> listener) {
        this.maxBytes = maxBytes;
        this.events = listener;
    }

    /** An answer whose pieces were already taken (bounded, reported) once: assembled again, nothing reported. */
    public AnswerParts() {
        this.maxBytes = Long.MAX_VALUE;
        this.events = null;
    }

    /**
     * The id of tool call {@code index} of an answer whose provider gave it none (Gemini may not): unique within the
     * answer, and recognisable, so that a request sending the call back can leave it out.
     */
    public static String unnamedCallId(int index) {
        return "call_" + index;
    }

    /** Whether more content came than {@code maxBytes}: it was not taken, and the call must end. */
    boolean overLimit() {
        return overLimit;
    }

    /** Whether anything was reported to the listener: after that an attempt is not retried. */
    boolean delivered() {
        return delivered;
    }

    @Override
    public void text(String text) {
        if (last instanceof TextPiece piece && open && text != null && !text.isEmpty()) {
            // nearly every piece of a long answer: more text for the open text part
            if (take(text)) {
                add(piece, text);
            }
            return;
        }
        append(TextPiece.class, text);
    }

    /** {@link #text} of text known to be ASCII ({@link StreamEvent.TextDelta#ascii}): not scanned again. */
    public void asciiText(String text) {
        if (last instanceof TextPiece piece && open && !text.isEmpty()) {
            if (take(text, true)) {
                add(piece, text, 1, true);
            }
            return;
        }
        text(text);
    }

    /**
     * Takes pieces of ASCII answer text that followed each other, joined, as {@link #text} would take each in turn:
     * when they are more text of the open text part after its first report, and all of them fit. Otherwise takes
     * nothing and returns false, and the caller gives them one by one (so that the limit cuts where it would).
     */
    boolean textRun(String texts, int pieces) {
        if (!(last instanceof TextPiece piece) || !open || !textReported || events == null || texts.isEmpty()
                || overLimit) {
            return false;
        }
        if (bytes + texts.length() > maxBytes) {
            return false;
        }
        bytes += texts.length();
        tookAscii = true;
        add(piece, texts, pieces, true);
        return true;
    }

    @Override
    public void reasoning(String text) {
        append(ReasoningPiece.class, text);
    }

    @Override
    public void refusal(String text) {
        append(RefusalPiece.class, text);
    }

    @Override
    public void reasoningSignature(String signature) {
        if (signature == null || signature.isEmpty() || !take(signature)) {
            return;
        }
        String clean = WellFormedText.of(signature);
        if (last instanceof ReasoningPiece reasoning && open && !reasoning.redacted) {
            reasoning.signature = reasoning.signature == null ? clean : reasoning.signature + clean;
        } else {
            ReasoningPiece reasoning = new ReasoningPiece();
            reasoning.signature = clean;
            start(reasoning);
        }
    }

    @Override
    public void redactedReasoning(String data) {
        if (data == null || !take(data)) {
            return;
        }
        ReasoningPiece reasoning = new ReasoningPiece();
        reasoning.signature = WellFormedText.of(data);
        reasoning.redacted = true;
        start(reasoning);
        open = false; // hidden reasoning takes no text
    }

    @Override
    public void toolCall(int index, String id, String name, String argumentsDelta) {
        String arguments = argumentsDelta == null ? "" : argumentsDelta;
        if (!take(arguments) || !take(id == null ? "" : id) || !take(name == null ? "" : name)) {
            return;
        }
        String cleanId = id == null || id.isEmpty() ? null : WellFormedText.of(id);
        String cleanName = name == null || name.isEmpty() ? null : WellFormedText.of(name);
        ToolCallPiece call = toolCalls.get(index);
        if (call == null) {
            call = new ToolCallPiece(index);
            toolCalls.put(index, call);
            start(call);
        }
        if (call.id == null) {
            call.id = cleanId;
        }
        if (call.name == null) {
            call.name = cleanName;
        }
        String delta = call.arguments.next(arguments);
        call.text.append(delta);
        report(new StreamEvent.ToolCallDelta(index, cleanId, cleanName, delta));
    }

    @Override
    public void citation(Part.Citation citation) {
        if (citation == null) {
            return;
        }
        Part.Citation clean = new Part.Citation(WellFormedText.of(citation.url()),
                citation.title() == null ? null : WellFormedText.of(citation.title()),
                citation.citedText() == null ? null : WellFormedText.of(citation.citedText()));
        if (citations.contains(clean) || !take(clean.url())
                || !take(clean.title() == null ? "" : clean.title())
                || !take(clean.citedText() == null ? "" : clean.citedText())) {
            return;
        }
        citations.add(clean);
        start(new CitationPiece(clean));
        report(new StreamEvent.CitationAdded(clean));
    }

    @Override
    public void endBlock() {
        open = false;
    }

    /** Whether no piece was taken. */
    public boolean isEmpty() {
        return pieces.isEmpty();
    }

    /** The parts, in order; a high surrogate still held back at the end becomes U+FFFD. All is reported then. */
    public List<Part> parts() {
        flush();
        List<Part> parts = new ArrayList<>(pieces.size());
        for (Piece piece : pieces) {
            finish(piece);
            parts.add(piece.part());
        }
        return parts;
    }

    private <P extends TextLike> void append(Class<P> kind, String delta) {
        if (delta == null || delta.isEmpty() || !take(delta)) {
            return;
        }
        P piece;
        if (kind.isInstance(last) && open && !(last instanceof ReasoningPiece r && r.redacted)) {
            piece = kind.cast(last);
        } else {
            piece = kind.cast(fresh(kind));
            start(piece);
        }
        add(piece, delta);
    }

    /** A new piece of {@code kind}: made here rather than by a constructor reference linked at start-up (ADR-003). */
    private static TextLike fresh(Class<? extends TextLike> kind) {
        if (kind == TextPiece.class) {
            return new TextPiece();
        }
        return kind == ReasoningPiece.class ? new ReasoningPiece() : new RefusalPiece();
    }

    /** Appends {@code delta}, made well-formed, to {@code piece}, and reports it (see {@link #flush()}). */
    private void add(TextLike piece, String delta) {
        add(piece, delta, 1, false);
    }

    /** @param ascii whether {@code delta} is known to be ASCII (then it is not scanned for surrogates) */
    private void add(TextLike piece, String delta, int pieces, boolean ascii) {
        String repaired = ascii ? piece.repair.nextAscii(delta) : piece.repair.next(delta);
        if (!repaired.isEmpty()) {
            piece.text.append(repaired);
            if (events == null) {
                return;
            }
            if (!textReported || !(piece instanceof TextPiece text)) {
                textReported |= piece instanceof TextPiece;
                report(piece.event(repaired));
            } else {
                if (unreportedPiece != text) {
                    flush();
                    unreportedPiece = text;
                    unreportedAscii = true;
                }
                unreported.append(repaired);
                unreportedPieces += pieces;
                // text not repaired is the String take() just counted; a repaired one holds U+FFFD, not ASCII
                unreportedAscii &= repaired == delta ? tookAscii : StreamEvent.TextDelta.isAscii(repaired);
            }
        }
    }

    /** Reports the text taken but not yet reported, as one event. */
    void flush() {
        if (unreportedPiece != null) {
            StreamEvent event = new StreamEvent.TextDelta(unreported.toString(), unreportedPieces, unreportedAscii);
            unreportedPiece = null;
            unreported.setLength(0);
            unreportedPieces = 0;
            events.accept(event);
        }
    }

    private void report(StreamEvent event) {
        if (events == null) {
            return;
        }
        flush(); // what came before is reported before
        if (!delivered) {
            delivered = true; // before the listener sees it: one volatile write per answer, not per piece
        }
        events.accept(event);
    }

    private void start(Piece piece) {
        if (last != null) {
            finish(last);
        }
        pieces.add(piece);
        last = piece;
        open = true;
    }

    /** A text-like piece that ends with half a surrogate pair: the half becomes U+FFFD, reported like any text. */
    private void finish(Piece piece) {
        WellFormedText repair = piece instanceof TextLike text ? text.repair
                : piece instanceof ToolCallPiece call ? call.arguments : null;
        if (repair == null) {
            return;
        }
        String rest = repair.end();
        if (rest.isEmpty()) {
            return;
        }
        if (piece instanceof TextLike text) {
            text.text.append(rest);
            report(text.event(rest));
        } else {
            ToolCallPiece call = (ToolCallPiece) piece;
            call.text.append(rest);
            report(new StreamEvent.ToolCallDelta(call.index, null, null, rest));
        }
    }

    /** Counts {@code text} against the limit; false (and nothing more taken) when it would pass it. */
    private boolean take(String text) {
        return take(text, false);
    }

    /** @param ascii whether {@code text} is known to be ASCII: its length is then its UTF-8 length, not counted */
    private boolean take(String text, boolean ascii) {
        if (overLimit) {
            return false;
        }
        if (maxBytes == Long.MAX_VALUE) {
            tookAscii = ascii; // not counted otherwise: not known
            return true; // pieces taken once already: counted then
        }
        long more = ascii ? text.length() : ChatCall.utf8Length(text);
        tookAscii = more == text.length();
        if (bytes + more > maxBytes) {
            overLimit = true;
            return false;
        }
        bytes += more;
        return true;
    }

    private sealed interface Piece permits TextLike, ToolCallPiece, CitationPiece {
        Part part();
    }

    private abstract static sealed class TextLike implements Piece permits TextPiece, ReasoningPiece, RefusalPiece {
        final TextChunks text = new TextChunks(); // an answer may be many megabytes: grown without copies
        final WellFormedText repair = new WellFormedText();

        abstract StreamEvent event(String delta);
    }

    private static final class TextPiece extends TextLike {
        @Override
        StreamEvent event(String delta) {
            return new StreamEvent.TextDelta(delta);
        }

        @Override
        public Part part() {
            return new Part.Text(text.toString());
        }
    }

    private static final class ReasoningPiece extends TextLike {
        String signature;
        boolean redacted;

        @Override
        StreamEvent event(String delta) {
            return new StreamEvent.ReasoningDelta(delta);
        }

        @Override
        public Part part() {
            return new Part.Reasoning(text.toString(), signature, redacted);
        }
    }

    private static final class RefusalPiece extends TextLike {
        @Override
        StreamEvent event(String delta) {
            return new StreamEvent.RefusalDelta(delta);
        }

        @Override
        public Part part() {
            return new Part.Refusal(text.toString());
        }
    }

    private static final class ToolCallPiece implements Piece {
        final int index;
        final TextChunks text = new TextChunks();
        final WellFormedText arguments = new WellFormedText();
        String id;
        String name;

        ToolCallPiece(int index) {
            this.index = index;
        }

        @Override
        public Part part() {
            return new Part.ToolCall(id == null ? unnamedCallId(index) : id, name == null ? "" : name,
                    text.toString());
        }
    }

    private record CitationPiece(Part.Citation citation) implements Piece {
        @Override
        public Part part() {
            return citation;
        }
    }
}
