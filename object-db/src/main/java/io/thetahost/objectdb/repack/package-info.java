/** Re-encoding tensors stored dense as patches against their neighbours in history (object-db/STORE.md, Repack). */
package io.thetahost.objectdb.repack;
