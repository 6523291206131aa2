package dev.llmo.provider.http;

import java.util.Objects;

/**
 * One dispatched server-sent event: its {@code event:} name, or null when it had none; its {@code data:} lines joined
 * with {@code \n} (empty when there were none); the last {@code id:} seen (ids persist across events), or null.
 *
 * <p>The parser may find that an event's data is the stream's {@link DeltaTemplate} with another text (nearly every
 * event of a long answer): such an event holds the template's two ends and the text, and its data is joined only if
 * someone asks for it, so that a decoder can take the text without the data being decoded and compared again.
 */
public final class SseEvent {
    private final String event;
    private final String id;
    private String data;
    /** For an event read as the template's: the template's two ends (the same Strings) and the text between. */
    private final String before;
    private final String text;
    private final String after;
    /**
     * For a run of template events read at once: where each event's text ends in {@link #text} (their texts
     * joined); null for one event.
     */
    private final int[] ends;

    public SseEvent(String event, String data, String id) {
        this.event = event;
        this.data = data;
        this.id = id;
        this.before = null;
        this.text = null;
        this.after = null;
        this.ends = null;
    }

    /** An event whose data is {@code before + text + after}, the ends of a template. */
    SseEvent(String event, String before, String text, String after, String id) {
        this(event, before, text, after, id, null);
    }

    /**
     * Events that followed each other, each the template with another text and the same name: {@code texts} is their
     * texts joined, event {@code i}'s ending at {@code ends[i]} (null: one event).
     */
    SseEvent(String event, String before, String texts, String after, String id, int[] ends) {
        this.event = event;
        this.id = id;
        this.before = before;
        this.text = texts;
        this.after = after;
        this.ends = ends;
    }

    public String event() {
        return event;
    }

    /** The data; of a run of template events, the first's (the only use is an error message). */
    public String data() {
        if (data == null && text != null) {
            data = before + (ends == null ? text : text.substring(0, ends[0])) + after;
        }
        return data;
    }

    public String id() {
        return id;
    }

    /**
     * The text of this event's data when the parser read it as {@code template} with another text (the template
     * has not changed since), else null: the data is then read as usual, also when it is the template's.
     */
    public String templateText(DeltaTemplate template) {
        return text != null && template.isFrom(before, after) ? text : null;
    }

    /**
     * Gives {@code sink} the text of {@link #templateText} as the events brought it: of one event, its text; of a
     * run, their texts in order ({@link PartSink#texts}).
     */
    public void templateTextTo(PartSink sink) {
        if (ends == null) {
            sink.text(text);
        } else {
            sink.texts(text, ends);
        }
    }

    /** How many events this is: more than one for a run of template events read at once. */
    int events() {
        return ends == null ? 1 : ends.length;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof SseEvent that && Objects.equals(event, that.event) && Objects.equals(data(), that.data())
                && Objects.equals(id, that.id);
    }

    @Override
    public int hashCode() {
        return Objects.hash(event, data(), id);
    }

    @Override
    public String toString() {
        return "SseEvent[event=" + event + ", data=" + data() + ", id=" + id + "]";
    }
}
