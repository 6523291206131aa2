package dev.llmo.eventlog;

import java.nio.file.Path;

/** What tests read back from a conversation log, through the one codec (never by JSON keys). */
public final class Logged {
    private Logged() {
    }

    /** The text of a {@code message} or {@code response} event (its text parts joined). */
    public static String text(Event event) {
        EventData data = EventCodec.decode(event);
        if (data instanceof EventData.Message message) {
            return message.text();
        }
        if (data instanceof EventData.Response response) {
            return response.text();
        }
        throw new AssertionError("event " + event.seq() + " is a " + event.type() + ", which has no text");
    }

    /** The text of the first {@code response} event of {@code file}. */
    public static String firstResponseText(Path file) {
        return EventLog.read(file).stream().filter(e -> e.type().equals("response")).findFirst()
                .map(Logged::text).orElseThrow(() -> new AssertionError("no response event in " + file));
    }

    /** The first {@code response} event of {@code file}, decoded. */
    public static EventData.Response firstResponse(Path file) {
        return EventLog.read(file).stream().filter(e -> e.type().equals("response")).findFirst()
                .map(e -> (EventData.Response) EventCodec.decode(e))
                .orElseThrow(() -> new AssertionError("no response event in " + file));
    }
}
