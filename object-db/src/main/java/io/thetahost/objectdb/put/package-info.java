/**
 * Uploads: an encoding is decoded and its id verified while its bytes are written to the store as pieces
 * ({@link io.thetahost.objectdb.put.Upload}); only then does one synced batch make it visible. Patches that would
 * make a chain too deep are stored re-encoded dense ({@link io.thetahost.objectdb.put.Reencoder}).
 */
package io.thetahost.objectdb.put;
