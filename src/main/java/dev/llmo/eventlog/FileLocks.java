package dev.llmo.eventlog;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Per-file locks inside this JVM, taken around the OS file lock: an OS lock is held per process, and Java throws
 * OverlappingFileLockException when a second channel of the same process asks for it.
 */
final class FileLocks {
    private static final Map<Path, ReentrantLock> LOCKS = new ConcurrentHashMap<>();

    private FileLocks() {
    }

    static ReentrantLock of(Path file) throws IOException {
        return LOCKS.computeIfAbsent(file.toRealPath(), p -> new ReentrantLock());
    }
}
