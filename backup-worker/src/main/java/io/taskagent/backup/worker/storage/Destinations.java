package io.taskagent.backup.worker.storage;

import io.taskagent.backup.worker.WorkerProperties;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The named destinations of backup files: the primary, where a dump is written, and the copies, where a finished
 * backup is copied ({@code backup.storage.primary}, {@code backup.storage.copies}); any configured destination can be
 * read from (restore, verify) and cleaned. With none configured, the storage directory is the one destination,
 * named {@value #DEFAULT_NAME}. A bad setting is an error at start-up naming the destination and the setting.
 */
public final class Destinations implements AutoCloseable {

    public static final String DEFAULT_NAME = "local";

    private final Map<String, BackupStorage> all;
    private final BackupStorage primary;
    private final List<BackupStorage> copies;

    public Destinations(Map<String, BackupStorage> all, String primary, List<String> copies) {
        this.all = Map.copyOf(all);
        this.primary = require(primary, "backup.storage.primary");
        List<BackupStorage> c = new ArrayList<>();
        for (String copy : copies) {
            BackupStorage destination = require(copy, "backup.storage.copies");
            if (destination == this.primary) {
                throw new IllegalArgumentException("backup.storage.copies names '" + copy + "', the primary destination");
            }
            if (!c.contains(destination)) {
                c.add(destination);
            }
        }
        this.copies = List.copyOf(c);
    }

    /** One local directory: a worker with no destinations configured, and tests. */
    public static Destinations local(Path dir) {
        return new Destinations(Map.of(DEFAULT_NAME, new LocalStorage(DEFAULT_NAME, dir)), DEFAULT_NAME, List.of());
    }

    /** The destinations the settings describe. */
    public static Destinations of(WorkerProperties.Storage settings) {
        if (settings.destinations().isEmpty()) {
            if (!settings.primary().isBlank() && !settings.primary().equals(DEFAULT_NAME)) {
                throw new IllegalArgumentException("backup.storage.primary is '" + settings.primary()
                        + "' but no destination of that name is configured (backup.storage.destinations."
                        + settings.primary() + ".type)");
            }
            if (!settings.copies().isEmpty()) {
                throw new IllegalArgumentException("backup.storage.copies names " + settings.copies()
                        + " but no destinations are configured (backup.storage.destinations.<name>.type)");
            }
            long quota = settings.quota() == null ? 0 : settings.quota().toBytes();
            if (quota < 0) {
                throw new IllegalArgumentException("backup.storage.quota must not be negative");
            }
            return new Destinations(Map.of(DEFAULT_NAME, new LocalStorage(DEFAULT_NAME, settings.dir(), quota)),
                    DEFAULT_NAME, List.of());
        }
        Map<String, BackupStorage> all = new LinkedHashMap<>();
        settings.destinations().forEach((name, d) -> {
            if (!io.taskagent.backup.model.Names.isDestination(name)) {
                throw new IllegalArgumentException("destination name '" + name + "' must be lower-case letters, "
                        + "digits and dashes, starting with a letter");
            }
            String key = "backup.storage.destinations." + name;
            all.put(name, switch (d.type()) {
                case "local" -> {
                    if (d.path() == null || d.path().isBlank()) {
                        throw new IllegalArgumentException(key + ".path is required for a local destination");
                    }
                    long quota = d.quota() == null ? 0 : d.quota().toBytes();
                    if (quota < 0) {
                        throw new IllegalArgumentException(key + ".quota must not be negative");
                    }
                    yield new LocalStorage(name, Path.of(d.path()), quota);
                }
                case "s3" -> {
                    if (d.quota() != null && d.quota().toBytes() != 0) {
                        throw new IllegalArgumentException(key + ".quota applies to a local destination only "
                                + "(a bucket's limits are the provider's)");
                    }
                    if (d.bucket() == null || d.bucket().isBlank()) {
                        throw new IllegalArgumentException(key + ".bucket is required for an s3 destination");
                    }
                    yield new S3Storage(name, new S3Storage.Settings(d.bucket(), d.prefix(), d.endpoint(), d.region(),
                            d.pathStyle(), d.accessKeyId(), d.secretAccessKey(), d.storageClass(),
                            d.serverSideEncryption(), d.partSizeMb()));
                }
                default -> throw new IllegalArgumentException(key + ".type must be local or s3, not '" + d.type() + "'");
            });
        });
        String primary = settings.primary().isBlank() && all.size() == 1 ? all.keySet().iterator().next()
                : settings.primary();
        if (primary.isBlank()) {
            throw new IllegalArgumentException("backup.storage.primary must name one of " + all.keySet()
                    + " (several destinations are configured)");
        }
        return new Destinations(all, primary, settings.copies());
    }

    private BackupStorage require(String name, String setting) {
        BackupStorage storage = all.get(name);
        if (storage == null) {
            throw new IllegalArgumentException(setting + " names '" + name + "', which is not a configured destination "
                    + "(configured: " + all.keySet() + ")");
        }
        return storage;
    }

    public BackupStorage primary() {
        return primary;
    }

    public List<BackupStorage> copies() {
        return copies;
    }

    public Optional<BackupStorage> get(String name) {
        return Optional.ofNullable(all.get(name));
    }

    /** Every configured destination, the primary first. */
    public Collection<BackupStorage> all() {
        List<BackupStorage> list = new ArrayList<>();
        list.add(primary);
        all.values().stream().filter(s -> s != primary).forEach(list::add);
        return list;
    }

    @Override
    public void close() {
        for (BackupStorage storage : all.values()) {
            if (storage instanceof AutoCloseable closeable) {
                try {
                    closeable.close();
                } catch (Exception ignored) {
                    // closing at shutdown
                }
            }
        }
    }
}
