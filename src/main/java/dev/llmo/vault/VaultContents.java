package dev.llmo.vault;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The decrypted plaintext: entries by name, sorted. Immutable; every change returns a new instance. */
record VaultContents(Map<String, Secret> secrets) {
    static final VaultContents EMPTY = new VaultContents(Map.of());

    VaultContents {
        secrets = Collections.unmodifiableMap(new TreeMap<>(secrets));
    }

    /** One stored secret. Its {@code toString} never shows the value. */
    record Secret(String value, Instant created, Instant updated) {
        @Override
        public String toString() {
            return "Secret[value=<redacted>, created=" + created + ", updated=" + updated + "]";
        }
    }

    Optional<Secret> get(String name) {
        return Optional.ofNullable(secrets.get(name));
    }

    /** Stores a value; an existing entry keeps its creation date. */
    VaultContents with(String name, String value, Instant now) {
        Map<String, Secret> copy = new TreeMap<>(secrets);
        Secret old = copy.get(name);
        copy.put(name, new Secret(value, old == null ? now : old.created(), now));
        return new VaultContents(copy);
    }

    VaultContents without(String name) {
        Map<String, Secret> copy = new TreeMap<>(secrets);
        copy.remove(name);
        return new VaultContents(copy);
    }

    List<VaultEntry> entries() {
        List<VaultEntry> list = new ArrayList<>();
        secrets.forEach((name, secret) -> list.add(new VaultEntry(name, secret.created(), secret.updated())));
        return List.copyOf(list);
    }

    @Override
    public String toString() {
        return "VaultContents" + secrets.keySet();
    }
}
