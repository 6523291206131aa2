package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A reader that needs few events' content (a listing) reads the others without it: the same events, in the same
 * order, with the same facts, and the content only where it asked for it; a line written otherwise than llmo writes
 * it is read whole, as before.
 */
class EventLogHeadsTest {
    @TempDir
    Path dir;

    @Test
    void eventsReadWithoutContentAreTheEventsWithTheirContentLeftOut() throws Exception {
        Path file = LogFixtures.conversation(dir, "first " + LogFixtures.NASTY);
        List<Event> whole = EventLog.read(file);
        List<Event> heads = new ArrayList<>();
        EventLog.forEach(file, event -> event.seq() == whole.get(2).seq(), heads::add);

        assertThat(heads).hasSameSizeAs(whole);
        for (int i = 0; i < whole.size(); i++) {
            Event full = whole.get(i);
            Event head = heads.get(i);
            assertThat(head.seq()).isEqualTo(full.seq());
            assertThat(head.type()).isEqualTo(full.type());
            assertThat(head.ts()).isEqualTo(full.ts());
            assertThat(head.data()).isEqualTo(full.data());
            assertThat(head.hash()).isEqualTo(full.hash());
            assertThat(head.prev()).isEqualTo(full.prev());
            // the one event asked for has its content; the others have none
            assertThat(head.content()).isEqualTo(i == 2 ? full.content() : null);
        }
        assertThat(((EventData.Message) EventCodec.decode(heads.get(2))).text()).isEqualTo("first " + LogFixtures.NASTY);
    }

    @Test
    void aLineWithItsContentFirstOrALongHeadIsReadWhole() throws Exception {
        Path file = LogFixtures.conversation(dir, "hello");
        try (EventLog log = EventLog.open(file)) {
            // data larger than the head read at first: read whole, content included when asked for
            log.append("note", JsonNodeFactory.instance.objectNode().put("big", "x".repeat(100_000)));
        }
        List<String> lines = LogFixtures.lines(file);
        // a foreign writer's key order: content first (the hash does not cover the order)
        String user = lines.get(2);
        int content = user.indexOf(",\"content\":");
        assertThat(content).isPositive();
        lines.set(2, "{" + user.substring(content + 1, user.length() - 1) + "," + user.substring(1, content) + "}");
        LogFixtures.writeLines(file, lines);

        List<Event> whole = EventLog.read(file);
        List<Event> heads = new ArrayList<>();
        EventLog.forEach(file, event -> false, heads::add);

        assertThat(heads).extracting(Event::seq).isEqualTo(whole.stream().map(Event::seq).toList());
        assertThat(heads.get(2).content()).isEqualTo(whole.get(2).content()); // read whole: its order is not llmo's
        assertThat(heads.get(heads.size() - 1).data()).isEqualTo(whole.get(whole.size() - 1).data());
        assertThat(ChainVerifier.verify(file).ok()).isTrue();
    }

    @Test
    void aSummaryReadWithoutTheAnswersIsTheSummaryOfTheWholeLog() throws Exception {
        Path file = LogFixtures.conversation(dir, "the first prompt");
        try (EventLog log = EventLog.open(file)) {
            log.append(EventData.Message.user("a later prompt"));
            log.append(SavedChats.EVENT, JsonNodeFactory.instance.objectNode().put("name", "old-name"));
            log.append(SavedChats.EVENT, JsonNodeFactory.instance.objectNode().put("name", "notes"));
        }
        ConversationSummary full = ConversationSummary.of(EventLog.idOf(file), EventLog.read(file));

        assertThat(ConversationSummary.read(file, skipped -> { })).isEqualTo(full);
        assertThat(full.firstPrompt()).isEqualTo("the first prompt");
        assertThat(full.savedName()).isEqualTo("notes");
        assertThat(Files.size(file)).isPositive();
    }

    @Test
    void aFirstPromptWhoseLineDoesNotReadIsNoEventAndTheNextPromptIsTheFirst() throws Exception {
        Path file = LogFixtures.conversation(dir, "the first prompt");
        List<String> lines = LogFixtures.lines(file);
        String user = lines.get(2);
        int content = user.indexOf(",\"content\":");
        assertThat(content).isPositive();
        lines.set(2, user.substring(0, content) + ",\"content\":{\"x\":\"cut}");
        LogFixtures.writeLines(file, lines);
        ConversationSummary full = ConversationSummary.of(EventLog.idOf(file), EventLog.read(file));

        assertThat(ConversationSummary.read(file, skipped -> { })).isEqualTo(full);
        assertThat(full.firstPrompt()).isEqualTo("and more?");
    }
}
