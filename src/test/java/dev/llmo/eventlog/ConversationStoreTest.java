package dev.llmo.eventlog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.ConfigException;
import dev.llmo.failure.ExitCode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConversationStoreTest {
    @TempDir
    Path dir;

    private void touch(String id) throws Exception {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(id + ".jsonl"), "");
    }

    @Test
    void idsSortByCreationTimeEvenWithinOneMillisecond() {
        // later than any id this JVM made before: ids never go back in time within a process
        Instant now = Instant.now().plusSeconds(86_400).truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(ConversationId.next(now));
        }
        ids.add(ConversationId.next(now.plusSeconds(1)));
        assertThat(ids).isSorted().doesNotHaveDuplicates();
        assertThat(ids).allMatch(ConversationId::isValid);
        assertThat(ConversationId.timeOf(ids.get(0))).isEqualTo(now);
    }

    /**
     * The conversation used last is the log written last, whatever its age: to the file system's resolution, not only
     * java.io's milliseconds; of logs written at the very same time, the one started later. Other files, and a
     * missing directory, are no conversations.
     */
    @Test
    void theConversationUsedLastIsTheLogWrittenLast() throws Exception {
        ConversationStore store = new ConversationStore(dir.resolve("conversations"));
        assertThat(store.ids()).isEmpty();
        assertThat(store.lastUsed()).isEmpty();
        Instant start = Instant.parse("2026-01-02T03:04:05Z");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            ids.add(ConversationId.next(start.plusSeconds(i)));
        }
        Path folder = Files.createDirectories(store.dir());
        for (String id : ids) {
            Files.writeString(folder.resolve(id + ".jsonl"), "");
        }
        Files.writeString(folder.resolve("notes.txt"), "");
        Files.writeString(folder.resolve("not-an-id.jsonl"), "");
        Instant t = Instant.parse("2026-03-01T00:00:00.000100Z");
        java.util.function.BiConsumer<String, Instant> written = (id, at) -> {
            try {
                Files.setLastModifiedTime(folder.resolve(id + ".jsonl"), java.nio.file.attribute.FileTime.from(at));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
        written.accept(ids.get(0), t.plusSeconds(5)); // the oldest conversation, continued last
        written.accept(ids.get(1), t);
        written.accept(ids.get(2), t);
        written.accept(ids.get(3), t.minusSeconds(60));

        assertThat(store.ids()).containsExactlyElementsOf(ids);
        assertThat(store.lastUsed()).contains(ids.get(0));

        written.accept(ids.get(0), t.minusSeconds(5));
        assertThat(store.lastUsed()).as("written at the same time: the later").contains(ids.get(2));

        written.accept(ids.get(1), t.plusNanos(500_000)); // the same millisecond, half a millisecond later
        assertThat(store.lastUsed()).contains(ids.get(1));

        for (String id : ids) {
            written.accept(id, Instant.EPOCH); // as an archive restored without its times leaves them
        }
        assertThat(store.lastUsed()).contains(ids.get(3));
    }

    @Test
    void whatCouldStartAnIdIsToldFromWhatCannot() {
        String id = ConversationId.next(Instant.now());
        assertThat(List.of(id, id.substring(0, 4).toLowerCase(java.util.Locale.ROOT), "0", "7days", "old", "1st"))
                .allMatch(ConversationId::couldStartAnId);
        assertThat(List.of("notes", "8ball", "old-notes", "0u", id + "0", "", "rust_1"))
                .noneMatch(ConversationId::couldStartAnId);
    }

    @Test
    void resolvesAUniquePrefixCaseInsensitively() throws Exception {
        touch("01JD0AAAAAAAAAAAAAAAAAAAAA");
        touch("01JE0BBBBBBBBBBBBBBBBBBBBB");
        ConversationStore store = new ConversationStore(dir);
        assertThat(store.resolve("01jd")).isEqualTo(dir.resolve("01JD0AAAAAAAAAAAAAAAAAAAAA.jsonl"));
        assertThat(store.resolve("01JE0BBBBBBBBBBBBBBBBBBBBB")).isEqualTo(dir.resolve("01JE0BBBBBBBBBBBBBBBBBBBBB.jsonl"));
        assertThat(store.ids()).containsExactly("01JD0AAAAAAAAAAAAAAAAAAAAA", "01JE0BBBBBBBBBBBBBBBBBBBBB");
    }

    @Test
    void anAmbiguousPrefixListsTheCandidates() throws Exception {
        touch("01JD0AAAAAAAAAAAAAAAAAAAAA");
        touch("01JD0BBBBBBBBBBBBBBBBBBBBB");
        assertThatThrownBy(() -> new ConversationStore(dir).resolve("01JD"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("ambiguous")
                .hasMessageContaining("01JD0AAAAAAAAAAAAAAAAAAAAA")
                .hasMessageContaining("01JD0BBBBBBBBBBBBBBBBBBBBB")
                .satisfies(e -> assertThat(((ConfigException) e).exitCode()).isEqualTo(ExitCode.CONFIG));
    }

    @Test
    void anUnknownIdSuggestsTheClosest() throws Exception {
        touch("01JD0AAAAAAAAAAAAAAAAAAAAA");
        touch("01KZZZZZZZZZZZZZZZZZZZZZZZ");
        assertThatThrownBy(() -> new ConversationStore(dir).resolve("01JE0A"))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("no conversation '01JE0A'")
                .satisfies(e -> assertThat(((ConfigException) e).fix())
                        .contains("did you mean '01JD0AAAAAAAAAAAAAAAAAAAAA'?").contains("llmo log list"));
    }

    @Test
    void anEmptyStoreSaysSo() {
        assertThatThrownBy(() -> new ConversationStore(dir.resolve("none")).resolve("01"))
                .isInstanceOf(ConfigException.class).hasMessageContaining("there are no conversations");
    }

    @Test
    void aPathThatIsNoFileSaysSoInsteadOfLookingLikeAnUnknownId() throws Exception {
        touch("01JD0AAAAAAAAAAAAAAAAAAAAA");
        String missing = dir.resolve("gone.jsonl").toString();
        assertThatThrownBy(() -> new ConversationStore(dir).resolve(missing))
                .isInstanceOf(ConfigException.class)
                .hasMessage("no file " + missing + ", and no saved conversation of that name");
        assertThatThrownBy(() -> new ConversationStore(dir).resolve(dir.toString()))
                .isInstanceOf(ConfigException.class)
                .hasMessageContaining("(it is not a regular file)");
        Files.writeString(dir.resolve("kept.jsonl"), "");
        assertThat(new ConversationStore(dir).resolve(dir.resolve("kept.jsonl").toString()))
                .isEqualTo(dir.resolve("kept.jsonl"));
    }
}
