/** Garbage collection: {@link io.thetahost.objectdb.gc.Collector} marks from the live ids and sweeps the rest. */
package io.thetahost.objectdb.gc;
