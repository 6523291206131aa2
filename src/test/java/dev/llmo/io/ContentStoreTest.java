package dev.llmo.io;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.llmo.failure.LogVerificationException;
import dev.llmo.message.Part;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
    @TempDir
    Path home;

    private static final byte[] HELLO = "hello\n".getBytes(StandardCharsets.UTF_8);
    private static final String HELLO_SHA = "5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03";

    @Test
    void storesBytesByTheirSha256BesideTheConversations() throws Exception {
        ContentStore store = ContentStore.beside(home.resolve("conversations"));
        Part.Attachment attachment = store.store(HELLO, "text/plain", "hello.txt");
        assertThat(attachment).isEqualTo(new Part.Attachment("text/plain", HELLO_SHA, "hello.txt"));
        Path blob = home.resolve("blobs/sha256/" + HELLO_SHA);
        assertThat(blob).hasBinaryContent(HELLO);
        assertThat(store.bytes(HELLO_SHA)).isEqualTo(HELLO);
        assertThat(store.size(HELLO_SHA)).isEqualTo(6);
        try (Stream<Path> files = Files.list(blob.getParent())) {
            assertThat(files).containsExactly(blob); // no temporary file left behind
        }
    }

    @Test
    void storingTheSameBytesAgainDoesNotRewriteTheBlob() throws Exception {
        ContentStore store = new ContentStore(home.resolve("blobs"));
        store.put(HELLO);
        Path blob = store.path(HELLO_SHA);
        FileTime old = FileTime.fromMillis(1_000_000L);
        Files.setLastModifiedTime(blob, old);
        assertThat(store.put(HELLO)).isEqualTo(HELLO_SHA);
        assertThat(Files.getLastModifiedTime(blob)).isEqualTo(old);
    }

    @Test
    void aChangedOrMissingBlobIsNeverReadAsIfItWereGood() throws Exception {
        ContentStore store = new ContentStore(home.resolve("blobs"));
        store.put(HELLO);
        Files.write(store.path(HELLO_SHA), "HELLO\n".getBytes(StandardCharsets.UTF_8));
        assertThat(store.check(HELLO_SHA)).isEqualTo(ContentStore.State.CHANGED);
        assertThatThrownBy(() -> store.bytes(HELLO_SHA)).isInstanceOf(LogVerificationException.class)
                .hasMessageContaining("sha256:" + HELLO_SHA + " was changed");
        Files.delete(store.path(HELLO_SHA));
        assertThat(store.check(HELLO_SHA)).isEqualTo(ContentStore.State.MISSING);
        assertThatThrownBy(() -> store.bytes(HELLO_SHA)).isInstanceOf(LogVerificationException.class)
                .hasMessageContaining("is missing from the content store");
        assertThat(store.size(HELLO_SHA)).isEqualTo(-1);
    }

    @Test
    void aNameThatIsNotAHashIsRefused() {
        ContentStore store = new ContentStore(home.resolve("blobs"));
        assertThatThrownBy(() -> store.path("../../etc/passwd")).isInstanceOf(IllegalArgumentException.class);
    }
}
