/**
 * Dtypes, tensor math and the exact encodings of tensors. Nothing here yet.
 */
package io.thetahost.codec;
