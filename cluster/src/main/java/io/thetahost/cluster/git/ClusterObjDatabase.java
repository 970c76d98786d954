package io.thetahost.cluster.git;

import io.thetahost.cluster.objects.ObjectStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.jgit.internal.storage.dfs.DfsObjDatabase;
import org.eclipse.jgit.internal.storage.dfs.DfsOutputStream;
import org.eclipse.jgit.internal.storage.dfs.DfsPackDescription;
import org.eclipse.jgit.internal.storage.dfs.DfsPackFile;
import org.eclipse.jgit.internal.storage.dfs.DfsReaderOptions;
import org.eclipse.jgit.internal.storage.dfs.ReadableChannel;
import org.eclipse.jgit.internal.storage.pack.PackExt;

/**
 * A repository's objects: pack files in the object store, {@code git/<repository>/<pack>.<ext>}, listed by
 * {@code git_packs} rows (docs/CLUSTER.md). Every file of a new pack is uploaded whole before one transaction inserts
 * its row, so a pack is visible to every front at once or not at all; a front that dies before that leaves objects no
 * row names, which gc removes. Objects are never changed: a pack replaced by gc loses its row, and its files stay for
 * readers that listed it until gc deletes them.
 */
public final class ClusterObjDatabase extends DfsObjDatabase {
    private final String repository;
    private final RepositoryConnection rows;
    private final ObjectStore store;
    private final Path spool;
    /** Files uploaded for packs not yet committed or rolled back: key to size. */
    private final Map<String, Long> uploaded = new ConcurrentHashMap<>();

    ClusterObjDatabase(ClusterRepository repository, RepositoryConnection rows, ObjectStore store, Path spool) {
        super(repository, new DfsReaderOptions());
        this.repository = repository.name();
        this.rows = rows;
        this.store = store;
        this.spool = spool;
    }

    /** When a pack was named (its name starts with the time), or empty for a name this class did not make. */
    static Optional<java.time.Instant> writtenAt(String pack) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("pack-(\\d{13})-[0-9a-f]{32}").matcher(pack);
        return m.matches() ? Optional.of(java.time.Instant.ofEpochMilli(Long.parseLong(m.group(1))))
                : Optional.empty();
    }

    /** Where a repository's pack files are kept. */
    static String keyPrefix(String repository) {
        return "git/" + repository + "/";
    }

    private String key(DfsPackDescription pack, PackExt ext) {
        return keyPrefix(repository) + pack.getFileName(ext);
    }

    @Override
    protected List<DfsPackDescription> listPacks() throws IOException {
        return rows.read("list the packs", c -> PackRows.list(c, getRepository().getDescription()));
    }

    /**
     * A name no other front can choose: the time first, so that the store lists a repository's packs oldest first
     * and gc can tell an abandoned upload's age from its key, then a random UUID.
     */
    @Override
    protected DfsPackDescription newPack(PackSource source) {
        String name = String.format("pack-%013d-%s", System.currentTimeMillis(),
                UUID.randomUUID().toString().replace("-", ""));
        return new DfsPackDescription(getRepository().getDescription(), name, source);
    }

    @Override
    protected DfsOutputStream writeFile(DfsPackDescription pack, PackExt ext) throws IOException {
        String key = key(pack, ext);
        return new SpoolOutputStream(spool, store, key, size -> uploaded.put(key, size));
    }

    @Override
    protected void commitPackImpl(Collection<DfsPackDescription> added, Collection<DfsPackDescription> replaced)
            throws IOException {
        for (DfsPackDescription pack : added) {
            for (PackExt ext : PackExt.values()) {
                if (pack.hasFileExt(ext) && !uploaded.containsKey(key(pack, ext))) {
                    throw new IOException("pack " + pack.getPackName() + " of repository " + repository + ": its "
                            + ext.getExtension() + " file was not uploaded, so it is not committed");
                }
            }
        }
        rows.transaction("commit a pack", c -> {
            PackRows.commit(c, repository, added, replaced, (pack, ext) -> uploaded.get(key(pack, ext)));
            return null;
        });
        for (DfsPackDescription pack : added) {
            for (PackExt ext : PackExt.values()) {
                uploaded.remove(key(pack, ext));
            }
        }
        clearCache();
    }

    /** Deletes what was uploaded for packs that will not be committed. */
    @Override
    protected void rollbackPack(Collection<DfsPackDescription> packs) {
        for (DfsPackDescription pack : packs) {
            for (PackExt ext : PackExt.values()) {
                String key = key(pack, ext);
                if (uploaded.remove(key) != null) {
                    try {
                        store.delete(key);
                    } catch (IOException e) {
                        // Without a row the object is invisible; gc removes it later.
                    }
                }
            }
        }
    }

    @Override
    protected ReadableChannel openFile(DfsPackDescription pack, PackExt ext) {
        String key = key(pack, ext);
        long size = pack.getFileSize(ext);
        if (size <= 0) {
            size = uploaded.getOrDefault(key, -1L);
        }
        return new RangedChannel(store, key, size);
    }

    /** Forgets the pack list, so that the next object lookup lists the packs again. */
    void forgetPacks() {
        clearCache();
    }

    /** The objects in the listed packs, or -1 (unknown) when they cannot be listed, as JGit's file storage does. */
    @Override
    public long getApproximateObjectCount() {
        try {
            long count = 0;
            for (DfsPackFile pack : getPacks()) {
                count += pack.getPackDescription().getObjectCount();
            }
            return count;
        } catch (IOException e) {
            return -1;
        }
    }
}
