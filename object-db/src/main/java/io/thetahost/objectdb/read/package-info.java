/**
 * Reading stored tensors: an encoding's bytes from its pieces ({@link io.thetahost.objectdb.read.BlobInputStream}),
 * and a tensor decoded while it is read, its delta chain followed through one consistent view
 * ({@link io.thetahost.objectdb.read.TensorReader}).
 */
package io.thetahost.objectdb.read;
