/**
 * The store's RocksDB database: its column families ({@link io.thetahost.objectdb.store.Column}), the binary layouts
 * of keys and records ({@link io.thetahost.objectdb.store.Keys}, {@link io.thetahost.objectdb.store.MetaRecord}),
 * consistent read views, the locks that order uploads against collection, and the recovery of interrupted uploads
 * ({@link io.thetahost.objectdb.store.Orphans}). Everything here is internal to object-db; object-db/STORE.md
 * documents the layout.
 */
package io.thetahost.objectdb.store;
