/** Integrity checks: {@link io.thetahost.objectdb.fsck.Fsck} decodes every stored tensor and checks every record. */
package io.thetahost.objectdb.fsck;
