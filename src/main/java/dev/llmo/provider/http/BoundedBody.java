package dev.llmo.provider.http;

import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a whole response body, but never more than a limit: a server (or a gzip bomb, which OkHttp inflates before
 * llmo sees a byte) cannot make llmo hold more than the limit in memory.
 */
final class BoundedBody {
    private BoundedBody() {
    }

    /** The body's bytes, or null when it holds more than {@code limit} bytes (at most limit + 1 were read). */
    static byte[] read(InputStream body, long limit) throws IOException {
        byte[] bytes = body.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limit + 1));
        return bytes.length > limit ? null : bytes;
    }
}
