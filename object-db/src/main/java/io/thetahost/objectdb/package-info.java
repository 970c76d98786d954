/**
 * The RocksDB tensor store. Nothing here yet.
 */
package io.thetahost.objectdb;
