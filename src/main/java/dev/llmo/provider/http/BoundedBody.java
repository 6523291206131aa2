package dev.llmo.provider.http;

import java.io.IOException;
import okhttp3.ResponseBody;
import okio.BufferedSource;

/**
 * Reads a whole response body, but never more than a limit: a server (or a gzip bomb, which OkHttp inflates before
 * llmo sees a byte) cannot make llmo hold more than the limit in memory.
 */
final class BoundedBody {
    private BoundedBody() {
    }

    /** The body's bytes, or null when it holds more than {@code limit} bytes (at most limit + 1 were read). */
    static byte[] read(ResponseBody body, long limit) throws IOException {
        BufferedSource source = body.source();
        if (source.request(limit + 1)) {
            return null;
        }
        return source.readByteArray();
    }
}
