/**
 * The tensor store (docs/DESIGN.md sections 2 and 3): encodings in RocksDB, content-addressed by tensor id,
 * deduplicated across repositories, with per-repository read access, bounded delta chains, fsck and gc. {@link
 * io.thetahost.objectdb.TensorStore} is the whole public surface; the layout on disk is in {@code object-db/STORE.md}.
 *
 * <p>Parts: {@code store} (RocksDB, keys and records), {@code read} (decoding stored chains), {@code put} (verified
 * uploads), {@code fsck} (integrity checks) and {@code gc} (collection). Those packages are public only so the
 * parts can reach each other; callers use this package and the two reports.
 */
package io.thetahost.objectdb;
